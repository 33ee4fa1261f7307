"""The units and people imports, held to shared/formats.md."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.org.imports import ImportRefused, import_file
from kompetenslyft.org.models import Organisation, Person, Placement, Role, Unit
from kompetenslyft.org.selectors import placement_on

UNITS = (
    "unit_id,name,parent_id,manager_employee_id\n"
    "VOF,Vård och omsorg,,100\n"
    "HT,Hemtjänst,VOF,101\n"
    "HT-N,Hemtjänst Norra,HT,\n"
    "SB,Särskilt boende,VOF,\n"
)
PEOPLE = (
    "employee_id,given_name,family_name,unit_id,role,email,gender,language,start_date\n"
    "100,Anna,Andersson,VOF,förvaltningschef,anna@solvik.se,woman,sv,2015-03-01\n"
    "101,Bo,Berg,HT,verksamhetschef,bo@solvik.se,M,sv,2018-08-15\n"
    "102,Cecilia,Carlsson,HT-N,undersköterska,,kvinna,,\n"
    "103,David,Dahl,SB,undersköterska,david@solvik.se,,en,2020-01-01\n"
)


@pytest.fixture
def org(db: Any) -> Organisation:
    return Organisation.objects.create(code="solvik", name="Solvik kommun")


def run(kind: str, text: str | bytes, org: Organisation, **kwargs: Any) -> Any:
    content = text.encode() if isinstance(text, str) else text
    return import_file(kind=kind, content=content, filename=f"{kind}.csv", organisation=org, **kwargs)


def refused(kind: str, text: str | bytes, org: Organisation, **kwargs: Any) -> list[str]:
    with pytest.raises(ImportRefused) as info:
        run(kind, text, org, **kwargs)
    return [str(e) for e in info.value.result.errors]


def xlsx(text: str) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in text.strip().split("\n"):
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_units_build_the_tree(org: Organisation) -> None:
    result = run("units", UNITS, org)
    assert result.counts == {"new": 4}
    ht_n = Unit.objects.get(unit_id="HT-N")
    assert ht_n.parent.unit_id == "HT"
    assert ht_n.parent.parent.unit_id == "VOF"
    assert ht_n.depth == 2
    vof = Unit.objects.get(unit_id="VOF")
    subtree = set(Unit.objects.filter(path__startswith=vof.path).values_list("unit_id", flat=True))
    assert subtree == {"VOF", "HT", "HT-N", "SB"}
    # manager named before the person exists: kept, resolved when the person comes
    assert vof.manager is None and vof.manager_employee_id == "100"
    run("people", PEOPLE, org)
    vof.refresh_from_db()
    assert vof.manager.employee_id == "100"


def test_units_in_any_order_and_reparenting(org: Organisation) -> None:
    reordered = "unit_id,name,parent_id\nHT-N,Hemtjänst Norra,HT\nHT,Hemtjänst,VOF\nVOF,Vård,\n"
    run("units", reordered, org)
    assert Unit.objects.get(unit_id="HT-N").path.count("/") == 4
    moved = run("units", "unit_id,name,parent_id\nSB,Särskilt boende,\nHT,Hemtjänst,SB\n", org)
    assert moved.counts["moved"] == 1
    ht_n = Unit.objects.get(unit_id="HT-N")
    assert ht_n.path.startswith(Unit.objects.get(unit_id="SB").path)


@pytest.mark.parametrize("variant", ["comma", "semicolon", "bom", "crlf", "xlsx", "reordered"])
def test_people_file_variants(org: Organisation, variant: str) -> None:
    run("units", UNITS, org)
    text = PEOPLE
    content: bytes
    if variant == "semicolon":
        content = text.replace(",", ";").encode()
    elif variant == "bom":
        content = ("\ufeff" + text.replace(",", ";")).encode()
    elif variant == "crlf":
        content = text.replace("\n", "\r\n").encode()
    elif variant == "xlsx":
        content = xlsx(text)
    elif variant == "reordered":
        lines = [line.split(",") for line in text.strip().split("\n")]
        order = [8, 4, 3, 0, 2, 1, 5, 6, 7]
        content = "\n".join(",".join(line[i] for i in order) for line in lines).encode()
    else:
        content = text.encode()
    result = run("people", content, org)
    assert result.counts["new"] == 4
    bo = Person.objects.get(employee_id="101")
    assert (bo.gender, bo.language, bo.start_date) == ("man", "sv", dt.date(2018, 8, 15))
    assert Person.objects.get(employee_id="102").gender == "woman"
    assert Person.objects.get(employee_id="103").gender == ""
    assert Role.objects.filter(organisation=org).count() == 3


def test_excel_numbers_and_dates_become_text(org: Organisation) -> None:
    run("units", UNITS, org)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["employee_id", "given_name", "family_name", "unit_id", "role", "start_date"])
    sheet.append([4711, "Eva", "Ek", "HT-N", "undersköterska", dt.datetime(2021, 5, 3)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run("people", buffer.getvalue(), org)
    eva = Person.objects.get(employee_id="4711")
    assert eva.start_date == dt.date(2021, 5, 3)


def test_reimport_is_idempotent(org: Organisation) -> None:
    run("units", UNITS, org)
    run("people", PEOPLE, org)
    audit_before = AuditEntry.objects.count()
    placements_before = Placement.objects.count()
    again_units = run("units", UNITS, org)
    again_people = run("people", PEOPLE, org)
    assert again_units.counts == {"unchanged": 4}
    assert again_people.counts == {"unchanged": 4}
    assert Placement.objects.count() == placements_before
    # only the two "import" summary entries were added
    assert AuditEntry.objects.count() == audit_before + 2


def test_every_bad_row_is_named_and_nothing_is_written(org: Organisation) -> None:
    run("units", UNITS, org)
    run("people", PEOPLE, org)
    snapshot = list(Person.objects.order_by("pk").values())
    bad = (
        "employee_id,given_name,family_name,unit_id,role,email,gender,language,start_date\n"
        "100,Anna,Andersson-Ny,VOF,förvaltningschef,anna@solvik.se,woman,sv,2015-03-01\n"
        "200,,Lind,HT-N,undersköterska,,,,\n"
        "201,Greta,Gran,NOPE,undersköterska,,,,\n"
        "202,Hans,Holm,HT-N,undersköterska,not-an-email,x,fi,31/12/2020\n"
        "200,Ida,Is,HT-N,undersköterska,,,,\n"
    )
    errors = refused("people", bad, org)
    assert errors == [
        "row 3, column given_name: is empty",
        "row 4, column unit_id: 'NOPE' is not a unit of the organisation (import the units first)",
        "row 5, column email: 'not-an-email' is not an e-mail address",
        "row 5, column gender: 'x' is not one of woman, man, other or empty",
        "row 5, column language: 'fi' is not one of sv, nb, en or empty",
        "row 5, column start_date: '31/12/2020' is not a date (use YYYY-MM-DD)",
        "row 6, column employee_id: '200' appears again (first in row 3)",
    ]
    assert list(Person.objects.order_by("pk").values()) == snapshot


def test_missing_required_column_refuses_the_file(org: Organisation) -> None:
    errors = refused("people", "employee_id,given_name,unit_id\n1,A,X\n", org)
    assert errors == ["Required column(s) missing from the header: family_name, role."]
    assert refused("units", b"", org) == ["The file is empty."]


def test_unknown_columns_are_ignored_with_a_warning(org: Organisation) -> None:
    result = run("units", "unit_id,name,cost_centre\nA,Alfa,123\n", org)
    assert result.warnings == ["Unknown column(s) ignored: cost_centre."]
    assert Unit.objects.get(unit_id="A").name == "Alfa"


def test_bad_units(org: Organisation) -> None:
    run("units", "unit_id,name,parent_id\nA,Alfa,\nB,Beta,A\n", org)
    errors = refused(
        "units",
        ("unit_id,name,parent_id\nC,,A\nD,Delta,MISSING\nE,Echo,E\nA,Alfa,B\nC,Charlie again,\n"),
        org,
    )
    assert errors == [
        "row 2, column name: is empty",
        "row 3, column parent_id: 'MISSING' is neither a unit in the file nor an existing unit",
        "row 4, column parent_id: a unit cannot be its own parent",
        "row 6, column unit_id: 'C' appears again (first in row 2)",
    ]
    cycle = refused("units", "unit_id,name,parent_id\nA,Alfa,B\n", org)
    assert cycle == ["row 2, column parent_id: makes a cycle: A → B → A"]
    assert Unit.objects.get(unit_id="A").parent is None


def test_moves_are_kept_as_history(org: Organisation) -> None:
    run("units", UNITS, org)
    run("people", PEOPLE, org)
    david = Person.objects.get(employee_id="103")
    first = Placement.objects.get(person=david)
    first.valid_from = dt.date(2020, 1, 1)
    first.save()
    moved = PEOPLE.replace("103,David,Dahl,SB,undersköterska", "103,David,Dahl,HT-N,sjuksköterska")
    result = run("people", moved, org)
    assert result.counts["moved"] == 1 and result.counts["unchanged"] == 3
    david.refresh_from_db()
    assert (david.unit.unit_id, david.role.name) == ("HT-N", "sjuksköterska")
    today = timezone.localdate()
    before = placement_on(david, today - dt.timedelta(days=1))
    now = placement_on(david, today)
    assert (before.unit.unit_id, before.role.name) == ("SB", "undersköterska")
    assert (now.unit.unit_id, now.role.name) == ("HT-N", "sjuksköterska")
    assert AuditEntry.objects.filter(action="person.moved", target_id="103").exists()


def test_people_missing_from_the_file_are_deactivated_not_deleted(org: Organisation) -> None:
    run("units", UNITS, org)
    run("people", PEOPLE, org)
    without_david = "\n".join(line for line in PEOPLE.split("\n") if not line.startswith("103"))
    # one of four is more than a fifth: the guard needs the explicit allowance
    result = run("people", without_david, org, allow_deactivation=True)
    assert result.counts["deactivated"] == 1
    david = Person.objects.get(employee_id="103")
    assert not david.is_active and david.deactivated_on == timezone.localdate()
    assert placement_on(david, timezone.localdate() + dt.timedelta(days=1)) is None
    back = run("people", PEOPLE, org)
    assert back.counts["reactivated"] == 1
    david.refresh_from_db()
    assert david.is_active


def test_keep_missing_leaves_others_alone(org: Organisation) -> None:
    run("units", UNITS, org)
    run("people", PEOPLE, org)
    only_one = "employee_id,given_name,family_name,unit_id,role\n104,Eva,Ek,HT-N,undersköterska\n"
    result = run("people", only_one, org, keep_missing=True)
    assert result.counts == {"new": 1}
    assert Person.objects.filter(is_active=True).count() == 5


def test_dry_run_changes_nothing_but_counts_exactly(org: Organisation) -> None:
    dry = run("units", UNITS, org, dry_run=True)
    assert dry.counts == {"new": 4}
    assert not Unit.objects.exists()
    assert not AuditEntry.objects.exists()


def test_roles_match_case_insensitively(org: Organisation) -> None:
    run("units", UNITS, org)
    run(
        "people",
        PEOPLE.replace(
            "102,Cecilia,Carlsson,HT-N,undersköterska", "102,Cecilia,Carlsson,HT-N,Undersköterska"
        ),
        org,
    )
    assert Role.objects.filter(organisation=org, name__iexact="undersköterska").count() == 1


def test_not_utf8_is_read_as_windows_1252_with_a_warning(org: Organisation) -> None:
    content = "unit_id;name\nA;Vård och omsorg\n".encode("cp1252")
    result = run("units", content, org)
    assert any("Windows-1252" in w for w in result.warnings)
    assert Unit.objects.get(unit_id="A").name == "Vård och omsorg"


def test_organisations_are_kept_apart(org: Organisation) -> None:
    other = Organisation.objects.create(code="other", name="Other")
    run("units", UNITS, org)
    run("units", UNITS, other)
    run("people", PEOPLE, org)
    assert refused("people", PEOPLE.replace("SB", "NOWHERE"), other)
    run("people", PEOPLE, other)
    assert Person.objects.filter(employee_id="100").count() == 2
    # deactivation in one organisation never touches the other
    run("people", "\n".join(PEOPLE.split("\n")[:2]) + "\n", org, allow_deactivation=True)
    assert Person.objects.filter(organisation=org, is_active=True).count() == 1
    assert Person.objects.filter(organisation=other, is_active=True).count() == 4


def test_a_file_without_rows_is_refused(org: Organisation) -> None:
    assert refused("units", "unit_id,name\n", org) == ["The file has a header but no rows."]
