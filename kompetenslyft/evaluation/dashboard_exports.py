"""The dashboard to Excel (one titled sheet per table, headers in the person's language,
percentages as percentage cells, the filters stated on every sheet; text through
``core.spreadsheet``) and to PDF (WeasyPrint, the charts embedded as SVG). Built by a
background task that writes its progress on an :class:`~.models.ExportJob`."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.core.queue import enqueue
from kompetenslyft.core.spreadsheet import append_row, download_name

from .dashboard_page import Page
from .models import ExportJob

logger = logging.getLogger(__name__)
KEPT_FOR = dt.timedelta(days=1)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, used: set[str]) -> str:
    """A sheet's name: the section's short title, cut between words if it is still longer
    than Excel's 31 characters, and made unique with a number."""
    clean = " ".join(_SHEET_FORBIDDEN.sub(" ", title).split())
    base = clean
    if len(base) > 28:
        base = base[:28].rsplit(" ", 1)[0] if " " in base[:28] else base[:28]
    base = base or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" {n}"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    used.add(name.lower())
    return name


def xlsx_of(page: Page) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for section in page.sections:
        sheet = workbook.create_sheet(_sheet_title(section.short_title or section.title, used))
        append_row(sheet, [section.title])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        if section.table.caption != section.title:
            append_row(sheet, [section.table.caption])
        for label, value in page.filter_rows:
            append_row(sheet, [label, value])
        if section.note:
            append_row(sheet, [section.note])
        append_row(sheet, [page.hidden_note + " — " + _("shown as text, never as 0")])
        if section.shows_blank_note:
            append_row(sheet, [section.blank_note])
        append_row(sheet, [])
        append_row(sheet, section.table.columns)
        header_row = sheet.max_row
        for cell in sheet[header_row]:
            cell.font = bold
        for row in section.table.rows:
            values: list[Any] = []
            for item in row:
                if item.value is None:
                    values.append("–" if item.blank else page.hidden_text)
                elif item.kind in ("int", "num", "money", "pct", "pp"):
                    values.append(item.value)
                else:
                    values.append(str(item.value))
            append_row(sheet, values)
            for cell, item in zip(sheet[sheet.max_row], row, strict=False):
                if item.value is not None and item.kind in ("pct", "pp"):
                    cell.number_format = "0.0%"
                elif item.value is not None and item.kind == "num":
                    cell.number_format = "0.0"
                elif item.value is not None and item.kind == "money":
                    cell.number_format = "#,##0.00"
        sheet.column_dimensions["A"].width = 42
        for letter in "BCDEFGHI":
            sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pdf_of(page: Page) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "evaluation/dashboard_pdf.html", {"page": page, "today": timezone.localdate().isoformat()}
    )
    return bytes(HTML(string=html).write_pdf())


# --- the background export ---------------------------------------------------------------------


def exports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete exports asked for more than a day ago (with their file)."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted, _per_model = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def export_create(*, organisation: Any, user: Any, kind: str, query: str, language: str) -> ExportJob:
    """Record the export and start its task; returns at once."""
    exports_purge()
    with transaction.atomic():
        job = ExportJob.objects.create(
            organisation=organisation, requested_by=user, kind=kind, query=query, language=language
        )
        enqueue("evaluation.dashboard_tasks.dashboard_export_task", job.pk)
    return job


def _progress(job_id: int, status: str, progress: int) -> None:
    ExportJob.objects.filter(pk=job_id).update(status=status, progress=progress)


def export_run(job_id: int, *, build: Callable[[Any], Page] | None = None) -> str:
    """Build the export of a job as the person who asked would see the dashboard (its access
    now, in its language)."""
    from kompetenslyft.core.access import access_for

    from .dashboard import is_exact
    from .dashboard_page import build_page
    from .dashboard_views import parse_filters

    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or not job.is_running:
        return "gone"
    _progress(job.pk, ExportJob.Status.RUNNING, 5)
    try:
        with translation.override(job.language):
            access = access_for(job.requested_by)
            filters, _choices = parse_filters(access, QueryDict(job.query))
            page = build_page(filters, exact=is_exact(access, filters.organisation))
            _progress(job.pk, ExportJob.Status.RUNNING, 60)
            content = xlsx_of(page) if job.kind == "xlsx" else pdf_of(page)
            filename = download_name(_("dashboard"), filters.organisation.code, extension=job.kind)
    except Exception:
        logger.exception("dashboard export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, finished_at=timezone.now())
        return "failed"
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE,
        progress=100,
        content=content,
        filename=filename,
        finished_at=timezone.now(),
    )
    return "done"
