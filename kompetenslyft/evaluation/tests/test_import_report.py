"""`import evaluations` and `report evaluation` as formats.md defines them."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from kompetenslyft.core.importing import IMPORTERS, ImportRefused, import_file
from kompetenslyft.evaluation.models import Answer, Comment, ImportedFile, Request
from kompetenslyft.learning.models import Initiative, Module
from kompetenslyft.org.forms import ImportUploadForm
from kompetenslyft.org.models import Organisation

HEADER = "module_code,date,motivated,level,method_good,important,will_use,comment,employee_id,response_id\n"


@pytest.fixture
def modules(network: Any) -> tuple[Module, Module]:
    make = dict(category="c", level="basic", format="onsite", hours=2)
    return (
        Module.objects.create(organisation=network.org_a, code="M1", name="Dokumentation", **make),
        Module.objects.create(organisation=network.org_a, code="M2", name="Teams", **make),
    )


def run(text: str, org: Any, filename: str = "e.csv", **kwargs: Any) -> Any:
    content = text.encode() if isinstance(text, str) else text
    return import_file(kind="evaluations", content=content, filename=filename, organisation=org, **kwargs)


def report(capsys: Any, *args: str) -> dict[str, Any]:
    capsys.readouterr()
    call_command("report", "evaluation", "--format", "json", *args)
    return json.loads(capsys.readouterr().out)


def rows(
    n: int, *, module: str = "M1", day: str = "2026-03-10", prefix: str = "r", employee: str = ""
) -> str:
    return "".join(
        f"{module},{day},{1 + i % 4},{1 + i % 5},4,3,2,kommentar {i},{employee},{prefix}{i}\n"
        for i in range(n)
    )


def test_import_places_answers_and_marks_the_person(network: Any, modules: Any) -> None:
    employee = network.employee
    text = HEADER + rows(5) + f"M1,2026-03-10,4,3,4,4,4,Bra,{employee.employee_id},x1\n"
    result = run(text, network.org_a)
    assert result.counts["new"] == 6
    assert Answer.objects.count() == 6
    placed = Answer.objects.get(response_id="x1")
    assert (placed.unit_id, placed.role_id, placed.gender) == (employee.unit_id, employee.role_id, "woman")
    assert placed.month == dt.date(2026, 3, 1)
    # never the employee id with the answer
    assert employee.employee_id not in json.dumps(list(Answer.objects.values()), default=str)
    assert Comment.objects.filter(text="Bra").exists()
    request = Request.objects.get(person=employee)
    assert request.answered_on == dt.date(2026, 3, 10)
    assert request.occurred_on == dt.date(2026, 3, 10)
    anonymous = Answer.objects.exclude(response_id="x1")
    assert set(anonymous.values_list("unit_id", flat=True)) == {None}


def test_response_ids_key_rows(network: Any, modules: Any) -> None:
    run(HEADER + rows(5), network.org_a)
    again = run(HEADER + rows(7), network.org_a)
    assert again.counts == {"new": 2, "unchanged": 5}
    assert Answer.objects.count() == 7


def test_a_file_without_response_ids_imported_again_changes_nothing(network: Any, modules: Any) -> None:
    text = HEADER.replace(",response_id", "") + "".join(
        f"M1,2026-03-{10 + i},{1 + i % 4},3,,,,\n" for i in range(6)
    )
    first = run(text, network.org_a)
    assert first.counts["new"] == 6
    assert ImportedFile.objects.count() == 1
    # the same content reordered, as Excel, with a ; separator: still the same content
    lines = text.splitlines()
    reordered = (
        ";".join(lines[0].split(","))
        + "\n"
        + "\n".join(";".join(line.split(",")) for line in reversed(lines[1:]))
    )
    assert run(reordered, network.org_a).counts == {"unchanged": 6}
    book = openpyxl.Workbook()
    sheet = book.active
    for line in lines:
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    assert run(buffer.getvalue(), network.org_a, filename="e.xlsx").counts == {"unchanged": 6}
    assert Answer.objects.count() == 6


def test_dry_run_changes_nothing(network: Any, modules: Any) -> None:
    result = run(HEADER + rows(5, employee=""), network.org_a, dry_run=True)
    assert result.counts["new"] == 5
    assert Answer.objects.count() == 0 and ImportedFile.objects.count() == 0


def test_bad_rows_are_all_named_and_nothing_is_written(network: Any, modules: Any) -> None:
    text = HEADER + (
        "M1,2026-03-10,4,3,4,4,4,ok,,a1\n"
        "NOPE,2026-03-10,4,3,4,4,4,ok,,a2\n"
        "M1,10/3/2026,4,3,4,4,4,ok,,a3\n"
        "M1,2026-03-10,5,6,4,4,4,ok,,a4\n"
        "M1,2026-03-10,4,3,4,4,4,ok,NOBODY,a5\n"
        "M1,2026-03-10,4,3,4,4,4,ok,,a1\n"
        "M1,2026-03-10,,,,,,,,a7\n"
        "M1,2026-03-10,4,3,4,4,4,bad\x07text,,a8\n"
        "M1,2099-03-10,4,3,4,4,4,ok,,a9\n"
    )
    with pytest.raises(ImportRefused) as info:
        run(text, network.org_a)
    errors = {(e.row, e.column) for e in info.value.result.errors}
    assert errors == {
        (3, "module_code"),
        (4, "date"),
        (5, "motivated"),
        (5, "level"),
        (6, "employee_id"),
        (7, "response_id"),
        (8, "motivated"),
        (9, "comment"),
        (10, "date"),
    }
    message = next(e.message for e in info.value.result.errors if e.row == 7)
    assert "a1" in message and "row 2" in message
    assert Answer.objects.count() == 0 and Request.objects.count() == 0


def test_a_person_answers_an_occurrence_once(network: Any, modules: Any) -> None:
    eid = network.employee.employee_id
    text = HEADER + f"M1,2026-03-10,4,3,4,4,4,,{eid},b1\nM1,2026-03-10,3,3,4,4,4,,{eid},b2\n"
    with pytest.raises(ImportRefused) as info:
        run(text, network.org_a)
    assert [(e.row, e.column) for e in info.value.result.errors] == [(3, "employee_id")]
    run(HEADER + f"M1,2026-03-10,4,3,4,4,4,,{eid},b1\n", network.org_a)
    with pytest.raises(ImportRefused):
        run(HEADER + f"M1,2026-03-10,4,3,4,4,4,,{eid},b3\n", network.org_a)
    # an existing request (asked, not answered) is updated
    Request.objects.update(answered_on=None)
    run(HEADER + f"M1,2026-03-10,4,3,4,4,4,,{eid},b4\n", network.org_a)
    assert Request.objects.get().answered_on == dt.date(2026, 3, 10)


def test_request_ids_do_not_follow_the_file_order(network: Any, modules: Any) -> None:
    """The attack: an admin sorts the requests by id and the answers by response_id (the file's
    order) and pairs them by rank. With the requests written in an order of their own, that
    links no more answers to their person than chance (a random pairing: one on average)."""
    from kompetenslyft.org.tests.factories import PersonFactory

    count = 40
    people = PersonFactory.create_batch(count, unit=network.unit1, role=network.employee.role, gender="woman")
    text = HEADER + "".join(
        f"M1,2026-03-10,{1 + i % 4},3,4,4,4,,{person.employee_id},r{i:03d}\n"
        for i, person in enumerate(people)
    )
    run(text, network.org_a)
    given_by = {f"r{i:03d}": person.pk for i, person in enumerate(people)}
    answers = sorted(Answer.objects.values_list("response_id", flat=True))
    requests = list(Request.objects.order_by("pk").values_list("person_id", flat=True))
    assert len(answers) == len(requests) == count
    linked = sum(given_by[answer] == person for answer, person in zip(answers, requests, strict=True))
    # P(8 or more fixed points of a random permutation) < 1e-5; in file order all 40 link.
    assert linked < 8
    # nor does the reverse order link them
    linked_reversed = sum(
        given_by[answer] == person for answer, person in zip(answers, reversed(requests), strict=True)
    )
    assert linked_reversed < 8


def test_the_web_import_offers_evaluations(network: Any) -> None:
    assert "evaluations" in IMPORTERS
    form = ImportUploadForm(organisations=Organisation.objects.all())
    assert "evaluations" in dict(form.fields["kind"].choices)  # type: ignore[attr-defined]


def test_the_command_imports(network: Any, modules: Any, tmp_path: Any, capsys: Any) -> None:
    path = tmp_path / "e.csv"
    path.write_text(HEADER + rows(5))
    call_command("import", "evaluations", str(path), "--organisation", "alpha")
    assert "new 5" in capsys.readouterr().out
    path.write_text(HEADER + "M9,2026-03-10,4,3,4,4,4,,,z\n")
    with pytest.raises(CommandError) as info:
        call_command("import", "evaluations", str(path), "--organisation", "alpha")
    assert info.value.returncode == 2


# --- report evaluation -----------------------------------------------------------------------

FIGURE_KEYS = [
    "responses",
    "motivated_share",
    "method_good_share",
    "important_share",
    "will_use_share",
    "level",
]


@pytest.fixture
def answered(network: Any, modules: Any) -> Any:
    from kompetenslyft.evaluation.services import Given, Where, store_answers

    role = network.employee.role
    given = [
        Given(
            modules[0].pk,
            dt.date(2026, 3, 10),
            Where(network.unit1.pk, role.pk, "woman"),
            motivated=4,
            level=3,
        )
        for _ in range(6)
    ]
    given += [
        Given(
            modules[0].pk, dt.date(2026, 4, 10), Where(network.unit3.pk, role.pk, "man"), motivated=2, level=5
        )
        for _ in range(6)
    ]
    given += [Given(modules[1].pk, dt.date(2026, 4, 12), Where(), motivated=3, level=1) for _ in range(5)]
    store_answers(network.org_a.pk, given)
    initiative = Initiative.objects.create(organisation=network.org_a, code="lyft", name="Lyft")
    initiative.modules.set([modules[0]])
    return network


def test_report_shape_and_figures(answered: Any, capsys: Any) -> None:
    out = report(capsys)
    assert list(out) == ["threshold", "total"]
    assert out["threshold"] == 5
    assert list(out["total"]) == FIGURE_KEYS
    assert list(out["total"]["level"]) == ["too_easy", "right", "too_hard"]
    assert out["total"]["responses"] == 17
    assert out["total"]["motivated_share"] == pytest.approx(11 / 17)
    by_month = report(capsys, "--by", "month")
    assert [(g["key"], g["responses"]) for g in by_month["groups"]] == [("2026-03", 6), ("2026-04", 6)]
    assert list(by_month["groups"][0]) == ["key", *FIGURE_KEYS]
    assert report(capsys, "--initiative", "lyft")["total"]["responses"] == 12
    assert report(capsys, "--module", "m2")["total"]["responses"] == 5
    assert report(capsys, "--from", "2026-04", "--to", "2026-04")["total"]["responses"] == 11
    assert report(capsys, "--gender", "man", "--organisation", "alpha")["total"]["responses"] == 6
    assert report(capsys, "--role", answered.employee.role.name)["total"]["responses"] == 12
    units = report(capsys, "--unit", "ADM", "--by", "unit")
    assert [g["key"] for g in units["groups"]] == ["DEP1", "DEP2", "direct"]
    assert [g["responses"] for g in units["groups"]] == [6, 6, 0]
    genders = report(capsys, "--by", "gender")
    assert [g["key"] for g in genders["groups"]] == ["woman", "man", "other_or_unspecified"]
    shares = report(capsys, "--module", "M1")["total"]
    assert shares["level"] == {"too_easy": 0.0, "right": 0.5, "too_hard": 0.5}


def test_report_hides_small_groups(answered: Any, capsys: Any) -> None:
    from kompetenslyft.evaluation.services import Given, Where, store_answers

    store_answers(
        answered.org_a.pk,
        [Given(Module.objects.get(code="M2").pk, dt.date(2026, 5, 1), Where(answered.unit2.pk), motivated=1)]
        * 2,
    )
    out = report(capsys, "--unit", "U2")
    assert out["total"]["responses"] is None
    assert all(value is None for key, value in out["total"].items() if key != "level")
    assert set(out["total"]["level"].values()) == {None}


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--unit", "NOPE"], "NOPE"),
        (["--initiative", "nope"], "nope"),
        (["--module", "M404"], "M404"),
        (["--role", "astronaut"], "astronaut"),
        (["--gender", "robot"], "robot"),
        (["--from", "2026-13"], "2026-13"),
        (["--to", "March"], "March"),
        (["--from", "2026-05", "--to", "2026-04"], "after"),
        (["--by", "colour"], "colour"),
        (["--organisation", "nowhere"], "nowhere"),
    ],
)
def test_report_refuses_bad_input(answered: Any, args: list[str], reason: str) -> None:
    with pytest.raises(CommandError) as info:
        call_command("report", "evaluation", "--format", "json", *args)
    assert info.value.returncode == 2
    assert reason in str(info.value)


def test_a_stored_cube_gives_the_same_figures(answered: Any) -> None:
    from kompetenslyft.evaluation import cube
    from kompetenslyft.evaluation.models import Snapshot
    from kompetenslyft.evaluation.results import Query, evaluation_results

    cube._CUBES.clear()
    computed = {by: evaluation_results([answered.org_a], Query(), by=by) for by in (None, "unit", "month")}
    stored = Snapshot.objects.get(organisation=answered.org_a)
    cube._CUBES.clear()
    for by, result in computed.items():
        assert evaluation_results([answered.org_a], Query(), by=by) == result
    # a new answer raises the version: the stored cube is not used for it
    from kompetenslyft.evaluation.services import Given, Where, store_answers

    store_answers(answered.org_a.pk, [Given(Module.objects.get(code="M2").pk, dt.date(2026, 4, 12), Where())])
    # One answer on its own is short of k: it waits in the short pool, which hides every figure
    # it touches (ADR 0005: shown figures change only by whole new blocks).
    assert evaluation_results([answered.org_a], Query())["total"]["responses"] is None
    assert (
        evaluation_results([answered.org_a], Query(modules=frozenset({Module.objects.get(code="M1").pk})))[
            "total"
        ]["responses"]
        == 12
    )
    assert Snapshot.objects.get(organisation=answered.org_a).version > stored.version
