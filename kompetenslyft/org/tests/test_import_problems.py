"""Every problem of a row is named (not only the first), in every kind of import; each kind
offers a template (CSV and .xlsx, the header of formats.md and one example row, formula-safe);
a file that is neither CSV nor Excel is told so, by its content; web import batches are written
through services, audited."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kompetenslyft.core.import_templates import template_rows
from kompetenslyft.core.importing import IMPORTERS, ImportRefused, import_file
from kompetenslyft.core.models import AuditEntry
from kompetenslyft.core.tabular import TableError, read_table
from kompetenslyft.org.models import ImportBatch

pytestmark = pytest.mark.django_db


def problems(network: Any, kind: str, text: str) -> dict[int, set[str]]:
    """The columns named for each row of a refused file."""
    with pytest.raises(ImportRefused) as info:
        import_file(kind=kind, content=text.encode(), filename=f"{kind}.csv", organisation=network.org_a)
    named: dict[int, set[str]] = {}
    for error in info.value.result.errors:
        named.setdefault(error.row, set()).add(error.column)
    return named


def test_a_people_row_names_all_its_problems_even_when_its_id_repeats(network: Any) -> None:
    text = (
        "employee_id,given_name,family_name,unit_id,role,email,gender,language,start_date\n"
        "P1,Pia,Pe,U1,undersköterska,pia@example.org,woman,sv,2024-01-01\n"
        "P1,,Pe,NOPE,undersköterska,not-an-address,robot,xx,yesterday\n"
    )
    assert problems(network, "people", text) == {
        3: {"employee_id", "given_name", "unit_id", "email", "gender", "language", "start_date"}
    }


def test_a_unit_row_names_its_repeat_its_empty_name_and_its_unknown_parent(network: Any) -> None:
    text = "unit_id,name,parent_id\nN1,Ny,U1\nN1,,GONE\nN2,,ALSO-GONE\n"
    named = problems(network, "units", text)
    assert named[3] == {"unit_id", "name"}
    assert named[4] == {"name", "parent_id"}


def test_a_framework_row_names_its_repeat_and_its_empty_cells(network: Any) -> None:
    text = "competence_code,name,category\nX1,Ett,Kat\nX1,,\n"
    assert problems(network, "framework", text) == {3: {"competence_code", "name", "category"}}


def test_a_module_row_names_its_repeat_and_every_bad_cell(network: Any) -> None:
    text = (
        "module_code,name,category,level,format,hours\n"
        "M1,Modul,Kat,basic,onsite,2\n"
        "M1,,Kat,expert,telepathy,many\n"
    )
    assert problems(network, "modules", text) == {3: {"module_code", "name", "level", "format", "hours"}}


def test_attendance_and_assessment_rows_name_every_bad_cell(network: Any) -> None:
    attendance = "employee_id,module_code,date,hours,status\nNOBODY,NOMODULE,someday,x,gone\n"
    assert problems(network, "attendance", attendance) == {
        2: {"employee_id", "module_code", "date", "hours", "status"}
    }
    answers = "employee_id,competence_code,level,measurement_point,measured_at\nNOBODY,NOPE,9,x,never\n"
    assert problems(network, "assessments", answers) == {
        2: {"employee_id", "competence_code", "level", "measurement_point", "measured_at"}
    }


def test_the_preview_lists_each_row_once_with_all_its_problems(network: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(network.lead.user)
    text = "employee_id,given_name,family_name,unit_id,role,email\nP1,,Pe,NOPE,undersköterska,bad\n"
    file = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    response = client.post(
        reverse("org:import"), {"kind": "people", "organisation": network.org_a.pk, "file": file}
    )
    batch = ImportBatch.objects.get()
    from kompetenslyft.org.import_batches import import_batch_preview

    import_batch_preview(batch_id=batch.pk)
    page = client.get(response.url).content.decode()
    assert page.count('data-row="2"') == 1
    row = page[page.index('data-row="2"') :].split("</tr>")[0]
    for column in ("given_name", "unit_id", "email"):
        assert f"<strong>{column}</strong>" in row


# --- templates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_each_kind_has_a_csv_and_an_excel_template_with_its_header_and_an_example(
    network: Any, kind: str
) -> None:
    client = Client()
    client.force_login(network.lead.user)
    header = [*IMPORTERS[kind].required, *IMPORTERS[kind].optional]
    csv_response = client.get(reverse("org:import_template", args=[kind, "csv"]))
    assert csv_response.status_code == 200
    assert f'filename="{kind}-template.csv"' in csv_response["Content-Disposition"]
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(header) and len(lines) == 2
    xlsx_response = client.get(reverse("org:import_template", args=[kind, "xlsx"]))
    assert xlsx_response.status_code == 200
    # Both read back as import files with every required column (an example row, no error).
    for content, name in ((csv_response.content, "t.csv"), (xlsx_response.content, "t.xlsx")):
        table = read_table(content, filename=name, required=IMPORTERS[kind].required)
        rows = list(table.rows)
        table.close()
        assert table.columns == header and len(rows) == 1
        assert all(rows[0][1][column] for column in IMPORTERS[kind].required)


def test_templates_are_formula_safe(monkeypatch: Any) -> None:
    from kompetenslyft.core import import_templates

    monkeypatch.setitem(import_templates.EXAMPLES, "units", {"unit_id": "=HYPERLINK(1)", "name": "+1"})
    content, _type, _name = import_templates.template_file("units", "csv")
    assert "'=HYPERLINK(1),'+1" in content.decode("utf-8-sig")
    from openpyxl import load_workbook

    content, _type, _name = import_templates.template_file("units", "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet["A2"].value == "'=HYPERLINK(1)" and sheet["A2"].data_type == "s"


def test_the_import_page_links_every_kinds_templates_and_only_a_lead_gets_them(network: Any) -> None:
    client = Client()
    client.force_login(network.lead.user)
    page = client.get(reverse("org:import")).content.decode()
    for kind in ("units", "people", "framework", "requirements", "assessments", "modules", "attendance"):
        assert reverse("org:import_template", args=[kind, "csv"]) in page
        assert reverse("org:import_template", args=[kind, "xlsx"]) in page
    assert client.get(reverse("org:import_template", args=["nothing", "csv"])).status_code == 404
    assert client.get(reverse("org:import_template", args=["people", "pdf"])).status_code == 404
    employee = Client()
    employee.force_login(network.employee.user)
    assert employee.get(reverse("org:import_template", args=["people", "csv"])).status_code == 404
    assert template_rows("people")[0][0] == "employee_id"


def test_the_templates_examples_use_the_organisations_own_unit_and_role(network: Any) -> None:
    client = Client()
    client.force_login(network.lead.user)
    people = client.get(reverse("org:import_template", args=["people", "csv"])).content.decode("utf-8-sig")
    example = dict(zip(*[line.split(",") for line in people.strip().splitlines()], strict=True))
    assert example["unit_id"] == network.admin_a.unit_id  # the organisation's first unit: it exists
    assert example["role"] == "undersköterska"  # its first role
    units = client.get(reverse("org:import_template", args=["units", "csv"])).content.decode("utf-8-sig")
    example = dict(zip(*[line.split(",") for line in units.strip().splitlines()], strict=True))
    assert example["parent_id"] == network.admin_a.unit_id and example["unit_id"] == "NEW-UNIT-1"
    # Without an organisation's own: a clearly made-up example, not a code that looks real.
    assert "EXAMPLE-UNIT" in template_rows("requirements")[1]


# --- not a table -------------------------------------------------------------------------------------


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "found"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "people.csv", "a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "people.xls", "Excel 97–2003 workbook (.xls)"),
        (_zip({"word/document.xml": b"<w/>"}), "people.xlsx", "a Word document (.docx)"),
        (
            _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            "people.ods",
            "an OpenDocument spreadsheet (.ods)",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "people.csv", "an image"),
        (b"employee_id,given_name\nE1,Anna\n", "people.xlsx", "although it is named .xlsx"),
        ("employee_id\tgiven_name\n".encode("utf-16"), "people.txt", "UTF-16"),
        (bytes(range(256)) * 4, "people.csv", "a binary file"),
    ],
)
def test_a_file_that_is_neither_csv_nor_excel_is_told_so_by_its_content(
    content: bytes, filename: str, found: str
) -> None:
    with pytest.raises(TableError) as info:
        read_table(content, filename=filename, required=("employee_id",))
    assert "neither CSV nor Excel" in str(info.value) and found in str(info.value)


def test_the_upload_form_tells_at_once_that_a_pdf_is_not_an_import_file(network: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(network.lead.user)
    file = SimpleUploadedFile("people.csv", b"%PDF-1.4 binary", content_type="text/csv")
    response = client.post(
        reverse("org:import"), {"kind": "people", "organisation": network.org_a.pk, "file": file}
    )
    assert response.status_code == 400
    assert "it is a PDF document" in response.content.decode()
    assert not ImportBatch.objects.exists()


# --- services ------------------------------------------------------------------------------------


def test_upload_and_confirm_are_audited_services(
    network: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from kompetenslyft.org.services import import_batch_confirm, import_batch_create

    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(
            organisation=network.org_a,
            kind="units",
            filename="units.csv",
            content=b"unit_id,name,parent_id\nNY,Ny enhet,U1\n",
            keep_missing=False,
            user=network.lead.user,
        )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED  # the preview task ran on commit
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_confirm(batch=batch, user=network.lead.user, allow_deactivation=False)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    actions = set(AuditEntry.objects.filter(target_id=str(batch.pk)).values_list("action", flat=True))
    assert {"import.uploaded", "import.confirmed"} <= actions
