"""Imports from the web: the upload stores the file and starts its preview (a dry run) as a
background task; confirming starts the import the same way. The tasks write their progress in
short transactions of their own, so that the page can show it while they run (SQLite has one
writer: each progress write is one small UPDATE, outside the import's own transaction)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.importing import ImportRefused, ImportResult, import_file

from .models import ImportBatch, Organisation

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes


def import_options(batch: ImportBatch) -> dict[str, Any]:
    """The options each kind of import takes from the web form."""
    if batch.kind == "people":
        return {"keep_missing": batch.keep_missing, "allow_deactivation": batch.allow_deactivation}
    return {}


def import_batch_create(
    *, organisation: Organisation, kind: str, filename: str, content: bytes, keep_missing: bool, user: Any
) -> ImportBatch:
    """Store an upload and start its preview; returns at once."""
    from .tasks import import_preview_task

    import_batches_purge()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            organisation=organisation,
            kind=kind,
            filename=filename[:255],
            content=content,
            keep_missing=keep_missing,
            uploaded_by=user,
            status=ImportBatch.Status.CHECKING,
        )
        batch_id = batch.pk
        transaction.on_commit(lambda: import_preview_task.enqueue(batch_id))
    return batch


class ConfirmError(Exception):
    pass


def import_batch_confirm(*, batch: ImportBatch, user: Any, allow_deactivation: bool) -> None:
    """Start the import of a previewed batch. An import that would deactivate more than a fifth
    of the active people needs ``allow_deactivation`` (the preview's tick)."""
    from .tasks import import_apply_task

    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ConfirmError(_("This import cannot be confirmed (it was refused or already applied)."))
    if batch.summary.get("notices", {}).get("mass_deactivation") and not allow_deactivation:
        raise ConfirmError(
            _(
                "This import deactivates more than a fifth of the active people: tick the box to confirm "
                "that this is intended."
            )
        )
    with transaction.atomic():
        started = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
            status=ImportBatch.Status.IMPORTING,
            confirmed_by=user,
            allow_deactivation=allow_deactivation,
            progress_done=0,
            progress_total=0,
        )
        if not started:  # confirmed twice at once: the first one wins
            raise ConfirmError(_("This import cannot be confirmed (it was refused or already applied)."))
        batch_id = batch.pk
        transaction.on_commit(lambda: import_apply_task.enqueue(batch_id))


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


def import_batches_purge(*, days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete uploads never confirmed (with their file) older than the retention period."""
    days = settings.KOMPETENSLYFT_IMPORT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _per_model = (
        ImportBatch.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=[ImportBatch.Status.APPLIED, ImportBatch.Status.IMPORTING])
        .delete()
    )
    return deleted
