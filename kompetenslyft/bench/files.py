"""Issue 7: files cannot take the server down. Peak memory of reading and previewing large
files (each in a process of its own, so that its peak is its own), and the time the web upload
of 200,000 people takes to answer (the preview then runs as a background task)."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from kompetenslyft.org.models import ImportBatch, Organisation

from .synthetic import FAMILY, GIVEN, ROLES

MEMORY_TARGET_MB = 500.0
WIDE_PEOPLE = 200_000
XLSX_ROWS = 2_000_000
HR_COLUMNS = (
    "cost_centre",
    "title",
    "phone",
    "mobile",
    "street_address",
    "postcode",
    "city",
    "employment_type",
    "employment_percent",
    "manager_name",
    "payroll_group",
    "note",
)


def _people_header() -> list[str]:
    return ["employee_id", "given_name", "family_name", "unit_id", "role", "email", "gender", "language"]


def write_wide_people_csv(
    path: Path, unit_ids: list[str], *, people: int, target_bytes: int, staff: Path | None = None
) -> Path:
    """An HR system's export: ``people`` people with a dozen extra columns (ignored by the import),
    padded to about ``target_bytes``. With ``staff`` (the bench's people file) the export starts
    with those people as they are, and the rest are new: a grown organisation's next file."""
    if path.exists() and path.stat().st_size >= target_bytes * 0.95:
        return path
    rnd = random.Random(11)
    row_bytes = target_bytes // people
    known: list[list[str]] = []
    if staff is not None:
        with staff.open(encoding="utf-8", newline="") as handle:
            known = [row[:8] for row in list(csv.reader(handle, delimiter=";"))[1 : people + 1]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_people_header() + list(HR_COLUMNS))
        for number in range(1, people + 1):
            employee_id = f"H{number:06d}"
            base = (
                known[number - 1]
                if number <= len(known)
                else [
                    employee_id,
                    rnd.choice(GIVEN),
                    rnd.choice(FAMILY),
                    unit_ids[number % len(unit_ids)],
                    rnd.choice(ROLES),
                    f"{employee_id.lower()}@bench.example",
                    rnd.choice(("woman", "man")),
                    "sv",
                ]
            )
            extra = [
                f"KS{rnd.randint(1000, 9999)}",
                "Medarbetare inom vård och omsorg",
                f"08-{rnd.randint(100000, 999999)}",
                f"070-{rnd.randint(1000000, 9999999)}",
                f"Storgatan {rnd.randint(1, 200)}",
                f"{rnd.randint(10000, 99999)}",
                "Solvik",
                "tillsvidare",
                "100",
                "Chef Chefsson",
                "Kommunal",
            ]
            used = sum(len(v) + 1 for v in base + extra) + 1
            writer.writerow(base + extra + ["x" * max(0, row_bytes - used - 1)])
    return path


def write_narrow_people_csv(path: Path, unit_ids: list[str], *, target_bytes: int) -> Path:
    """The same kind of file with only the format's columns: about 520,000 rows in 50 MB."""
    if path.exists() and path.stat().st_size >= target_bytes:
        return path
    rnd = random.Random(12)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(_people_header())
        number = 0
        while handle.tell() < target_bytes:
            number += 1
            employee_id = f"N{number:07d}"
            writer.writerow(
                [
                    employee_id,
                    rnd.choice(GIVEN),
                    rnd.choice(FAMILY),
                    unit_ids[number % len(unit_ids)],
                    rnd.choice(ROLES),
                    f"{employee_id.lower()}@bench.example",
                    "woman",
                    "sv",
                ]
            )
    return path


def write_big_xlsx(path: Path, *, rows: int, declare_dimension: bool) -> Path:
    """A workbook of ``rows`` people rows, its sheet XML streamed into the zip (as any export
    tool writes it)."""
    if path.exists():
        return path
    header = _people_header()[:5]
    columns = "ABCDE"

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            dimension = f'<dimension ref="A1:E{rows + 1}"/>' if declare_dimension else ""
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8"?><worksheet '
                    f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
                ).encode()
            )
            sheet.write(
                (
                    '<row r="1">'
                    + "".join(cell(f"{c}1", h) for c, h in zip(columns, header, strict=True))
                    + "</row>"
                ).encode()
            )
            chunk: list[str] = []
            for number in range(2, rows + 2):
                # Short cells, as numbers without coordinates: about 100 bytes a row unpacked.
                chunk.append(
                    f'<row r="{number}"><c><v>{number}</v></c><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c><c><v>4</v></c></row>'
                )
                if len(chunk) == 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    tmp.rename(path)
    return path


CHILD = textwrap.dedent(
    """
    import json, sys, time
    import django
    django.setup()
    from kompetenslyft.bench.child import peak_memory_mb
    from kompetenslyft.core.importing import ImportRefused, import_file
    from kompetenslyft.org.models import Organisation
    path, kind, code = sys.argv[1], sys.argv[2], sys.argv[3]
    organisation = Organisation.objects.get(code=code)
    start = time.perf_counter()
    try:
        result = import_file(kind=kind, content=open(path, "rb").read(), filename=path,
                             organisation=organisation, dry_run=True, allow_deactivation=True)
        outcome = f"previewed {result.rows} rows"
    except ImportRefused as refused:
        outcome = "refused: " + str(refused.result.errors[0])[:90]
    print(json.dumps({"seconds": time.perf_counter() - start, "outcome": outcome,
                      "maxrss_mb": peak_memory_mb()}))
    """
)


