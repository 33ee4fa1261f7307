"""Writes on organisations, people, accounts and import batches. Every change is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kompetenslyft.core.access import forget_access
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.models import Grant, ProductRole
from kompetenslyft.core.queue import enqueue

from .models import ImportBatch, Organisation, Person, Placement


class OrganisationChoiceError(Exception):
    pass


def organisation_for_command(*, code: str | None) -> Organisation:
    """The organisation an import or command addresses (formats.md): the one named by
    ``--organisation``; else the installation's only one; else a new one; never a guess
    among several."""
    if code:
        try:
            return Organisation.objects.get(code=code)
        except Organisation.DoesNotExist as exc:
            known = ", ".join(Organisation.objects.values_list("code", flat=True)) or "–"
            raise OrganisationChoiceError(
                _("There is no organisation with the code '%(code)s' (known: %(known)s).")
                % {"code": code, "known": known}
            ) from exc
    organisations = list(Organisation.objects.all()[:2])
    if len(organisations) == 1:
        return organisations[0]
    if len(organisations) > 1:
        known = ", ".join(Organisation.objects.values_list("code", flat=True))
        raise OrganisationChoiceError(
            _(
                "This installation has several organisations; name one with --organisation "
                "(one of: %(known)s)."
            )
            % {"known": known}
        )
    return organisation_create(code="organisation", name=_("My organisation"))


@transaction.atomic
def organisation_create(
    *, code: str, name: str, language: str = "", currency: str = "", actor: Any = None
) -> Organisation:
    """``language`` (sv, nb, en) defaults to the installation's; ``currency`` follows the
    language (NOK for Norwegian, SEK otherwise) unless given."""
    code = slugify(code)
    if not code:
        raise ValidationError(_("An organisation needs a code."))
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("'%(language)s' is not a language of the product.") % {"language": language})
    currency = (currency or ("NOK" if language == "nb" else "SEK")).upper()
    organisation = Organisation.objects.create(code=code, name=name, language=language, currency=currency)
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent("organisation.created", "organisation", code, name),
    )
    return organisation


@transaction.atomic
def grant_add(*, user: Any, organisation: Organisation, role: str, actor: Any = None) -> Grant:
    if role not in ProductRole.values:
        raise ValidationError(_("'%(role)s' is not a product role.") % {"role": role})
    grant, created = Grant.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(
            actor=actor,
            organisation=organisation,
            event=AuditEvent("grant.added", "user", str(user.pk), user.get_username(), {"role": role}),
        )
    forget_access(user)
    return grant


@transaction.atomic
def grant_remove(*, user: Any, organisation: Organisation, role: str, actor: Any = None) -> None:
    deleted, _rows = Grant.objects.filter(user=user, organisation=organisation, role=role).delete()
    if deleted:
        audit_record(
            actor=actor,
            organisation=organisation,
            event=AuditEvent("grant.removed", "user", str(user.pk), user.get_username(), {"role": role}),
        )
    forget_access(user)


@transaction.atomic
def account_for_person(
    *, person: Person, username: str | None = None, password: str | None = None, actor: Any = None
) -> Any:
    """The login account of a person, created if it has none (with an unusable password
    unless one is given: the person then sets one through the password-reset e-mail)."""
    if person.user is not None:
        user = person.user
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user
    user_model = get_user_model()
    base = username or person.email or f"{person.organisation.code}-{person.employee_id}"
    candidate, suffix = base.lower(), 1
    while user_model.objects.filter(username=candidate).exists():
        suffix += 1
        candidate = f"{base.lower()}-{suffix}"
    user = user_model(
        username=candidate,
        email=person.email,
        first_name=person.given_name,
        last_name=person.family_name,
        is_active=person.is_active,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    audit_record(
        actor=actor,
        organisation=person.organisation,
        event=AuditEvent(
            "account.created", "person", person.employee_id, person.full_name, {"username": candidate}
        ),
    )
    return user


def person_set_language(*, person: Person, language: str) -> None:
    if language not in {"sv", "nb", "en"}:
        raise ValidationError(_("'%(language)s' is not a language of the product.") % {"language": language})
    if person.language != language:
        Person.objects.filter(pk=person.pk).update(language=language)
        person.language = language


@transaction.atomic
def person_deactivate(*, person: Person, actor: Any = None) -> None:
    if not person.is_active:
        return
    today = timezone.localdate()
    person.is_active = False
    person.deactivated_on = today
    person.save(update_fields=["is_active", "deactivated_on"])
    for placement in Placement.objects.filter(person=person, valid_to__isnull=True):
        placement.valid_to = today
        placement.save(update_fields=["valid_to"])
    if person.user_id:
        get_user_model().objects.filter(pk=person.user_id).update(is_active=False)
    audit_record(
        actor=actor,
        organisation=person.organisation,
        event=AuditEvent("person.deactivated", "person", person.employee_id, person.full_name),
    )


# --- import batches (the web import: upload → preview task → confirm → import task) ------------


class ConfirmError(Exception):
    pass


def _batch_event(batch: ImportBatch, action: str, **changes: Any) -> AuditEvent:
    return AuditEvent(action, "import_batch", str(batch.pk), f"{batch.kind}: {batch.filename}", changes)


@transaction.atomic
def import_batch_create(
    *, organisation: Organisation, kind: str, filename: str, content: bytes, keep_missing: bool, user: Any
) -> ImportBatch:
    """Store an upload and start its preview (a background task); returns at once."""
    import_batches_purge()
    batch = ImportBatch.objects.create(
        organisation=organisation,
        kind=kind,
        filename=filename[:255],
        content=content,
        keep_missing=keep_missing,
        uploaded_by=user,
        status=ImportBatch.Status.CHECKING,
    )
    audit_record(
        actor=user,
        organisation=organisation,
        event=_batch_event(batch, "import.uploaded", bytes=len(content), keep_missing=keep_missing),
    )
    enqueue("org.import_preview_task", batch.pk)
    return batch


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, user: Any, allow_deactivation: bool) -> None:
    """Start the import of a previewed batch. An import that would deactivate more than a fifth
    of the active people needs ``allow_deactivation`` (the preview's tick)."""
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ConfirmError(_("This import cannot be confirmed (it was refused or already applied)."))
    if batch.summary.get("notices", {}).get("mass_deactivation") and not allow_deactivation:
        raise ConfirmError(
            _(
                "This import deactivates more than a fifth of the active people: tick the box to confirm "
                "that this is intended."
            )
        )
    started = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.IMPORTING,
        confirmed_by=user,
        allow_deactivation=allow_deactivation,
        progress_done=0,
        progress_total=0,
    )
    if not started:  # confirmed twice at once: the first one wins
        raise ConfirmError(_("This import cannot be confirmed (it was refused or already applied)."))
    audit_record(
        actor=user,
        organisation=batch.organisation,
        event=_batch_event(batch, "import.confirmed", allow_deactivation=allow_deactivation),
    )
    enqueue("org.import_apply_task", batch.pk)


@transaction.atomic
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
