"""Writes of the retention app: a lead's rules, the nightly application of the rules, a lead's
decision to pseudonymise one person now (ADR 0018)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.queue import enqueue
from kompetenslyft.org.models import Organisation, Person

from . import registry, selectors
from .models import Erasure, RetentionRule, RetentionRun
from .pseudonymise import pseudonymise_person

MAX_MONTHS = 1200


class DecisionRefused(ValueError):
    """A decision that may not be carried out (the message says why, translated)."""


@transaction.atomic
def rule_set(*, organisation: Organisation, kind: str, months: int | None, actor: Any) -> None:
    """Set the organisation's retention time for ``kind`` (``None``: back to the default)."""
    entry = registry.get(kind)
    before = selectors.months_for(organisation, kind)
    if months is None:
        RetentionRule.objects.filter(organisation=organisation, kind=kind).delete()
    else:
        if not 1 <= months <= MAX_MONTHS:
            raise ValueError(f"months must be from 1 to {MAX_MONTHS}")
        RetentionRule.objects.update_or_create(
            organisation=organisation,
            kind=kind,
            defaults={"months": months, "updated_by": actor if getattr(actor, "pk", None) else None},
        )
    after = selectors.months_for(organisation, kind)
    if before != after:
        audit_record(
            actor=actor,
            organisation=organisation,
            event=AuditEvent(
                "retention.rule", "retention.RetentionRule", kind, entry.key, {"months": [before, after]}
            ),
        )


@transaction.atomic
def rules_set(*, organisation: Organisation, months: dict[str, int | None], actor: Any) -> None:
    """Several retention times at once (the lead's form), in one transaction."""
    for kind, value in months.items():
        rule_set(organisation=organisation, kind=kind, months=value, actor=actor)


# --- the nightly run -------------------------------------------------------------------------


def nightly(*, today: dt.date | None = None) -> dict[str, int]:
    """Apply every organisation's rules (``kompetenslyft retention`` enqueues this as a task)."""
    today = today or timezone.localdate()
    totals: dict[str, int] = {}
    for organisation in Organisation.objects.order_by("pk"):
        for kind, applied in rules_apply(organisation, today=today).items():
            totals[kind] = totals.get(kind, 0) + applied
    return totals


def rules_apply(organisation: Organisation, *, today: dt.date) -> dict[str, int]:
    """Apply one organisation's rules; the run writes its progress on a :class:`RetentionRun`.
    Each kind works in short transactions of its own (SQLite has one writer)."""
    lines = selectors.dry_run(organisation, today=today)
    run = RetentionRun.objects.create(
        organisation=organisation,
        kind=RetentionRun.Kind.NIGHTLY,
        status=RetentionRun.Status.RUNNING,
        total=sum(line.count for line in lines),
    )
    counts: dict[str, int] = {}
    done_before = 0
    try:
        for line in lines:
            if not line.count:
                counts[line.kind.key] = 0
                continue
            RetentionRun.objects.filter(pk=run.pk).update(stage=line.kind.key)
            base = done_before

            def progress(n: int, base: int = base, run_id: int = run.pk) -> None:
                RetentionRun.objects.filter(pk=run_id).update(done=base + n)

            applied = line.kind.apply(organisation, line.cutoff, progress)
            counts[line.kind.key] = applied
            done_before += applied
    except Exception:
        RetentionRun.objects.filter(pk=run.pk).update(
            status=RetentionRun.Status.FAILED, counts=counts, finished_at=timezone.now()
        )
        raise
    RetentionRun.objects.filter(pk=run.pk).update(
        status=RetentionRun.Status.DONE,
        stage="",
        done=done_before,
        counts=counts,
        finished_at=timezone.now(),
    )
    if any(counts.values()):
        audit_record(
            actor=None,
            organisation=organisation,
            event=AuditEvent("retention.nightly", "retention.RetentionRun", str(run.pk), "", counts),
        )
    return counts


def nightly_enqueue() -> None:
    enqueue("retention.nightly_task")


# --- a lead's decision ------------------------------------------------------------------------


@transaction.atomic
def decision_request(*, person: Person, actor: Any, reason: str, exception: bool) -> RetentionRun:
    """A lead decides that ``person`` is pseudonymised now: allowed for people who have left,
    or as a confirmed exception (an erasure request under art. 17). Audited with the reason;
    the work runs as a background task whose progress the returned run shows."""
    reason = reason.strip()
    if not reason:
        raise DecisionRefused(_("Give the reason for the decision."))
    if Erasure.objects.filter(person_id=person.pk).exists():
        raise DecisionRefused(_("This person is already pseudonymised."))
    if person.is_active and not exception:
        raise DecisionRefused(
            _("This person has not left. Confirm that this is an exception, such as a request for erasure.")
        )
    audit_record(
        actor=actor,
        organisation=person.organisation,
        event=AuditEvent(
            "retention.decision",
            "org.Person",
            str(person.pk),
            "",
            {"reason": reason, "exception": bool(person.is_active and exception)},
        ),
    )
    run = RetentionRun.objects.create(
        organisation=person.organisation,
        kind=RetentionRun.Kind.DECISION,
        total=1,
        requested_by=actor if getattr(actor, "pk", None) else None,
        counts={"person": person.pk},
    )
    # The reason stays in the decision's audit entry (scrubbed with the person's names when
    # the work is done): not in the task's arguments, which the task table keeps.
    enqueue("retention.decision_task", run.pk, person.pk)
    return run


def decision_apply(*, run_id: int, person_id: int, reason: str = "") -> int:
    """The background part of a decision: the person pseudonymised in one transaction."""
    run = RetentionRun.objects.select_related("requested_by").get(pk=run_id)
    RetentionRun.objects.filter(pk=run.pk).update(status=RetentionRun.Status.RUNNING, stage="leavers")
    person = (
        Person.objects.filter(pk=person_id, organisation_id=run.organisation_id).first()
        if run.organisation_id is not None
        else None
    )
    if person is None:
        RetentionRun.objects.filter(pk=run.pk).update(
            status=RetentionRun.Status.FAILED, finished_at=timezone.now()
        )
        return 0
    try:
        erasure = pseudonymise_person(
            person, source=Erasure.Source.DECISION, actor=run.requested_by, reason=reason
        )
    except Exception:
        RetentionRun.objects.filter(pk=run.pk).update(
            status=RetentionRun.Status.FAILED, finished_at=timezone.now()
        )
        raise
    RetentionRun.objects.filter(pk=run.pk).update(
        status=RetentionRun.Status.DONE,
        stage="",
        done=1,
        counts={"person": person_id, "statements": erasure.statements},
        finished_at=timezone.now(),
    )
    return 1
