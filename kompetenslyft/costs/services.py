"""Writing an initiative's costs: entries (add, change, remove) and its settings. Each checks
that the actor may change the initiative's costs (its lead or project leaders) and is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Required, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kompetenslyft.core.access import access_for
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.learning.models import Initiative, Module, Session
from kompetenslyft.org.models import Role

from .figures import initiative_sessions
from .models import CostEntry, CostSettings, RoleHourlyCost
from .selectors import cost_view


def _check(actor: Any, initiative: Initiative) -> None:
    view = cost_view(access_for(actor), initiative)
    if view is None or not view.edits:
        raise PermissionDenied("not a lead or project leader of the initiative")


def _validate(
    initiative: Initiative,
    *,
    kind: str,
    module: Module | None,
    session: Session | None,
    hours: Decimal | None,
    rate: Decimal | None,
    amount: Decimal | None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in CostEntry.Kind.values:
        errors["kind"] = _("Choose a kind of cost.")
    for name, value in (("hours", hours), ("rate", rate), ("amount", amount)):
        if value is not None and value < 0:
            errors[name] = _("Ensure this value is greater than or equal to 0.")
    if module is not None and not initiative.modules.filter(pk=module.pk).exists():
        errors["module"] = _("The module is not one of the initiative's.")
    if session is not None and not initiative_sessions(initiative).filter(pk=session.pk).exists():
        errors["session"] = _("The session is not one of the initiative's.")
    if kind == CostEntry.Kind.TRAINER:
        if rate is None:
            errors["rate"] = _("Give the trainers' hourly rate.")
        if hours is None and module is None and session is None:
            errors["hours"] = _("Give the hours, or a module or session whose sessions' hours count.")
    elif amount is None:
        errors["amount"] = _("Give the amount.")
    if errors:
        raise ValidationError(errors)


def _changes(entry: CostEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "description": entry.description,
        "module": entry.module_id,
        "session": entry.session_id,
        "hours": entry.hours,
        "rate": entry.rate,
        "amount": entry.amount,
    }


class CostFields(TypedDict, total=False):
    """What a cost entry is made of (``kind`` is required): the same for a new one and a change."""

    kind: Required[str]
    description: str
    module: Module | None
    session: Session | None
    hours: Decimal | None
    rate: Decimal | None
    amount: Decimal | None


def _values(initiative: Initiative, fields: CostFields) -> dict[str, Any]:
    """The entry's fields, checked: a trainer's cost is hours × rate, any other an amount."""
    kind = fields["kind"]
    module, session = fields.get("module"), fields.get("session")
    hours, rate, amount = fields.get("hours"), fields.get("rate"), fields.get("amount")
    _validate(initiative, kind=kind, module=module, session=session, hours=hours, rate=rate, amount=amount)
    trainer = kind == CostEntry.Kind.TRAINER
    return {
        "kind": kind,
        "description": fields.get("description", ""),
        "module": module,
        "session": session,
        "hours": hours if trainer else None,
        "rate": rate if trainer else None,
        "amount": None if trainer else amount,
    }


@transaction.atomic
def cost_entry_create(*, initiative: Initiative, actor: Any, **fields: Unpack[CostFields]) -> CostEntry:
    _check(actor, initiative)
    entry = CostEntry.objects.create(
        organisation_id=initiative.organisation_id,
        initiative=initiative,
        created_by=actor if getattr(actor, "pk", None) else None,
        **_values(initiative, fields),
    )
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "cost_entry.create", "costs.CostEntry", str(entry.pk), initiative.name, _changes(entry)
        ),
    )
    return entry


@transaction.atomic
def cost_entry_update(*, entry: CostEntry, actor: Any, **fields: Unpack[CostFields]) -> CostEntry:
    initiative = entry.initiative
    _check(actor, initiative)
    values = _values(initiative, fields)
    before = _changes(entry)
    for name, value in values.items():
        setattr(entry, name, value)
    entry.save()
    after = _changes(entry)
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "cost_entry.update",
            "costs.CostEntry",
            str(entry.pk),
            initiative.name,
            {k: [before[k], after[k]] for k in after if before[k] != after[k]},
        ),
    )
    return entry


@transaction.atomic
def cost_entry_remove(*, entry: CostEntry, actor: Any) -> None:
    initiative = entry.initiative
    _check(actor, initiative)
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "cost_entry.remove", "costs.CostEntry", str(entry.pk), initiative.name, _changes(entry)
        ),
    )
    entry.delete()


@transaction.atomic
def cost_settings_save(
    *,
    initiative: Initiative,
    hourly_cost: Decimal | None,
    travel_cost: Decimal | None,
    travel_minutes: int | None,
    actor: Any,
) -> CostSettings:
    _check(actor, initiative)
    errors = {
        name: _("Ensure this value is greater than or equal to 0.")
        for name, value in (
            ("hourly_cost", hourly_cost),
            ("travel_cost", travel_cost),
            ("travel_minutes", travel_minutes),
        )
        if value is not None and value < 0
    }
    if errors:
        raise ValidationError(errors)
    settings, _created = CostSettings.objects.select_for_update().get_or_create(initiative=initiative)
    before = [settings.hourly_cost, settings.travel_cost, settings.travel_minutes]
    settings.hourly_cost, settings.travel_cost, settings.travel_minutes = (
        hourly_cost,
        travel_cost,
        travel_minutes,
    )
    settings.save()
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "cost_settings.save",
            "costs.CostSettings",
            str(settings.pk),
            initiative.name,
            {
                "hourly_cost": [before[0], hourly_cost],
                "travel_cost": [before[1], travel_cost],
                "travel_minutes": [before[2], travel_minutes],
            },
        ),
    )
    return settings


@transaction.atomic
def role_hourly_cost_save(
    *, initiative: Initiative, role: Role, hourly_cost: Decimal | None, actor: Any
) -> None:
    """Set (or, with None, remove) the hourly cost of the participants in ``role``; the others
    count at the initiative's participants' hourly cost."""
    _check(actor, initiative)
    if role.organisation_id != initiative.organisation_id:
        raise ValidationError({"role": _("The role is not one of the organisation's.")})
    if hourly_cost is not None and hourly_cost < 0:
        raise ValidationError({"hourly_cost": _("Ensure this value is greater than or equal to 0.")})
    found = RoleHourlyCost.objects.select_for_update().filter(initiative=initiative, role=role).first()
    before = found.hourly_cost if found else None
    if hourly_cost is None:
        if found is not None:
            found.delete()
    elif found is None:
        RoleHourlyCost.objects.create(initiative=initiative, role=role, hourly_cost=hourly_cost)
    else:
        found.hourly_cost = hourly_cost
        found.save(update_fields=["hourly_cost", "updated_at"])
    if before != hourly_cost:
        audit_record(
            actor=actor,
            organisation=initiative.organisation,
            event=AuditEvent(
                "cost_settings.role_hourly_cost",
                "learning.Initiative",
                str(initiative.pk),
                initiative.name,
                {"role": role.name, "hourly_cost": [before, hourly_cost]},
            ),
        )
