"""Writes of indicators: each in one transaction, audited (who changed which indicator, what
was linked, how many values were written)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.learning.models import Initiative

from .models import Indicator, IndicatorValue
from .ranges import value_problem

FIELDS = ("code", "name", "description", "measure", "better", "target")


def _text(value: Any) -> str:
    """A field's value in the audit log (a decimal without trailing zeros)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _event(action: str, indicator: Indicator, changes: dict[str, Any] | None = None) -> AuditEvent:
    return AuditEvent(action, "indicator", indicator.code, indicator.name, changes or {})


def _check(organisation_id: int, code: str, *, exclude: int | None = None) -> None:
    clash = Indicator.objects.filter(organisation_id=organisation_id, code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"code": _("Another indicator of the organisation has this code.")})


@transaction.atomic
def indicator_create(
    *,
    organisation: Any,
    actor: Any,
    code: str,
    name: str,
    measure: str,
    better: str,
    description: str = "",
    target: Decimal | None = None,
) -> Indicator:
    _check(organisation.pk, code)
    indicator = Indicator(
        organisation=organisation,
        code=code,
        name=name,
        description=description,
        measure=measure,
        better=better,
        target=target,
    )
    indicator.full_clean()
    indicator.save()
    audit_record(
        actor=actor,
        organisation=organisation,
        event=_event("indicator.created", indicator, {k: _text(getattr(indicator, k)) for k in FIELDS}),
    )
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor: Any, **fields: Any) -> Indicator:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if "code" in fields:
        _check(indicator.organisation_id, fields["code"], exclude=indicator.pk)
    changes = {
        key: [_text(getattr(indicator, key)), _text(value)]
        for key, value in fields.items()
        if getattr(indicator, key) != value
    }
    if not changes:
        return indicator
    for key, value in fields.items():
        setattr(indicator, key, value)
    indicator.full_clean()
    indicator.save()
    audit_record(
        actor=actor,
        organisation=indicator.organisation,
        event=_event("indicator.changed", indicator, changes),
    )
    return indicator


@transaction.atomic
def indicator_archive(*, indicator: Indicator, actor: Any) -> Indicator:
    if indicator.archived_at is None:
        indicator.archived_at = timezone.now()
        indicator.save(update_fields=["archived_at"])
        audit_record(
            actor=actor, organisation=indicator.organisation, event=_event("indicator.archived", indicator)
        )
    return indicator


@transaction.atomic
def indicator_restore(*, indicator: Indicator, actor: Any) -> Indicator:
    if indicator.archived_at is not None:
        indicator.archived_at = None
        indicator.save(update_fields=["archived_at"])
        audit_record(
            actor=actor, organisation=indicator.organisation, event=_event("indicator.restored", indicator)
        )
    return indicator


def _same_organisation(indicator: Indicator, initiative: Initiative) -> None:
    if initiative.organisation_id != indicator.organisation_id:
        raise ValidationError(_("The initiative belongs to another organisation."))


@transaction.atomic
def indicator_link(*, indicator: Indicator, initiative: Initiative, actor: Any) -> None:
    _same_organisation(indicator, initiative)
    if indicator.initiatives.filter(pk=initiative.pk).exists():
        return
    indicator.initiatives.add(initiative)
    audit_record(
        actor=actor,
        organisation=indicator.organisation,
        event=_event("indicator.linked", indicator, {"initiative": initiative.code}),
    )


@transaction.atomic
def indicator_unlink(*, indicator: Indicator, initiative: Initiative, actor: Any) -> None:
    _same_organisation(indicator, initiative)
    if not indicator.initiatives.filter(pk=initiative.pk).exists():
        return
    indicator.initiatives.remove(initiative)
    audit_record(
        actor=actor,
        organisation=indicator.organisation,
        event=_event("indicator.unlinked", indicator, {"initiative": initiative.code}),
    )


def bump_version(indicator_ids: list[int]) -> None:
    """Tell the memoised figures that these indicators' values changed."""
    Indicator.objects.filter(pk__in=indicator_ids).update(values_version=F("values_version") + 1)


@transaction.atomic
def indicator_values_set(
    *,
    indicator: Indicator,
    actor: Any,
    values: dict[tuple[int, dt.date], Decimal | None],
) -> dict[str, int]:
    """Write one indicator's values by (unit id, first day of month): a number sets the value,
    None removes it. The units must be the indicator's organisation's (the caller scopes them).
    Returns the counts of new, changed and removed values."""
    from kompetenslyft.org.models import Unit

    unit_ids = sorted({unit_id for unit_id, _month in values})
    foreign = set(unit_ids) - set(
        Unit.objects.filter(organisation_id=indicator.organisation_id, pk__in=unit_ids).values_list(
            "pk", flat=True
        )
    )
    if foreign:
        raise ValidationError(_("A unit is not one of the organisation's."))
    for value in values.values():
        if value is not None and (problem := value_problem(indicator.measure, value)):
            raise ValidationError(f"{format(value.normalize(), 'f')} {problem}")
    months = sorted({month for _unit, month in values})
    existing = (
        {
            (row.unit_id, row.month): row
            for row in IndicatorValue.objects.filter(
                indicator=indicator, unit_id__in=unit_ids, month__gte=months[0], month__lte=months[-1]
            )
        }
        if values
        else {}
    )
    new, changed, removed = [], [], []
    for key, value in values.items():
        row = existing.get(key)
        if value is None:
            if row is not None:
                removed.append(row.pk)
        elif row is None:
            new.append(IndicatorValue(indicator=indicator, unit_id=key[0], month=key[1], value=value))
        elif row.value != value:
            row.value = value
            changed.append(row)
    IndicatorValue.objects.bulk_create(new)
    IndicatorValue.objects.bulk_update(changed, ["value"])
    IndicatorValue.objects.filter(pk__in=removed).delete()
    counts = {"new": len(new), "changed": len(changed), "removed": len(removed)}
    if any(counts.values()):
        bump_version([indicator.pk])
        audit_record(
            actor=actor,
            organisation=indicator.organisation,
            event=_event("indicator.values", indicator, counts),
        )
    return counts
