"""The dashboard: its figures on a fixture, who may open it and what each viewer sees, and that
no figure family on the page gives away a small group by differencing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_evaluation import response_rates
from kompetenslyft.evaluation.dashboard_page import build_page
from kompetenslyft.evaluation.dashboard_participation import participation
from kompetenslyft.learning.models import Initiative

from .dashboard_data import dashboard_data

K = 5
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def data(network: Any) -> Any:
    return dashboard_data(network)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


URL = "/evaluation/dashboard/"


def test_url_name() -> None:
    assert reverse("evaluation:dashboard") == URL


def test_lead_sees_exact_figures(data: Any) -> None:
    page = build_page(Filters(data.org_a, initiative=data.initiative), exact=True)
    people = participation(Filters(data.org_a, initiative=data.initiative), exact=True)
    # The fixture's homes plus the network's four people in them (women).
    assert people.participants["total"] == 9 + 3 + 2 + 6 + 1 + 8 + 4 + 3 + 4
    assert people.participants["woman"] == 9 + 2 + 6 + 8 + 3 + 4
    assert people.participants["man"] == 3 + 1 + 4
    assert people.hours["total"] == pytest.approx(2.5 * 40)
    assert people.completed["total"] == len([i for i in range(40) if i % 3])
    assert people.target_count == 40
    assert people.target_women == pytest.approx(28)
    rates = response_rates(Filters(data.org_a), [data.module], exact=True)
    assert rates[0].requests == 40 and rates[0].answered == 30
    titles = [s.ident for s in page.sections]
    assert titles == [
        "participants",
        "completion",
        "goals",
        "rates",
        "shares",
        "levels",
        "trend",
        "movement",
        "closing",
    ]
    shares = page.sections[titles.index("shares")].table.rows
    assert shares[0][1].value == 20
    # 30 requests answered, 20 answers counted: the shares and levels say why.
    for ident in ("shares", "levels"):
        assert "left out of these figures" in page.sections[titles.index(ident)].note


def test_no_note_of_answers_left_out_when_every_answer_counts(data: Any) -> None:
    from kompetenslyft.evaluation.dashboard import forget_memo
    from kompetenslyft.evaluation.models import Request

    answered = Request.objects.filter(module=data.module, answered_on__isnull=False).order_by("pk")
    Request.objects.filter(pk__in=list(answered.values_list("pk", flat=True)[20:])).update(answered_on=None)
    forget_memo()
    page = build_page(Filters(data.org_a, initiative=data.initiative), exact=True)
    notes = {s.ident: s.note for s in page.sections}
    assert notes["shares"] == notes["levels"] == ""
    html = client_for(data.lead.user).get(URL, {"initiative": data.initiative.pk}).content.decode()
    assert "left out of these figures" not in html


def test_page_renders_for_the_lead_with_charts_and_tables(data: Any) -> None:
    response = client_for(data.lead.user).get(URL, {"initiative": data.initiative.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('role="img"') == 9
    assert html.count("<caption>") == 9
    assert "<b>&amp;" not in html.replace("&lt;b&gt;&amp;amp;", "")  # the module name is escaped
    assert "Dokumentation &lt;b&gt;" in html
    assert 'href="/evaluation/dashboard/"' in html  # in the menu


@pytest.mark.parametrize("username", ["top", "evaluator", "projectleader"])
def test_aggregate_viewers_open_it(data: Any, username: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    response = client_for(user).get(URL)
    assert response.status_code == 200
    assert 'href="/evaluation/dashboard/"' in response.content.decode()


@pytest.mark.parametrize("username", ["employee", "manager", "trainer"])
def test_others_do_not(data: Any, username: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    response = client_for(user).get(URL)
    assert response.status_code == 404
    assert 'href="/evaluation/dashboard/"' not in client_for(user).get("/").content.decode()


def test_another_organisation_is_404(data: Any) -> None:
    other = client_for(data.lead_b.user)
    assert other.get(URL, {"organisation": data.org_a.pk}).status_code == 404
    assert other.get(URL, {"initiative": data.initiative.pk}).status_code == 404
    assert other.get(URL, {"unit": data.unit1.pk}).status_code == 404
    assert other.get(URL, {"module": data.module.pk}).status_code == 404


def test_project_leader_of_another_initiative(data: Any) -> None:
    other = Initiative.objects.create(organisation=data.org_a, code="annat", name="Annat")
    leader = client_for(data.project_leader.user)
    assert leader.get(URL, {"initiative": other.pk}).status_code == 404
    assert leader.get(URL, {"initiative": data.initiative.pk}).status_code == 200
    data.initiative.owners.clear()
    response = leader.get(URL)
    assert response.status_code == 200 and 'role="img"' not in response.content.decode()
    assert leader.get(URL, {"initiative": data.initiative.pk}).status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "x"},
        {"role": "1.5"},
        {"gender": "alien"},
        {"from": "2026-13"},
        {"to": "26-01"},
        {"module": "²"},
    ],
)
def test_bad_input_is_400(data: Any, params: dict[str, str]) -> None:
    assert client_for(data.lead.user).get(URL, params).status_code == 400


def _figures(data: Any, unit: Any, role: Any, gender: Any) -> dict[str, int | None]:
    from kompetenslyft.assessment.models import LATEST
    from kompetenslyft.evaluation.dashboard_evaluation import evaluation_total
    from kompetenslyft.evaluation.dashboard_gap import gap

    filters = Filters(data.org_a, unit=unit, initiative=data.initiative, role=role, gender=gender)
    people = participation(filters, exact=False)
    rate = response_rates(filters, [data.module], exact=False)[0]
    gap_figures = gap(filters, exact=False)
    out: dict[str, int | None] = {
        "participants": people.participants["total"],
        "requests": rate.requests,
        "responses": evaluation_total(filters)["responses"],
        "completed": people.completed["total"],
        "hours": people.hours["total"],
        "assigned": people.assigned,
    }
    for competence in gap_figures.competences:
        for point in (0, 1, LATEST):
            out[f"gap {competence.code} {point}"] = gap_figures.cells[(point, competence.pk)].assessed
    return out


def test_no_small_group_and_no_differencing_for_aggregate_viewers(data: Any) -> None:
    """Every figure family the page shows an evaluator, over every unit, role and gender: no
    shown figure under k, and no difference of a figure and a narrower one (a unit minus a unit
    below it, no filter minus a filter) under k."""
    units = [None, data.admin_a, data.dep1, data.dep2, data.unit1, data.unit2, data.unit3]
    roles = [None, data.nurse, data.assistant]
    genders = [None, "woman", "man", "other"]
    seen: dict[tuple[Any, Any, Any], dict[str, int | None]] = {}
    for unit in units:
        for role in roles:
            for gender in genders:
                seen[(unit, role, gender)] = _figures(data, unit, role, gender)

    def inside(a: Any, b: Any) -> bool:
        return b is None or (a is not None and a.path.startswith(b.path))

    shown = 0
    for key, figures in seen.items():
        for family, value in figures.items():
            assert value is None or value == 0 or value >= K, (key, family, value)
            shown += value is not None
    assert shown > 50  # the test looks at something
    for (u1, r1, g1), small in seen.items():
        for (u2, r2, g2), large in seen.items():
            if (u1, r1, g1) == (u2, r2, g2):
                continue
            if not (inside(u1, u2) and r2 in (None, r1) and g2 in (None, g1)):
                continue
            for family, a in small.items():
                b = large.get(family)
                if a is None or b is None:
                    continue
                assert b - a == 0 or b - a >= K, (family, (u1, r1, g1), (u2, r2, g2), a, b)


def test_evaluator_page_shows_no_small_group(data: Any) -> None:
    from django.contrib.auth import get_user_model

    evaluator = client_for(get_user_model().objects.get(username="evaluator"))
    for params in ({}, {"unit": data.dep2.pk}, {"role": data.nurse.pk, "gender": "man"}):
        response = evaluator.get(URL, params)
        assert response.status_code == 200
    # One male nurse in all: every figure of that group is hidden, and says so.
    html = response.content.decode()
    # A short mark in each hidden cell, what it means said once under each table that has one.
    assert html.count('class="hidden-figure"') >= 5
    assert html.count('class="muted hidden-note"') >= 1
    note = "(färre än 5" if "(färre än 5" in html else "(fewer than 5"
    assert html.count(note) == html.count('class="muted hidden-note"')


def test_export_runs_as_a_task_for_the_one_who_asked(
    data: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import io

    from django.contrib.auth import get_user_model
    from openpyxl import load_workbook

    from kompetenslyft.evaluation.models import ExportJob

    lead = client_for(data.lead.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(
            reverse("evaluation:dashboard_export_start"),
            {"kind": "xlsx", "query": f"initiative={data.initiative.pk}&gender=woman"},
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/export/{job.pk}/")
    assert job.status == ExportJob.Status.DONE and job.progress == 100
    page = lead.get(response["Location"])
    assert page.status_code == 200 and "http-equiv" not in page.content.decode()
    download = lead.get(reverse("evaluation:dashboard_export_file", args=[job.pk]))
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(download.content))
    assert len(workbook.sheetnames) == 9
    sheet = workbook[workbook.sheetnames[0]]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert any(row[0] == "Period" for row in values if row)
    assert any(row[1] in ("kvinnor", "women") for row in values if row)  # in the asker's language
    percent_cells = [
        c
        for name in workbook.sheetnames
        for row in workbook[name].iter_rows()
        for c in row
        if c.number_format == "0.0%"
    ]
    assert percent_cells
    # Nobody else follows or downloads it.
    evaluator = client_for(get_user_model().objects.get(username="evaluator"))
    assert evaluator.get(response["Location"]).status_code == 404
    assert evaluator.get(reverse("evaluation:dashboard_export_file", args=[job.pk])).status_code == 404
    # PDF, with the charts in it.
    with django_capture_on_commit_callbacks(execute=True):
        lead.post(reverse("evaluation:dashboard_export_start"), {"kind": "pdf", "query": ""})
    pdf = ExportJob.objects.filter(kind="pdf").get()
    assert pdf.status == ExportJob.Status.DONE
    assert bytes(pdf.content).startswith(b"%PDF")
    # Purged after a day.
    from kompetenslyft.evaluation.dashboard_exports import exports_purge

    ExportJob.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert exports_purge() == 2


def test_other_apps_add_sections_after_the_evaluations_own(data: Any) -> None:
    from kompetenslyft.evaluation import dashboard_page
    from kompetenslyft.evaluation.dashboard_page import Section, SectionContext, Table, register_sections

    seen: list[SectionContext] = []

    def builder(context: SectionContext) -> list[Section]:
        seen.append(context)
        table = Table("Effect", ["Unit", "Share"], [])
        return [Section("effect", "Effect", "A section of another app", dashboard_page.mark_safe(""), table)]

    register_sections(builder)
    register_sections(builder)  # twice is harmless
    try:
        page = build_page(Filters(data.org_a, initiative=data.initiative), exact=False)
    finally:
        dashboard_page._extra_sections.remove(builder)
    assert [s.ident for s in page.sections][-1] == "effect"
    assert [s.ident for s in page.sections].count("effect") == 1
    assert len(seen) == 1 and seen[0].exact is False and seen[0].filters.initiative == data.initiative
    assert page.sections[-1].hidden_text == seen[0].hidden


def test_an_aggregate_viewers_assigned_figure_answers_the_role_filter_or_is_not_shown(data: Any) -> None:
    # The people assigned are released by units × gender only: with a role chosen, the figure
    # of every role is not shown as if it were that role's (it was: 838 for one role).
    role = data.employee.role
    with_role = participation(Filters(data.org_a, initiative=data.initiative, role=role), exact=False)
    assert with_role.assigned is None


def test_the_gap_closing_over_time_gives_each_point_its_period_in_the_pages_language(data: Any) -> None:
    """The review: "the gap closing over time" listed measurement points 0 and 1 with no date."""
    from django.utils import timezone, translation

    from kompetenslyft.assessment import gaps
    from kompetenslyft.assessment.models import Answer

    noon = dt.time(12)
    at = {0: dt.datetime(2026, 1, 12, 12), 1: dt.datetime(2026, 9, 2, 12)}
    for point, moment in at.items():
        Answer.objects.filter(measurement_point=point).update(measured_at=timezone.make_aware(moment))
    late = Answer.objects.filter(measurement_point=0).order_by("pk").first()
    Answer.objects.filter(pk=late.pk).update(  # type: ignore[union-attr]
        measured_at=timezone.make_aware(dt.datetime.combine(dt.date(2026, 2, 3), noon))
    )
    gaps.rebuild(data.org_a)

    def closing(language: str) -> Any:
        with translation.override(language):
            page = build_page(Filters(data.org_a), exact=False)
            return {s.ident: s for s in page.sections}["closing"]

    section = closing("sv")
    assert section.table.columns[:2] == ["Mätpunkt", "Period"]
    assert [(r[0].value, r[1].value) for r in section.table.rows] == [
        ("0", "2026-01-12 – 2026-02-03"),
        ("1", "2026-09-02"),
    ]
    assert ">2026-01-12</text>" in str(section.chart) and ">2026-09-02</text>" in str(section.chart)
    assert [r[1].value for r in closing("nb").table.rows] == ["12.01.2026 – 03.02.2026", "02.09.2026"]
    html = client_for(data.lead.user).get(URL, HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert '<td class="num">2026-01-12 – 2026-02-03</td>' in html