def _database_url() -> str:
    """The database this process uses (also a test database), for the child process."""
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def preview_in_child(path: Path, *, kind: str = "people", organisation: str) -> dict[str, Any]:
    """The preview (the background task's work: read, check, dry run) of ``path`` in a process of
    its own; its peak resident memory as the kernel counts it."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kompetenslyft.settings", "DATABASE_URL": _database_url()}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(path), kind, organisation],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=3600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the preview of {path.name} died ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _scale(ctx: Any) -> float:
    """Full size at the bench's 50,000 people; proportionally smaller for a quick run."""
    return min(1.0, ctx.synthetic.people / 50_000)


def op_file_memory(ctx: Any) -> None:
    from .runner import BENCH_CODE, Figure

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    directory = settings.VAR_DIR / "bench"
    unit_ids = list(organisation.units.values_list("unit_id", flat=True))
    scale = _scale(ctx)
    people, rows = int(WIDE_PEOPLE * scale), int(XLSX_ROWS * scale)
    megabytes = max(0.1, round(50 * scale, 1))  # 50 MB at full size
    files: list[tuple[str, Path]] = [
        (
            f"{megabytes} MB people CSV ({people} people, HR columns; the staff + new)",
            write_wide_people_csv(
                directory / f"people-{megabytes}mb-hr.csv",
                unit_ids,
                people=people,
                target_bytes=int(megabytes * 1024 * 1024),
                staff=ctx.synthetic.people_file,
            ),
        ),
        (
            f"{megabytes} MB people CSV (format columns only)",
            write_narrow_people_csv(
                directory / f"people-{megabytes}mb-narrow.csv",
                unit_ids,
                target_bytes=int(megabytes * 1024 * 1024),
            ),
        ),
        (
            f"{rows}-row .xlsx (dimension declared)",
            write_big_xlsx(directory / f"people-{rows}-v2.xlsx", rows=rows, declare_dimension=True),
        ),
        (
            f"{rows}-row .xlsx (no dimension)",
            write_big_xlsx(directory / f"people-{rows}-nodim-v2.xlsx", rows=rows, declare_dimension=False),
        ),
    ]
    for label, path in files:
        measured = preview_in_child(path, organisation=organisation.code)
        size = path.stat().st_size / (1024 * 1024)
        ctx.report(
            Figure(
                f"peak memory, preview of a {label}",
                measured["maxrss_mb"],
                "MB",
                MEMORY_TARGET_MB,
                note=f"{size:.1f} MB file, {measured['seconds']:.1f} s, {measured['outcome']}",
            )
        )


def op_web_upload(ctx: Any) -> None:
    from kompetenslyft.org.import_batches import import_batch_preview

    from .runner import BENCH_CODE, Figure, _lead_client, timed

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    directory = settings.VAR_DIR / "bench"
    unit_ids = list(organisation.units.values_list("unit_id", flat=True))
    wanted = int(WIDE_PEOPLE * _scale(ctx))
    path = write_narrow_people_csv(directory / f"people-{wanted}.csv", unit_ids, target_bytes=95 * wanted)
    content = path.read_bytes()
    people = content.count(b"\n") - 1
    client = _lead_client(organisation)
    figure = Figure
    upload = SimpleUploadedFile(path.name, content, content_type="text/csv")
    # As in production: the request stores the file and queues the preview for a worker (and
    # DEBUG is off, so the 19 MB parameter is not formatted into the query log).
    with override_settings(DEBUG=False, TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        seconds, response = timed(
            lambda: client.post(
                reverse("org:import"), {"kind": "people", "organisation": organisation.pk, "file": upload}
            )
        )
    if response.status_code != 302:
        raise RuntimeError(f"the upload answered {response.status_code}")
    ctx.report(
        figure(
            f"web upload of {people} people ({len(content) / 1e6:.0f} MB): the request answers",
            seconds,
            "s",
            1.0,
        )
    )
    batch = ImportBatch.objects.filter(organisation=organisation).order_by("-pk").first()
    if batch is None:
        raise RuntimeError("the upload stored no batch")
    page_seconds, page = timed(lambda: client.get(reverse("org:import_preview", args=[batch.pk])))
    ctx.report(figure("  … the page with the progress bar", page_seconds * 1000, "ms", 1000.0))
    if batch.status == ImportBatch.Status.CHECKING:  # the database queue: run the worker's part here
        start = time.perf_counter()
        import_batch_preview(batch_id=batch.pk)
        batch.refresh_from_db()
        ctx.report(
            figure(
                "  … the preview, as the background task",
                time.perf_counter() - start,
                "s",
                note=f"{batch.status}, {batch.progress_done} rows read",
            )
        )
    ImportBatch.objects.filter(pk=batch.pk).delete()


def file_operations() -> dict[str, Callable[[Any], None]]:
    return {"file-memory": op_file_memory, "web-upload": op_web_upload}
