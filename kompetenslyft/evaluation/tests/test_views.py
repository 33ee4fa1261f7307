"""The results page: what each role reaches (and what it cannot: 404), free text only behind a
shown figure, and differencing of the page's filters giving nothing away."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kompetenslyft.evaluation.models import Question, Request
from kompetenslyft.evaluation.services import Given, Where, store_answers
from kompetenslyft.learning.models import Module, Session
from kompetenslyft.learning.services import initiative_create
from kompetenslyft.org.models import Role

from .attack import Attack, Filters, build, matches

URL = "/evaluation/results/"


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def world(network: Any) -> Any:
    fx = build(network)
    m1, m2 = fx.modules["M1"], fx.modules["M2"]
    session = Session.objects.create(
        organisation=network.org_a, module=m1, starts_at=timezone.now() - dt.timedelta(days=3)
    )
    session.trainers.add(network.trainer)
    lyft = initiative_create(organisation=network.org_a, code="lyft", name="Lyftet", modules=[m2])
    lyft.owners.add(network.project_leader)
    other = initiative_create(organisation=network.org_a, code="annat", name="Annat", modules=[m1])
    module_b = Module.objects.create(
        organisation=network.org_b, code="MB", name="B", category="c", level="basic", format="onsite", hours=1
    )
    store_answers(
        network.org_b.pk, [Given(module_b.pk, dt.date(2026, 2, 2), Where(), motivated=4) for _ in range(9)]
    )
    initiative_b = initiative_create(organisation=network.org_b, code="b", name="B", modules=[module_b])
    network.fx, network.lyft, network.other, network.module_b, network.initiative_b = (
        fx,
        lyft,
        other,
        module_b,
        initiative_b,
    )
    network.session = session
    return network


def get(user: Any, **params: Any) -> Any:
    return client_for(user).get(URL, {k: v for k, v in params.items() if v is not None})


def test_each_role_reaches_its_own_results(world: Any) -> None:
    for person in (world.lead, world.top, world.trainer, world.project_leader, world.manager):
        response = get(person.user)
        assert response.status_code == 200, person
        assert "Evaluation results" in response.content.decode()
    assert get(world.evaluator).status_code == 200
    assert get(world.employee.user).status_code == 404
    assert get(world.colleague.user if world.colleague.user else world.other_employee.user).status_code == 404


def test_the_menu_offers_the_results(world: Any) -> None:
    for user in (world.lead.user, world.trainer.user, world.manager.user, world.evaluator, world.top.user):
        assert URL in client_for(user).get("/").content.decode()
    assert URL not in client_for(world.employee.user).get("/").content.decode()


def test_what_the_trainer_sees(world: Any) -> None:
    page = get(world.trainer.user)
    lens = page.context["lens"]
    assert (lens.key, lens.modules) == ("trainer", frozenset({world.fx.modules["M1"].pk}))
    assert [r["key"] for r in page.context["module_rows"]] == ["M1"]
    assert get(world.trainer.user, module=world.fx.modules["M2"].pk).status_code == 404
    assert get(world.trainer.user, module=world.module_b.pk).status_code == 404
    assert get(world.trainer.user, initiative=world.lyft.pk).status_code == 404  # M2 only
    assert get(world.trainer.user, initiative=world.other.pk).status_code == 200
    assert get(world.trainer.user, view=f"organisation-{world.org_a.pk}").status_code == 404
    assert get(world.trainer.user, view=f"trainer-{world.org_b.pk}").status_code == 404
    assert get(world.trainer.user, unit=world.unit_b.pk).status_code == 404


def test_what_the_project_leader_sees(world: Any) -> None:
    page = get(world.project_leader.user)
    assert page.context["lens"].modules == frozenset({world.fx.modules["M2"].pk})
    assert list(page.context["initiatives"]) == [world.lyft]
    assert get(world.project_leader.user, initiative=world.other.pk).status_code == 404
    assert get(world.project_leader.user, initiative=world.initiative_b.pk).status_code == 404
    assert get(world.project_leader.user, module=world.fx.modules["M1"].pk).status_code == 404
    assert get(world.project_leader.user, view=f"organisation-{world.org_a.pk}").status_code == 404


def test_what_the_manager_sees(world: Any) -> None:
    page = get(world.manager.user)
    assert page.context["unit"] == world.dep1
    assert {u.pk for u in page.context["units"]} == {world.dep1.pk, world.unit1.pk, world.unit2.pk}
    assert get(world.manager.user, unit=world.unit1.pk).status_code == 200
    for unit in (world.admin_a, world.dep2, world.unit3, world.unit_b):
        assert get(world.manager.user, unit=unit.pk).status_code == 404
    assert get(world.manager.user, view=f"organisation-{world.org_a.pk}").status_code == 404


def test_the_lead_sees_its_organisation_only(world: Any) -> None:
    page = get(world.lead.user)
    assert page.context["total"]["responses"] == sum(world.fx.cells.values())
    assert get(world.lead.user, unit=world.unit_b.pk).status_code == 404
    assert get(world.lead.user, initiative=world.initiative_b.pk).status_code == 404
    assert get(world.lead.user, module=world.module_b.pk).status_code == 404
    assert get(world.lead.user, view=f"organisation-{world.org_b.pk}").status_code == 404
    assert get(world.lead_b.user, unit=world.unit1.pk).status_code == 404
    b = get(world.lead_b.user)
    assert b.context["total"]["responses"] == 9


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "x"},
        {"module": "1e3"},
        {"from": "2026-13"},
        {"to": "march"},
        {"gender": "robot"},
        {"role": "-1"},
    ],
)
def test_bad_input_is_400(world: Any, params: dict[str, str]) -> None:
    assert get(world.lead.user, **params).status_code == 400


def test_months_in_the_wrong_order(world: Any) -> None:
    response = get(world.lead.user, **{"from": "2026-03", "to": "2026-01"})
    assert response.status_code == 400
    assert "The first month is after the last one." in response.content.decode()


def test_hidden_figures_say_so_and_never_zero(world: Any) -> None:
    page = get(world.lead.user, unit=world.unit2.pk, gender="other")
    html = page.content.decode()
    rows = page.context["module_rows"] + page.context["month_rows"] + [page.context["total"]]
    assert any(r["hidden"] for r in rows), "pick a filter that hides something"
    assert "fewer than 5 answers" in html
    for row in rows:
        if row["hidden"]:
            assert row["responses"] is None and "cells" not in row


def test_comments_only_behind_a_shown_figure(world: Any) -> None:
    page = get(world.lead.user)
    shown = {r["key"] for r in page.context["module_rows"] if r["responses"]}
    assert shown == {"M1", "M2"}
    comments = page.context["comments"]
    assert [c["label"].split()[0] for c in comments] == ["M1", "M2"]
    for c in comments:
        assert c["texts"] == sorted(c["texts"])
    # every comment of the page belongs to the shown module's answers with a person
    assert all(t.startswith(c["label"].split()[0]) for c in comments for t in c["texts"])
    # a filter whose module figures are hidden shows no comment at all
    rng = random.Random(1)
    roles = list(Role.objects.filter(organisation=world.org_a))
    for unit, role, gender in rng.sample(
        list(
            itertools.product(
                [world.unit1, world.unit2, world.unit3, world.dep2], roles, ["woman", "man", "other"]
            )
        ),
        30,
    ):
        page = get(world.lead.user, unit=unit.pk, role=role.pk, gender=gender)
        shown = {r["key"] for r in page.context["module_rows"] if r["responses"]}
        assert {c["label"].split()[0] for c in page.context["comments"]} <= shown
        for c in page.context["comments"]:
            for text in c["texts"]:
                assert f" {role.name} {gender} " in text
    # aggregates-only viewers get no free text
    assert get(world.evaluator).context["comments"] == []
    assert get(world.top.user).context["comments"] == []


def test_added_questions_behind_the_gate(world: Any) -> None:
    scale = Question.objects.create(organisation=world.org_a, initiative=world.lyft, text="Lagom långt?")
    text = Question.objects.create(
        organisation=world.org_a, initiative=world.lyft, text="Vad saknades?", kind=Question.Kind.TEXT
    )
    m2 = world.fx.modules["M2"].pk
    given = [
        Given(
            m2,
            dt.date(2026, 2, 5),
            Where(world.unit1.pk, world.employee.role_id, "woman"),
            motivated=3,
            extra={scale.pk: 3 + i % 2, text.pk: f"svar {i}"},
        )
        for i in range(6)
    ]
    given.append(
        Given(
            m2,
            dt.date(2026, 2, 5),
            Where(world.unit3.pk, world.employee.role_id, "man"),
            motivated=3,
            extra={scale.pk: 1},
        )
    )
    store_answers(world.org_a.pk, given)
    page = get(world.project_leader.user, initiative=world.lyft.pk)
    found = {q.question.text: q for q in page.context["questions"]}
    assert found["Lagom långt?"].answers == 7
    assert found["Lagom långt?"].positive_share == pytest.approx(6 / 7)
    assert found["Vad saknades?"].texts == sorted(f"svar {i}" for i in range(6))
    # narrowed to DEP2, the total may be shown but the question has fewer than k answers
    narrow = get(world.lead.user, initiative=world.lyft.pk, unit=world.dep2.pk)
    for q in narrow.context["questions"]:
        assert q.answers is None and q.texts is None
    # no question is read when the total is hidden
    hidden = get(
        world.lead.user,
        initiative=world.lyft.pk,
        unit=world.unit3.pk,
        gender="man",
        role=world.employee.role_id,
    )
    if hidden.context["total"]["responses"] is None:
        assert hidden.context["questions"] == []
    evaluator = get(world.evaluator, initiative=world.lyft.pk)
    assert all(q.texts is None for q in evaluator.context["questions"])


def test_the_checklist_links_to_the_results(world: Any) -> None:
    Request.objects.create(
        organisation=world.org_a,
        person=world.employee,
        module=world.fx.modules["M1"],
        session=world.session,
        occurred_on=dt.date(2026, 3, 1),
        opens_on=dt.date(2026, 3, 1),
        closes_on=dt.date(2026, 3, 14),
        sent_on=dt.date(2026, 3, 1),
    )
    response = client_for(world.lead.user).get(f"/learning/initiatives/{world.other.pk}/")
    html = response.content.decode()
    assert f"{URL}?initiative={world.other.pk}" in html
    assert "evaluations sent for 1 of 1 session held" in html
    lyft = (
        client_for(world.project_leader.user).get(f"/learning/initiatives/{world.lyft.pk}/").content.decode()
    )
    assert "evaluations sent for 0 of 0 sessions held" in lyft
    followed = get(world.project_leader.user, initiative=world.lyft.pk)
    assert followed.status_code == 200 and followed.context["initiative"] == world.lyft


# --- differencing the page's filters ------------------------------------------------------------


def page_filters(world: Any, query: Any) -> Filters:
    codes = {m.pk: code for code, m in world.fx.modules.items()}
    return Filters(
        modules=frozenset(codes[m] for m in query.modules if m in codes)
        if query.modules is not None
        else None,
        unit=query.unit.pk if query.unit is not None else None,
        role=query.role_name,
        gender=query.gender,
        month_from=query.month_from.strftime("%Y-%m") if query.month_from else None,
        month_to=query.month_to.strftime("%Y-%m") if query.month_to else None,
    )


@pytest.mark.parametrize("who", ["lead", "manager", "trainer", "project_leader"])
def test_differencing_the_page_gives_nothing_away(world: Any, who: str) -> None:
    user = getattr(world, who).user
    client = client_for(user)
    first = client.get(URL)
    units = (
        [None, *[u.pk for u in first.context["units"]]]
        if who != "manager"
        else [u.pk for u in first.context["units"]]
    )
    roles = [None, *[r.pk for r in Role.objects.filter(organisation=world.org_a, name__in=world.fx.roles)]]
    modules = [None, *[m.pk for m in first.context["modules"] if m.code in world.fx.modules]]
    months = [
        (None, None),
        ("2026-01", "2026-01"),
        ("2026-02", "2026-03"),
        ("2026-03", None),
        (None, "2026-02"),
    ]
    every = list(itertools.product(units, roles, [None, "woman", "man", "other"], modules, months))
    attack = Attack(world.fx, world.org_a.anonymity_threshold)
    for unit, role, gender, module, (start, end) in random.Random(5).sample(every, min(len(every), 160)):
        params = {"unit": unit, "role": role, "gender": gender, "module": module, "from": start, "to": end}
        response = client.get(URL, {k: v for k, v in params.items() if v is not None})
        assert response.status_code == 200, params
        for query, figure in response.context["results"]["figures"]:
            filters = page_filters(world, query)
            attack.add(figure, attack.vector(lambda c, f=filters: matches(world.fx, c, f)), f"{who} {params}")
    assert attack.shown
    assert attack.leaks() == []


def test_an_adopted_module_is_in_the_filters_and_counts_only_the_adopters_answers(world: Any) -> None:
    from kompetenslyft.evaluation.reports import build_evaluation
    from kompetenslyft.learning.module_services import module_adopt, module_share

    # Before it is adopted the module is another organisation's: not offered, a 404.
    assert world.module_b not in list(get(world.lead.user).context["modules"])
    module_share(module=world.module_b, shared=True)
    module_adopt(organisation=world.org_a, module=world.module_b)
    store_answers(
        world.org_a.pk,
        [Given(world.module_b.pk, dt.date(2026, 2, 3), Where(), motivated=2) for _ in range(6)],
    )
    page = get(world.lead.user)
    assert world.module_b in list(page.context["modules"])
    filtered = get(world.lead.user, module=world.module_b.pk)
    assert filtered.status_code == 200
    assert filtered.context["total"]["responses"] == 6  # Alfa's own answers, not Beta's nine
    report = build_evaluation(organisation="alpha", module="MB")
    assert report["total"]["responses"] == 6
    # The owner's results of its own module stay its own.
    assert get(world.lead_b.user, module=world.module_b.pk).context["total"]["responses"] == 9
