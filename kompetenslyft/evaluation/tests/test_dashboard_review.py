"""The reviewers' findings on the dashboard and the results page, each held by a test: rows that
add up with anonymous answers, no 0 % of no answers, bad and huge month ranges, the same
protected participants as the funder report, the lead's assigned count, targets only for the
whole initiative, answered counts hidden with their figure, short Excel sheet names, texts."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_evaluation import evaluation_total
from kompetenslyft.evaluation.dashboard_page import build_page
from kompetenslyft.evaluation.dashboard_participation import participation
from kompetenslyft.evaluation.services import Given, Where, store_answers
from kompetenslyft.learning.models import Module
from kompetenslyft.learning.reports import FunderScope, protected_funder_figures

from .dashboard_data import DAY, dashboard_data

URL = "/evaluation/dashboard/"
RESULTS = "/evaluation/results/"


@pytest.fixture
def data(network: Any) -> Any:
    return dashboard_data(network)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _section(page: Any, ident: str) -> Any:
    return next(s for s in page.sections if s.ident == ident)


def _anonymous(data: Any, n: int, day: dt.date) -> None:
    store_answers(
        data.org_a.pk,
        [Given(data.module.pk, day, Where(), motivated=4, level=3, method_good=4, important=4, will_use=4)]
        * n,
    )


def test_module_and_month_rows_add_up_with_anonymous_answers(data: Any) -> None:
    """Imported answers without a person count in every row of the dashboard, as in its total."""
    from kompetenslyft.evaluation.dashboard import forget_memo

    _anonymous(data, 6, DAY + dt.timedelta(days=62))  # a month of its own, anonymous only
    forget_memo()
    page = build_page(Filters(data.org_a, initiative=data.initiative), exact=True)
    shares = _section(page, "shares").table.rows
    total = shares[0][1].value
    assert total == 26
    assert sum(row[1].value for row in shares[1:]) == total
    months = _section(page, "trend").table.rows
    assert [row[0].value for row in months] == ["2026-03", "2026-04", "2026-05"]
    assert sum(row[1].value or 0 for row in months) == total
    assert months[2][1].value == 6  # the anonymous answers' month is there


def test_no_answers_is_no_share(data: Any) -> None:
    """A module with requests and no answer, and a month without answers inside the period:
    "–" for the shares and the level split, never 0 %; months only from the first to the last
    with answers."""
    other = Module.objects.create(
        organisation=data.org_a,
        code="M2",
        name="Lathundar",
        category="c",
        level="basic",
        format="onsite",
        hours=1,
    )
    data.initiative.modules.add(other)
    from kompetenslyft.evaluation.dashboard import forget_memo
    from kompetenslyft.evaluation.models import Request

    Request.objects.create(
        organisation=data.org_a,
        person=data.lead,
        module=other,
        occurred_on=DAY,
        opens_on=DAY,
        closes_on=DAY + dt.timedelta(days=14),
    )
    _anonymous(data, 5, DAY + dt.timedelta(days=92))  # 2026-06: 2026-05 has none
    forget_memo()
    filters = Filters(data.org_a, initiative=data.initiative, month_from=dt.date(2025, 1, 1))
    page = build_page(filters, exact=True)
    shares = _section(page, "shares")
    row = next(r for r in shares.table.rows if r[0].value == "Lathundar")
    assert row[1].value == 0
    assert [v.text("hidden") for v in row[2:]] == ["–"] * 4
    levels = next(r for r in _section(page, "levels").table.rows if r[0].value == "Lathundar")
    assert [v.text("hidden") for v in levels[2:]] == ["–"] * 3
    chart = str(shares.chart).split("Lathundar", 1)[1]
    assert "no answers" in chart and "%" not in chart
    html_row = shares.table_html().split("Lathundar", 1)[1].split("</tr>")[0]
    assert "%" not in html_row and html_row.count("–") == 4
    months = _section(page, "trend").table.rows
    assert [r[0].value for r in months] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    assert months[2][1].value == 0 and months[2][2].text("hidden") == "–"
    html = client_for(data.lead.user).get(URL, {"initiative": data.initiative.pk}).content.decode()
    assert "0,0 %" not in html.split("Lathundar", 2)[-1].split("</tr>")[0]


def test_funder_page_says_no_answers_rather_than_zero(data: Any) -> None:
    from kompetenslyft.learning.funder_export import evaluation_rows

    rows = evaluation_rows(
        {"evaluations": evaluation_total(Filters(data.org_a, month_to=dt.date(2020, 1, 1)))}
    )
    assert rows[0][1] == 0
    assert [(value, share) for _label, value, share in rows[1:]] == [("–", False)] * 7


@pytest.mark.parametrize(
    "params",
    [
        {"from": "0000-01"},
        {"to": "0000-12"},
        {"from": "2026-05", "to": "2026-01"},
        {"from": "0001-01", "to": "9999-12"},
    ],
)
def test_bad_or_huge_month_ranges_are_400(data: Any, params: dict[str, str]) -> None:
    lead = client_for(data.lead.user)
    assert lead.get(URL, params).status_code == 400
    query = "&".join(f"{k}={v}" for k, v in params.items())
    export = lead.post(reverse("evaluation:dashboard_export_start"), {"kind": "xlsx", "query": query})
    assert export.status_code == 400


def test_results_page_refuses_a_huge_range_and_clamps_a_long_one(data: Any) -> None:
    lead = client_for(data.lead.user)
    start = time.monotonic()
    assert lead.get(RESULTS, {"from": "0001-01", "to": "9999-12"}).status_code == 400
    response = lead.get(RESULTS, {"from": "2010-01", "to": "2029-12"})  # 240 months
    assert response.status_code == 200
    assert time.monotonic() - start < 10
    html = response.content.decode()
    # Only the months with data are listed (clamped to the data, no empty years).
    assert '<th scope="row">2026-03</th>' in html
    assert '<th scope="row">2010-01</th>' not in html and '<th scope="row">2029-12</th>' not in html
    assert len(response.content) < 200_000
    assert lead.get(RESULTS, {"from": "0000-01"}).status_code == 400


def test_an_export_stores_its_query_so_that_it_parses_back(data: Any) -> None:
    from django.http import QueryDict

    from kompetenslyft.core.access import access_for
    from kompetenslyft.evaluation.dashboard_views import _query_of, parse_filters

    filters = Filters(data.org_a, month_from=dt.date(999, 1, 1), month_to=dt.date(1010, 12, 1))
    query = _query_of(filters)
    assert "from=0999-01" in query and "to=1010-12" in query
    again, _choices = parse_filters(access_for(data.lead.user), QueryDict(query))
    assert (again.month_from, again.month_to) == (filters.month_from, filters.month_to)


def test_protected_participants_are_the_funder_reports(data: Any) -> None:
    """Top management and the evaluator see on the dashboard exactly what the funder report
    shows them for the same initiative, unit, role and gender."""
    keys = {"total": "total", "woman": "women", "man": "men", "other": "other_or_unspecified"}
    compared = 0
    for unit in (None, data.admin_a, data.dep1, data.unit1, data.unit3):
        for role in (None, data.nurse, data.assistant):
            for gender in (None, "woman", "man"):
                filters = Filters(data.org_a, unit=unit, initiative=data.initiative, role=role, gender=gender)
                people = participation(filters, exact=False)
                funder = protected_funder_figures(
                    FunderScope([data.org_a], data.initiative, None, None, unit, role, None, gender)
                )
                for key, funder_key in keys.items():
                    if gender is not None and key not in ("total", gender):
                        continue
                    assert people.participants[key] == funder["unique_participants"][funder_key], (
                        unit,
                        role,
                        gender,
                        key,
                    )
                    compared += people.participants[key] is not None
                assert people.hours["total"] == funder["training_hours"]
    assert compared > 20
    # The funder page itself shows the evaluator the same total.
    from django.contrib.auth import get_user_model

    evaluator = client_for(get_user_model().objects.get(username="evaluator"))
    people = participation(Filters(data.org_a, initiative=data.initiative), exact=False)
    funder_page = evaluator.get(reverse("learning:funder"), {"initiative": data.initiative.code})
    assert f'<td class="num">{people.participants["total"]}</td>' in funder_page.content.decode()


def test_lead_sees_assigned_for_the_whole_organisation_the_same_everywhere(data: Any) -> None:
    from kompetenslyft.learning.models import Proposal
    from kompetenslyft.org.models import Person

    # Proposals of the initiative; the lead looks at the organisation with no initiative chosen.
    for person in Person.objects.filter(organisation=data.org_a).order_by("pk")[:7]:
        Proposal.objects.create(initiative=data.initiative, person=person, unit=person.unit, assigned=1)
    people = participation(Filters(data.org_a), exact=True)
    assert people.assigned == 7
    page = build_page(Filters(data.org_a), exact=True)
    completion = _section(page, "completion")
    assigned = completion.table.rows[0][1]
    assert assigned.value == 7 and not assigned.hidden and not assigned.blank
    assert "hidden" not in str(completion.chart) and ">7<" in str(completion.chart)
    from openpyxl import load_workbook

    from kompetenslyft.evaluation.dashboard_exports import xlsx_of

    workbook = load_workbook(io.BytesIO(xlsx_of(page)))
    sheet = workbook[completion.short_title]
    assert any(row[:2] == ("Assigned a module", 7) for row in sheet.iter_rows(values_only=True))


def test_targets_only_for_the_whole_initiative(data: Any) -> None:
    whole = build_page(Filters(data.org_a, initiative=data.initiative), exact=True)
    rows = _section(whole, "participants").table.rows
    assert rows[0][3].value == 40
    assert len(_section(whole, "goals").table.columns) == 3
    narrow = build_page(
        Filters(data.org_a, unit=data.unit1, initiative=data.initiative, role=data.assistant, gender="woman"),
        exact=True,
    )
    participants = _section(narrow, "participants")
    assert all(row[3].value is None and row[3].blank for row in participants.table.rows)
    assert "whole initiative" in participants.note
    assert "stroke-dasharray" not in str(participants.chart)
    goals = _section(narrow, "goals")
    assert goals.table.columns[-1] == "Target for the whole initiative" and "whole initiative" in goals.note
    assert all(len(row) == 2 for row in goals.table.rows)


def test_answered_is_hidden_where_the_evaluation_figure_is(data: Any) -> None:
    """The response-rate table's "answered" and rate are shown exactly where the evaluation
    figure of the same module and filters is."""
    seen = {True: 0, False: 0}
    for exact in (True, False):
        for unit in (None, data.admin_a, data.unit1, data.unit2, data.dep2):
            for gender in (None, "woman", "man"):
                filters = Filters(data.org_a, unit=unit, initiative=data.initiative, gender=gender)
                page = build_page(filters, exact=exact)
                row = _section(page, "rates").table.rows[0]
                figure = evaluation_total(filters, data.module)
                shown = figure["responses"] is not None
                if exact:  # the lead's requests are exact: answered goes with the figure
                    assert (row[2].value is not None) == shown, (unit, gender)
                elif not shown:  # the request release may hide more, never less
                    assert row[2].value is None and row[3].value is None, (unit, gender)
                seen[shown] += 1
    assert seen[True] and seen[False]


def test_excel_sheets_have_short_unique_names_and_say_what_does_not_apply(data: Any) -> None:
    from openpyxl import load_workbook

    from kompetenslyft.evaluation.dashboard_exports import xlsx_of

    page = build_page(Filters(data.org_a, initiative=data.initiative, gender="woman"), exact=True)
    workbook = load_workbook(io.BytesIO(xlsx_of(page)))
    names = workbook.sheetnames
    assert len(set(n.lower() for n in names)) == len(names) == len(page.sections)
    assert all(len(n) <= 31 for n in names)
    assert names == [s.short_title for s in page.sections]
    for section, name in zip(page.sections, names, strict=True):
        rows = [r for r in workbook[name].iter_rows(values_only=True)]
        assert rows[0][0] == section.title
        assert ("Period", "whole period") in [r[:2] for r in rows]
    for name in ("Movement", "Gap over time"):
        text = " ".join(str(r[0]) for r in workbook[name].iter_rows(values_only=True) if r[0])
        assert "the gender and period filters do not apply" in text
    movement = _section(page, "movement")
    assert movement.table.columns[-1] == "Change, percentage points"


def test_the_movement_column_is_a_noun_in_swedish_and_norwegian() -> None:
    """ "Change" stays the verb of the language button ("Ändra"); the movement table's column and
    the import preview's have msgids of their own, translated as nouns."""
    from pathlib import Path

    from django.utils import translation
    from django.utils.translation import gettext

    import kompetenslyft

    for language, noun in (("sv", "Förändring"), ("nb", "Endring")):
        with translation.override(language):
            assert gettext("Change, percentage points").startswith(noun)
            assert gettext("Kind of change") == noun
    with translation.override("sv"):
        assert gettext("Change") == "Ändra"  # the language button's verb stays
    preview = Path(kompetenslyft.__file__).parent / "org/templates/org/import_preview.html"
    assert '{% translate "Change" %}' not in preview.read_text(encoding="utf-8")


