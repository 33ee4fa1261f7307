"""A manager's decisions on its people's proposals (confirm, swap a module, exempt with a
reason) and booking its assigned people onto a session. The callers pass proposals and people
already scoped to the manager (``learning.manager_selectors``); every write is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.org.models import Person

from . import services
from .models import Booking, Module, Proposal, Session, proposal_counts

REASON_MAX = 300


def _audit(proposal: Proposal, actor: Any, name: str, detail: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        organisation=proposal.initiative.organisation,
        event=AuditEvent(
            name,
            "proposal",
            str(proposal.pk),
            f"{proposal.initiative.code}: {proposal.person.full_name}",
            {"initiative": proposal.initiative.code, "person": proposal.person.employee_id, **detail},
        ),
    )


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update()
        .select_related("initiative", "initiative__organisation", "person")
        .get(pk=proposal.pk)
    )


def _save_items(proposal: Proposal, items: dict[str, Any]) -> None:
    proposal.items = items
    proposal.assigned, proposal.exempt = proposal_counts(items)
    proposal.save(update_fields=["items", "assigned", "exempt", "updated_at"])


@transaction.atomic
def proposal_confirm(*, proposal: Proposal, actor: Any) -> bool:
    """Confirm one person's proposal: its assigned modules go on the person's journey.
    Returns whether it was still to confirm."""
    proposal = _locked(proposal)
    if proposal.status == Proposal.Status.CONFIRMED:
        return False
    proposal.status = Proposal.Status.CONFIRMED
    proposal.confirmed_by = actor
    proposal.confirmed_at = timezone.now()
    proposal.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    _audit(proposal, actor, "proposal.confirmed", {})
    return True


@transaction.atomic
def proposal_swap(*, proposal: Proposal, module: Module, replacement: Module, actor: Any) -> Proposal:
    """Assign ``replacement`` (another module of the initiative) instead of ``module``."""
    proposal = _locked(proposal)
    decisions = proposal.decisions()
    if decisions.get(module.pk, {}).get("s") != "assigned":
        raise ValidationError(_("The module is not assigned to this person."))
    if not proposal.initiative.modules.filter(pk=replacement.pk).exists():
        raise ValidationError(_("The module is not one of the initiative's modules."))
    if replacement.pk == module.pk or decisions.get(replacement.pk, {}).get("s") == "assigned":
        raise ValidationError(_("The person is already assigned that module."))
    items = dict(proposal.items or {})
    swaps = dict(items.get("w", {}))
    exempt = dict(items.get("e", {}))
    # Swapping a module that was itself swapped in replaces the original module.
    original = swaps.pop(str(module.pk), module.pk)
    swaps[str(replacement.pk)] = int(original)
    exempt.pop(str(replacement.pk), None)
    items["w"], items["e"] = swaps, exempt
    _save_items(proposal, items)
    _audit(proposal, actor, "proposal.swapped", {"module": module.code, "instead": replacement.code})
    return proposal


def clean_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ValidationError(_("Give a reason for the exemption."))
    if any(ord(c) < 32 or ord(c) == 127 for c in reason if c not in "\t\n\r"):
        raise ValidationError(_("The reason contains control characters."))
    if len(text) > REASON_MAX:
        raise ValidationError(_("The reason is too long (at most %(max)s characters).") % {"max": REASON_MAX})
    return text


@transaction.atomic
def proposal_exempt(*, proposal: Proposal, module: Module, reason: str, actor: Any) -> Proposal:
    """Exempt the person from an assigned module, with the manager's reason (shown on the
    person's journey)."""
    text = clean_reason(reason)
    proposal = _locked(proposal)
    if proposal.decisions().get(module.pk, {}).get("s") != "assigned":
        raise ValidationError(_("The module is not assigned to this person."))
    items = dict(proposal.items or {})
    exempt = dict(items.get("e", {}))
    exempt[str(module.pk)] = text
    items["e"] = exempt
    _save_items(proposal, items)
    _audit(proposal, actor, "proposal.exempted", {"module": module.code, "reason": text})
    return proposal


@transaction.atomic
def proposals_exempt_on_evidence(*, person: Person, module: Module, reason: str, actor: Any) -> int:
    """Exempt ``person`` from ``module`` on each of its current proposals (confirmed or not)
    that assign it because of a gap, with ``reason`` (evidence such as a passed knowledge test;
    a module mandatory for the role stays assigned). Audited per proposal; returns how many."""
    text = clean_reason(reason)
    count = 0
    proposals = (
        Proposal.objects.select_for_update()
        .filter(person=person)
        .select_related("initiative", "initiative__organisation", "person")
        .order_by("pk")
    )
    for proposal in proposals:
        decision = proposal.decisions().get(module.pk, {})
        if decision.get("s") != "assigned" or decision.get("r") not in ("below", "swapped"):
            continue
        items = dict(proposal.items or {})
        items["e"] = {**items.get("e", {}), str(module.pk): text}
        _save_items(proposal, items)
        _audit(proposal, actor, "proposal.exempted_on_evidence", {"module": module.code, "reason": text})
        count += 1
    return count


def bookings_cancel_when_exempt(*, person: Person, module: Module, actor: Any) -> int:
    """After an exemption on evidence: cancel the person's coming bookings and waiting-list
    places on the module's sessions, each through ``services.booking_cancel`` (the place is
    freed, the first waiting moves up and is invited, the session's list shows it cancelled) —
    unless a proposal of the person still assigns the module (mandatory for its role). Returns
    how many were cancelled."""
    still = any(
        p.decisions().get(module.pk, {}).get("s") == "assigned"
        for p in Proposal.objects.filter(person=person).only("items")
    )
    if still:
        return 0
    cancelled = 0
    for booking in Booking.objects.filter(
        person=person,
        session__module=module,
        session__cancelled=False,
        session__attendance_taken_at__isnull=True,
        session__starts_at__gte=timezone.now(),
        status__in=[Booking.Status.BOOKED, Booking.Status.WAITING],
    ).order_by("pk"):
        services.booking_cancel(booking=booking, actor=actor)
        cancelled += 1
    return cancelled


@transaction.atomic
def booking_book_people(
    *, session: Session, people: list[Person], actor: Any
) -> tuple[list[Person], list[Person]]:
    """Book each of ``people`` (already checked to be the caller's own and bookable) on the
    session through ``services.booking_book``: returns who got a place and who is waiting."""
    booked: list[Person] = []
    waiting: list[Person] = []
    for person in people:
        booking = services.booking_book(session=session, person=person, actor=actor)
        (booked if booking.status == Booking.Status.BOOKED else waiting).append(person)
    if booked or waiting:
        audit_record(
            actor=actor,
            organisation=session.organisation,
            event=AuditEvent(
                "session.people_booked",
                "session",
                str(session.pk),
                str(session),
                {"booked": len(booked), "waiting": len(waiting)},
            ),
        )
    return booked, waiting
