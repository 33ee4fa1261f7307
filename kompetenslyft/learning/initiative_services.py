"""Writes that change an initiative after it was created: its details (name, purpose, period,
budget), its target group (units, roles), its modules, its measurable goals and the entries of
its plan (actions, communications, risks, the checklist, lessons). Each is audited.

Changing the target group or the modules can strand what was made from them. The rules:

* a person's **confirmed** proposal, or a **booking** on one of the initiative's sessions of a
  module, depends on what it was made from: a change that would take it away is refused, with
  a message naming how many of what depend on it;
* unconfirmed proposals are only suggestions: those of people who leave the target group are
  deleted, and proposals are made again when a module that they named is removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.org.models import Person, Role, Unit

from . import participation
from .models import Booking, Initiative, InitiativeGoal, Module, PlanEntry, Proposal, SupportContact
from .scope_rules import check_scope_change
from .services import initiative_people, proposals_request

PLAN_FIELDS = (
    "kind",
    "phase",
    "text",
    "audience",
    "channel",
    "owner",
    "due_on",
    "likelihood",
    "impact",
    "mitigation",
)
GOAL_FIELDS = ("kind", "description", "target_share", "target_count", "women_share", "due_on")


@dataclass(frozen=True)
class Change:
    """What a change did besides itself, for the message the user sees."""

    proposals_removed: int = 0
    proposals_renewed: bool = False


def _audit(initiative: Initiative, actor: Any, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(action, "initiative", initiative.code, initiative.name, changes),
    )


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    name: str,
    purpose: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    budget: Decimal | None = None,
    actor: Any = None,
) -> Initiative:
    """Change the name, purpose, period and budget."""
    if not name.strip():
        raise ValidationError(_("An initiative needs a name."))
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("The initiative ends before it starts."))
    period_changed = (initiative.starts_on, initiative.ends_on) != (starts_on, ends_on)
    if period_changed:
        modules = list(initiative.modules.values_list("pk", flat=True))
        check_scope_change(
            organisation_id=initiative.organisation_id,
            actor=actor,
            before=(modules, initiative.starts_on, initiative.ends_on),
            after=(modules, starts_on, ends_on),
        )
    before = {
        "name": initiative.name,
        "purpose": initiative.purpose,
        "starts_on": initiative.starts_on,
        "ends_on": initiative.ends_on,
        "budget": initiative.budget,
    }
    initiative.name = name.strip()
    initiative.purpose = purpose
    initiative.starts_on = starts_on
    initiative.ends_on = ends_on
    initiative.budget = budget
    initiative.save(update_fields=["name", "purpose", "starts_on", "ends_on", "budget"])
    if period_changed:
        participation.refresh_initiative(initiative)
    after = {k: getattr(initiative, k) for k in before}
    _audit(
        initiative,
        actor,
        "initiative.updated",
        {k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return initiative


def _stranded_confirmed(initiative: Initiative, people: Any) -> int:
    """Confirmed proposals of people who are not in ``people`` (the new target group)."""
    return (
        Proposal.objects.filter(initiative=initiative, status=Proposal.Status.CONFIRMED)
        .exclude(person__in=people.values("pk"))
        .count()
    )


def _set_target(
    *, initiative: Initiative, units: list[Unit], roles: list[Role], actor: Any, action: str
) -> Change:
    if not units:
        raise ValidationError(_("Choose at least one unit."))
    if any(u.organisation_id != initiative.organisation_id for u in units) or any(
        r.organisation_id != initiative.organisation_id for r in roles
    ):
        raise ValidationError(_("Choose units and roles of the initiative's organisation."))
    before_units = sorted(initiative.units.values_list("unit_id", flat=True))
    before_roles = sorted(initiative.roles.values_list("name", flat=True))
    initiative.units.set(units)
    initiative.roles.set(roles)
    people = initiative_people(initiative)
    confirmed = _stranded_confirmed(initiative, people)
    if confirmed:
        raise ValidationError(
            ngettext(
                "%(count)s person with a confirmed proposal would leave the target group; "
                "keep the units and roles that include them.",
                "%(count)s people with confirmed proposals would leave the target group; "
                "keep the units and roles that include them.",
                confirmed,
            )
            % {"count": confirmed}
        )
    removed, _kinds = (
        Proposal.objects.filter(initiative=initiative).exclude(person__in=people.values("pk")).delete()
    )
    _audit(
        initiative,
        actor,
        action,
        {
            "units": [before_units, sorted(u.unit_id for u in units)],
            "roles": [before_roles, sorted(r.name for r in roles)],
            "proposals_removed": removed,
        },
    )
    return Change(proposals_removed=removed)


@transaction.atomic
def initiative_units_set(*, initiative: Initiative, units: list[Unit], actor: Any = None) -> Change:
    """Change the target units (each with the units below it). Unconfirmed proposals of people
    who leave the target group are deleted; a confirmed one refuses the change."""
    return _set_target(
        initiative=initiative,
        units=units,
        roles=list(initiative.roles.all()),
        actor=actor,
        action="initiative.units_changed",
    )


@transaction.atomic
def initiative_roles_set(*, initiative: Initiative, roles: list[Role], actor: Any = None) -> Change:
    """Change the target roles (none: every role), with the rules of the units."""
    return _set_target(
        initiative=initiative,
        units=list(initiative.units.all()),
        roles=roles,
        actor=actor,
        action="initiative.roles_changed",
    )


def _module_dependents(initiative: Initiative, module_ids: set[int]) -> tuple[int, int]:
    """(confirmed proposals assigning, active bookings on the initiative's sessions) of modules."""
    confirmed = 0
    keys = {str(m) for m in module_ids}
    for items in (
        Proposal.objects.filter(initiative=initiative, status=Proposal.Status.CONFIRMED)
        .values_list("items", flat=True)
        .iterator(chunk_size=2000)
    ):
        items = items or {}
        named = set(items.get("b", {})) | {str(m) for m in items.get("m", [])}
        if named & keys:
            confirmed += 1
    bookings = Booking.objects.filter(
        session__initiative=initiative,
        session__module_id__in=module_ids,
        session__cancelled=False,
        status__in=[Booking.Status.BOOKED, Booking.Status.WAITING],
    ).count()
    return confirmed, bookings


@transaction.atomic
def initiative_modules_set(*, initiative: Initiative, modules: list[Module], actor: Any = None) -> Change:
    """Change the modules. A module that confirmed proposals assign, or that people are booked
    on in the initiative's sessions, is not removed (the message names what depends on it);
    when a removed module was in proposals, they are made again without it."""
    if any(m.organisation_id not in (None, initiative.organisation_id) for m in modules):
        raise ValidationError(_("Choose modules of the organisation or shared with the network."))
    before = {m.pk: m for m in initiative.modules.all()}
    wanted = {m.pk for m in modules}
    removed = set(before) - wanted
    if wanted != set(before):
        check_scope_change(
            organisation_id=initiative.organisation_id,
            actor=actor,
            before=(list(before), initiative.starts_on, initiative.ends_on),
            after=(sorted(wanted), initiative.starts_on, initiative.ends_on),
        )
    renewed = False
    if removed:
        confirmed, bookings = _module_dependents(initiative, removed)
        if confirmed or bookings:
            names = ", ".join(sorted(f"{before[m].code} {before[m].name}" for m in removed))
            raise ValidationError(
                _(
                    "%(modules)s cannot be removed: %(confirmed)s confirmed proposal(s) assign it "
                    "and %(bookings)s person(s) are booked on its sessions in this initiative."
                )
                % {"modules": names, "confirmed": confirmed, "bookings": bookings}
            )
        renewed = Proposal.objects.filter(initiative=initiative).exists()
    initiative.modules.set(modules)
    participation.refresh_initiative(initiative)
    _audit(
        initiative,
        actor,
        "initiative.modules_changed",
        {"modules": [sorted(m.code for m in before.values()), sorted(m.code for m in modules)]},
    )
    if renewed:
        transaction.on_commit(lambda: proposals_request(initiative=initiative, actor=actor))
    return Change(proposals_renewed=renewed)


def _check_goal(data: dict[str, Any]) -> None:
    if data.get("kind") not in InitiativeGoal.Kind.values:
        raise ValidationError(_("Choose a kind of goal."))
    for name in ("target_share", "women_share"):
        value = data.get(name)
        if value is not None and not Decimal(0) <= value <= Decimal(1):
            raise ValidationError(_("A share is between 0 and 100 %."))


@transaction.atomic
def goal_create(
    *, initiative: Initiative, data: dict[str, Any], competences: Iterable[Any] = (), actor: Any = None
) -> InitiativeGoal:
    """``data``: the fields of ``GOAL_FIELDS``; shares as fractions (0.8 for 80 %)."""
    _check_goal(data)
    data = {**{k: data.get(k) for k in GOAL_FIELDS}, "description": data.get("description") or ""}
    goal = InitiativeGoal.objects.create(initiative=initiative, **data)
    goal.competences.set(list(competences))
    _audit(initiative, actor, "initiative.goal_added", {"goal": goal.pk, **data})
    return goal


@transaction.atomic
def goal_update(
    *, goal: InitiativeGoal, data: dict[str, Any], competences: Iterable[Any] = (), actor: Any = None
) -> InitiativeGoal:
    _check_goal(data)
    data = {**{k: data.get(k) for k in GOAL_FIELDS}, "description": data.get("description") or ""}
    for name in GOAL_FIELDS:
        setattr(goal, name, data.get(name))
    goal.save(update_fields=list(GOAL_FIELDS))
    goal.competences.set(list(competences))
    _audit(goal.initiative, actor, "initiative.goal_changed", {"goal": goal.pk, **data})
    return goal


@transaction.atomic
def goal_delete(*, goal: InitiativeGoal, actor: Any = None) -> None:
    initiative = goal.initiative
    _audit(initiative, actor, "initiative.goal_removed", {"goal": goal.pk, "description": goal.description})
    goal.delete()


def _check_entry(data: dict[str, Any]) -> None:
    if data.get("kind") not in PlanEntry.Kind.values:
        raise ValidationError(_("Choose a kind of plan entry."))
    if (data.get("phase") or "") not in ("", *PlanEntry.Phase.values):
        raise ValidationError(_("Choose a phase."))
    if not (data.get("text") or "").strip():
        raise ValidationError(_("Write the text of the entry."))


@transaction.atomic
def plan_entry_create(*, initiative: Initiative, data: dict[str, Any], actor: Any = None) -> PlanEntry:
    """``data``: the fields of ``PLAN_FIELDS``; a new entry goes last in its kind and phase."""
    _check_entry(data)
    last = (
        PlanEntry.objects.filter(initiative=initiative, kind=data["kind"], phase=data.get("phase") or "")
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    fields = {k: data.get(k) for k in PLAN_FIELDS}
    fields["phase"] = fields["phase"] or ""
    for text in ("audience", "channel", "owner", "mitigation"):
        fields[text] = fields[text] or ""
    entry = PlanEntry.objects.create(
        initiative=initiative, position=(last + 1) if last is not None else 0, **fields
    )
    _audit(initiative, actor, "initiative.entry_added", {"entry": entry.pk, "kind": entry.kind})
    return entry


@transaction.atomic
def plan_entry_update(*, entry: PlanEntry, data: dict[str, Any], actor: Any = None) -> PlanEntry:
    _check_entry(data)
    for name in PLAN_FIELDS:
        value = data.get(name)
        if name in ("phase", "audience", "channel", "owner", "mitigation"):
            value = value or ""
        setattr(entry, name, value)
    entry.save(update_fields=list(PLAN_FIELDS))
    _audit(entry.initiative, actor, "initiative.entry_changed", {"entry": entry.pk, "kind": entry.kind})
    return entry


@transaction.atomic
def plan_entry_delete(*, entry: PlanEntry, actor: Any = None) -> None:
    _audit(
        entry.initiative,
        actor,
        "initiative.entry_removed",
        {"entry": entry.pk, "kind": entry.kind, "text": entry.text[:200]},
    )
    entry.delete()


@transaction.atomic
def plan_entry_toggle(*, entry: PlanEntry, actor: Any = None) -> PlanEntry:
    """Mark an entry done, or not done again."""
    entry.done = not entry.done
    entry.save(update_fields=["done"])
    _audit(entry.initiative, actor, "initiative.entry_done", {"entry": entry.pk, "done": entry.done})
    return entry


@transaction.atomic
def initiative_settings(
    *,
    initiative: Initiative,
    status: str,
    owner_ids: list[str],
    steering_ids: list[str],
    support_ids: list[str] | None = None,
    actor: Any = None,
) -> list[str]:
    """Set the status, owners, steering group and the trainers and super users who answer the
    initiative's questions (by employee id, within the organisation). Returns the ids that name
    no one; nothing is changed then."""
    support_ids = support_ids or []
    named = owner_ids + steering_ids + support_ids
    people = {
        p.employee_id: p
        for p in Person.objects.filter(
            organisation_id=initiative.organisation_id, is_active=True, employee_id__in=named
        )
    }
    unknown = [e for e in named if e not in people]
    if unknown:
        return unknown
    initiative.status = status
    initiative.save(update_fields=["status"])
    initiative.owners.set([people[e] for e in owner_ids])
    initiative.steering_group.set([people[e] for e in steering_ids])
    SupportContact.objects.filter(initiative=initiative).exclude(person__employee_id__in=support_ids).delete()
    for employee_id in support_ids:
        SupportContact.objects.get_or_create(initiative=initiative, person=people[employee_id])
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "initiative.settings",
            "initiative",
            initiative.code,
            initiative.name,
            {"status": status, "owners": owner_ids, "steering_group": steering_ids, "support": support_ids},
        ),
    )
    return []
