"""Imports from the web, the background part: the preview (a dry run) and the confirmed import
of an uploaded batch, run by the tasks in ``org/tasks.py``. The upload, the confirmation and
the purge are services (``org/services.py``: ``import_batch_create``, ``import_batch_confirm``,
``import_batches_purge``). The tasks write their progress in short transactions of their own,
so that the page can show it while they run (SQLite has one writer: each progress write is one
small UPDATE, outside the import's own transaction)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.utils.translation import gettext as _

from kompetenslyft.core.importing import ImportRefused, ImportResult, import_file

from .models import ImportBatch

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes


def import_options(batch: ImportBatch) -> dict[str, Any]:
    """The options each kind of import takes from the web form."""
    if batch.kind == "people":
        return {"keep_missing": batch.keep_missing, "allow_deactivation": batch.allow_deactivation}
    return {}


def _progress_writer(batch_id: int) -> Any:
    last = [0.0]

    def write(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < PROGRESS_INTERVAL:
            return
        last[0] = now
        ImportBatch.objects.filter(pk=batch_id).update(progress_done=done, progress_total=max(total, done))

    return write


def _run(batch_id: int, *, dry_run: bool) -> str:
    batch = ImportBatch.objects.select_related("organisation", "confirmed_by", "uploaded_by").get(pk=batch_id)
    expected = ImportBatch.Status.CHECKING if dry_run else ImportBatch.Status.IMPORTING
    if batch.status != expected:
        return batch.status  # already done (a task delivered twice)
    options = import_options(batch)
    if dry_run and batch.kind == "people":
        options["allow_deactivation"] = True  # the preview shows the deactivations; confirm decides
    try:
        result = import_file(
            kind=batch.kind,
            content=bytes(batch.content),
            filename=batch.filename,
            organisation=batch.organisation,
            actor=batch.uploaded_by if dry_run else batch.confirmed_by,
            dry_run=dry_run,
            progress=_progress_writer(batch_id),
            **options,
        )
    except ImportRefused as refused:
        status, result = ImportBatch.Status.REFUSED, refused.result
    except Exception:
        logger.exception("import batch %s failed", batch_id)
        failed = ImportResult(kind=batch.kind, organisation=batch.organisation.code, dry_run=dry_run)
        failed.error(0, "", _("The import stopped on an unexpected error; nothing was changed."))
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, summary=failed.as_dict(), content=b""
        )
        raise
    else:
        status = ImportBatch.Status.PREVIEWED if dry_run else ImportBatch.Status.APPLIED
    fields: dict[str, Any] = {"status": status, "summary": result.as_dict()}
    if status != ImportBatch.Status.PREVIEWED:
        fields["content"] = b""  # nothing more will read it
    ImportBatch.objects.filter(pk=batch_id).update(**fields)
    return status


def import_batch_preview(*, batch_id: int) -> str:
    """The dry run of an uploaded file (the background task's work)."""
    return _run(batch_id, dry_run=True)


def import_batch_apply(*, batch_id: int) -> str:
    """The confirmed import (the background task's work)."""
    return _run(batch_id, dry_run=False)