def test_results_page_has_one_heading_per_table(data: Any) -> None:
    html = client_for(data.lead.user).get(RESULTS).content.decode()
    assert "<caption>" not in html
    assert 'aria-labelledby="per-module"' in html and 'aria-labelledby="per-month"' in html


@pytest.mark.parametrize("who", ["lead", "evaluator"])
def test_funder_report_shows_each_modules_evaluations_as_the_module_filter_does(data: Any, who: str) -> None:
    """The initiative's evaluation total can be hidden (one module's small group would come out
    of it); each module's own figures are shown beside it, as the module filter shows them."""
    from django.utils.html import escape
    from openpyxl import load_workbook

    from kompetenslyft.learning.reports import evaluation_figures

    other = Module.objects.create(organisation=data.org_a, code="M-NONE", name="Ingen svar", hours=1)
    data.initiative.modules.add(other)
    user = data.lead.user if who == "lead" else data.evaluator
    client = client_for(user)
    query = {"initiative": data.initiative.code}
    html = client.get(reverse("learning:funder"), query).content.decode()
    table = html.split('id="evaluations-per-module"', 1)[1].split("</table>", 1)[0]
    rows = {row.split("</th>")[0].rsplit(">", 1)[1]: row for row in table.split("<tr>")[2:]}
    assert set(rows) == {
        escape(f"{data.module.code} {data.module.name}"),
        "M-NONE Ingen svar",
    }
    scope = FunderScope([data.org_a], data.initiative, module=data.module)
    expected = evaluation_figures(scope)["responses"]
    own = next(row for name, row in rows.items() if name.startswith(data.module.code))
    cells = [c.split("<", 1)[0] for c in own.split('<td class="num">')[1:]]
    assert cells[0] == (str(expected) if expected is not None else "hidden*")
    none = [c.split("<", 1)[0] for c in rows["M-NONE Ingen svar"].split('<td class="num">')[1:]]
    assert none == ["0"] + ["–"] * 7  # no answers: no share of them
    book = load_workbook(
        io.BytesIO(client.get(reverse("learning:funder"), {**query, "format": "xlsx"}).content)
    )
    sheet = next(sh for sh in book.worksheets if sh.max_column == 9)  # the one of nine columns
    assert sheet.title == "Utvärderingar per modul"  # the export speaks the person's language
    values = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["M-NONE Ingen svar"] == 0
    # A module chosen: the per-module table is not repeated.
    chosen = client.get(reverse("learning:funder"), {**query, "module": other.pk}).content.decode()
    assert 'id="evaluations-per-module"' not in chosen
