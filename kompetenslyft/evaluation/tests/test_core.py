"""The write path and the results cube: answers stored apart from who gave them, the summary
kept current, totals and groups under the threshold rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from kompetenslyft.evaluation.models import Answer, Cell
from kompetenslyft.evaluation.results import Query, evaluation_results
from kompetenslyft.evaluation.services import Given, Where, store_answers
from kompetenslyft.evaluation.summary import publication_deferred, publish
from kompetenslyft.learning.models import Module

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def module(network: Any) -> Module:
    return Module.objects.create(
        organisation=network.org_a,
        code="M1",
        name="Dokumentation",
        category="c",
        level="basic",
        format="onsite",
        hours=2,
    )


def given(
    module: Module, unit: Any, role: Any, gender: str, motivated: int, n: int, day: dt.date = DAY
) -> list[Given]:
    return [
        Given(
            module.pk,
            day,
            Where(unit.pk, role.pk, gender),
            motivated=motivated,
            level=3,
            method_good=4,
            important=2,
            will_use=3,
        )
        for _ in range(n)
    ]


def test_shares_and_the_threshold(network: Any, module: Module) -> None:
    role = network.employee.role
    with publication_deferred():  # one batch, as one import or one closed session
        store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 4, 6))
        store_answers(network.org_a.pk, given(module, network.unit2, role, "man", 2, 4))
    assert Answer.objects.count() == 10
    assert sum(Cell.objects.values_list("responses", flat=True)) == 10
    result = evaluation_results([network.org_a], Query(), by="unit")
    assert result["threshold"] == 5
    total = result["total"]
    assert total["responses"] == 10
    assert total["motivated_share"] == pytest.approx(0.6)
    assert total["important_share"] == 0.0
    assert total["level"] == {"too_easy": 0.0, "right": 1.0, "too_hard": 0.0}
    # one top unit (ADM) holds everything: shown
    assert result["groups"] == [{"key": "ADM", **total}]
    below = evaluation_results([network.org_a], Query(unit=network.dep1), by="unit")
    groups = {g["key"]: g["responses"] for g in below["groups"]}
    # U2 has 4: hidden, and U1 with it (else DEP1 minus U1 gives U2)
    assert groups == {"U1": None, "U2": None, "direct": 0}
    assert below["total"]["responses"] == 10
    by_gender = {
        g["key"]: g["responses"] for g in evaluation_results([network.org_a], Query(), by="gender")["groups"]
    }
    assert by_gender["man"] is None
    assert by_gender["woman"] is None  # the men had to pool with the women to be shown at all


def test_answers_without_a_person_count_in_the_total_only(network: Any, module: Module) -> None:
    role = network.employee.role
    with publication_deferred():
        store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 4, 6))
        store_answers(network.org_a.pk, [Given(module.pk, DAY, Where(), motivated=1) for _ in range(5)])
    result = evaluation_results([network.org_a], Query(), by="module")
    assert result["total"]["responses"] == 11
    assert result["groups"] == [{"key": "M1", **result["groups"][0]}]
    assert result["groups"][0]["responses"] == 6
    assert evaluation_results([network.org_a], Query(gender="woman"))["total"]["responses"] == 6


def test_rows_of_an_occurrence_are_rewritten_in_random_order(network: Any, module: Module) -> None:
    role = network.employee.role
    for motivated in (1, 2, 3, 4, 1, 2, 3, 4):
        store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", motivated, 1))
    orders = set()
    for _ in range(6):
        store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 4, 1))
        orders.add(tuple(Answer.objects.order_by("pk").values_list("motivated", flat=True)))
    assert len(orders) > 1


def test_the_stored_cube_reads_back_the_same(network: Any, module: Module) -> None:
    from kompetenslyft.evaluation.cube import Cube, Scope, cube_for

    role = network.employee.role
    with publication_deferred():
        store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 4, 6))
        store_answers(network.org_a.pk, given(module, network.unit2, role, "man", 2, 7))
    cube = cube_for(network.org_a)
    again = Cube.from_bytes(network.org_a.pk, cube.threshold, cube.to_bytes())
    for scope in (Scope(), Scope(gender="man"), Scope(units=frozenset({network.unit1.pk}))):
        a, shown_a = cube.total(scope)
        b, shown_b = again.total(scope)
        assert list(a) == list(b) and shown_a == shown_b
    assert again.ancestry(network.unit1.pk) == cube.ancestry(network.unit1.pk)


def test_reading_a_figure_before_and_after_one_answer_tells_nothing(network: Any, module: Module) -> None:
    """The review's attack: the total before and after one person answers gave that answer.
    Published blocks never change; a new answer waits (hiding what it touches) until k more
    can be published as new blocks."""
    role = network.employee.role
    store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 4, 8))
    before = evaluation_results([network.org_a], Query(unit=network.unit1))["total"]
    assert before["responses"] == 8
    store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 1, 1))
    after = evaluation_results([network.org_a], Query(unit=network.unit1))["total"]
    assert after["responses"] is None  # not 9 with the one answer's share worked out
    # …and no other figure moves by one answer either
    for query in (Query(), Query(gender="woman"), Query(role_name=role.name), Query(unit=network.dep1)):
        shown = evaluation_results([network.org_a], query)["total"]["responses"]
        assert shown in (None, 8)
    for _ in range(4):
        store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 1, 1))
    later = evaluation_results([network.org_a], Query(unit=network.unit1))["total"]
    assert later["responses"] == 13  # 8 + a whole new block of 5
    assert later["motivated_share"] == pytest.approx(8 / 13)


def test_answers_wait_while_their_evaluation_is_open(network: Any, module: Module) -> None:
    """Answers of a session whose evaluation is still open (people still to answer) are in no
    figure; they are published together once everyone has answered or it closes."""
    import datetime as dt_

    from kompetenslyft.evaluation.models import Request

    role = network.employee.role
    today = dt_.date.today()
    people = [network.employee, network.colleague]
    for person in people:
        Request.objects.create(
            organisation=network.org_a,
            person=person,
            module=module,
            occurred_on=today,
            opens_on=today,
            closes_on=today + dt_.timedelta(days=14),
        )
    store_answers(network.org_a.pk, given(module, network.unit1, role, "woman", 4, 6, day=today))
    assert evaluation_results([network.org_a], Query())["total"]["responses"] == 0
    assert publish(network.org_a.pk, today=today) == 0
    assert publish(network.org_a.pk, today=today + dt_.timedelta(days=15)) == 6
    assert evaluation_results([network.org_a], Query())["total"]["responses"] == 6
