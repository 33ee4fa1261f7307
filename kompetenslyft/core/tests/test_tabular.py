"""Import files cannot take the process down: sheets beyond the limits are refused before
anything is allocated, whatever they declare; control characters are refused naming the cell."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from kompetenslyft.core.importing import IMPORTERS, MAX_ERRORS, ImportRefused, import_file
from kompetenslyft.core.tabular import Limits, TableError, read_table

SMALL = Limits(rows=100, columns=20, cells=1000, xlsx_sheet_bytes=1 << 20, xlsx_other_bytes=1 << 20)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_with_sheet(sheet_xml: str) -> bytes:
    """A real workbook (made by openpyxl) whose first sheet's XML is replaced by ``sheet_xml``."""
    book = Workbook()
    book.active.append(["unit_id", "name"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dim}<sheetData>{rows}</sheetData></worksheet>'


HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>unit_id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'


def cell_row(number: int, *values: str) -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def far_cell_workbook(*, declared: bool) -> bytes:
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return workbook_with_sheet(sheet(HEADER + far, "A1:XFD1048576" if declared else "A1:B1"))


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "lying-dimension"])
def test_a_tiny_workbook_with_one_cell_at_xfd1048576_is_refused_in_a_subprocess(
    tmp_path: Path, declared: bool
) -> None:
    """The file that made the old reader allocate 512 GB and abort: it must now be refused with
    a clear message by a process that stays alive (run apart, so this test run cannot die)."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_workbook(declared=declared))
    assert path.stat().st_size < 10_000
    script = textwrap.dedent(
        f"""
        import django
        django.setup()
        from kompetenslyft.bench.child import peak_memory_mb
        from django.utils import translation
        from kompetenslyft.core.tabular import TableError, read_table
        translation.activate("en")
        try:
            read_table(open({str(path)!r}, "rb").read(), filename="far.xlsx", required=("unit_id", "name"))
        except TableError as exc:
            print("REFUSED", exc)
        # VmHWM: this process's own peak (ru_maxrss would carry the test run's, from the fork)
        print("MAXRSS_MB", int(peak_memory_mb()))
        """
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kompetenslyft.settings"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "REFUSED" in done.stdout
    assert "more than 500000 rows" in done.stdout or "columns" in done.stdout
    assert int(done.stdout.split("MAXRSS_MB")[1].split()[0]) < 300


def test_the_import_command_refuses_it_with_exit_status_2(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    path.write_bytes(far_cell_workbook(declared=False))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "KOMPETENSLYFT_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "LANG": "C.UTF-8",
    }
    cli = [sys.executable, "-m", "kompetenslyft"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=300)  # noqa: S603
    done = subprocess.run(  # noqa: S603
        [*cli, "import", "units", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "refused" in done.stderr and "more than" in done.stderr


def test_a_sheet_that_lies_about_its_dimension_is_counted_while_streaming() -> None:
    rows = HEADER + "".join(cell_row(n, f"U{n}", "x") for n in range(2, 120))
    content = workbook_with_sheet(sheet(rows, "A1:B2"))
    with pytest.raises(TableError, match="more than 100 rows"):
        read_table(content, required=("unit_id", "name"), limits=SMALL)


def test_a_declared_dimension_beyond_the_limits_is_refused_before_reading() -> None:
    content = workbook_with_sheet(sheet(HEADER + cell_row(2, "U2", "x"), "A1:B5000"))
    with pytest.raises(TableError, match="more than 100 rows"):
        read_table(content, required=("unit_id", "name"), limits=SMALL)
    content = workbook_with_sheet(sheet(HEADER + cell_row(2, "U2", "x"), "A1:Z50"))
    with pytest.raises(TableError, match="more than 20 columns"):
        read_table(content, required=("unit_id", "name"), limits=SMALL)


def test_too_many_cells_in_a_row_without_coordinates() -> None:
    wide = "<row>" + "<c><v>1</v></c>" * 50 + "</row>"
    content = workbook_with_sheet(sheet(HEADER + wide))
    with pytest.raises(TableError, match="more than 20 columns"):
        read_table(content, required=("unit_id", "name"), limits=SMALL)


def test_a_zip_bomb_is_refused_by_its_unpacked_size() -> None:
    padding = "<row r='2'/>" * 200_000  # ~2.4 MB of XML that packs into a few kB
    content = workbook_with_sheet(sheet(HEADER + padding))
    assert len(content) < 100_000
    with pytest.raises(TableError, match="unpacks to more than 1 MB"):
        read_table(content, required=("unit_id", "name"), limits=SMALL)


def test_a_normal_workbook_still_reads_with_its_row_numbers() -> None:
    rows = HEADER + cell_row(2, "U2", "Två") + cell_row(5, "U5", "Fem")
    table = read_table(workbook_with_sheet(sheet(rows, "A1:B5")), required=("unit_id", "name"), limits=SMALL)
    assert list(table.rows) == [(2, {"unit_id": "U2", "name": "Två"}), (5, {"unit_id": "U5", "name": "Fem"})]
    assert len(table.rows) == 2
    table.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unit_id,name\n" + "U,x\n" * 101, "more than 100 rows"),
        ("unit_id,name\n" + "U,x" + ",y" * 30 + "\n", "more than 20 columns"),
        (
            "unit_id,name" + "".join(f",c{i}" for i in range(18)) + "\n" + ("U,x" + ",y" * 18 + "\n") * 60,
            "more than 1000 cells",
        ),
    ],
    ids=["rows", "columns", "cells"],
)
def test_csv_limits(text: str, message: str) -> None:
    with pytest.raises(TableError, match=message):
        read_table(text.encode(), required=("unit_id", "name"), limits=SMALL)


def _one_row_for(kind: str, value: str) -> bytes:
    importer = IMPORTERS[kind]
    header = ",".join(importer.required)
    row = ",".join(value for _ in importer.required)
    return f"{header}\n{row}\n".encode()


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x85"])
def test_control_characters_are_refused_in_every_kind_naming_the_row(
    network: Any, kind: str, character: str
) -> None:
    with pytest.raises(ImportRefused) as info:
        import_file(
            kind=kind,
            content=_one_row_for(kind, f"Ann{character}a"),
            filename=f"{kind}.csv",
            organisation=network.org_a,
        )
    errors = [str(e) for e in info.value.result.errors]
    code = f"U+{ord(character):04X}"
    first = IMPORTERS[kind].required[0]
    assert f"row 2, column {first}: contains the control character {code}" in "\n".join(errors)


def test_control_characters_in_a_workbook_cell(network: Any) -> None:
    rows = HEADER + cell_row(2, "U9", "Enhet&#x85;nio")
    with pytest.raises(ImportRefused) as info:
        import_file(
            kind="units",
            content=workbook_with_sheet(sheet(rows)),
            filename="units.xlsx",
            organisation=network.org_a,
        )
    assert "row 2, column name: contains the control character U+0085" in str(info.value.result.errors[0])


def test_errors_kept_are_capped_and_all_are_counted(network: Any) -> None:
    bad = "unit_id,name\n" + "".join(f"U{n},\n" for n in range(1500))
    with pytest.raises(ImportRefused) as info:
        import_file(kind="units", content=bad.encode(), filename="u.csv", organisation=network.org_a)
    result = info.value.result
    assert len(result.errors) == MAX_ERRORS
    assert result.error_count == 1500
    assert result.as_dict()["error_count"] == 1500
