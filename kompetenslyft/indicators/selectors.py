"""Reads of indicators, scoped through :mod:`kompetenslyft.core.access`: the organisation's
lead sees (and changes) every indicator and every unit's values; a manager sees the
organisation's indicators read-only, with the values of the units it manages and those below
them; anyone else sees none (an indicator out of reach is a 404, as one that does not exist)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.http import Http404

from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.models import Unit

from .models import Indicator, IndicatorValue


def indicator_organisation_ids(access: Access) -> set[int]:
    """Organisations whose indicators this account may read: those it leads, those where it
    manages a unit."""
    return set(access.lead_org_ids) | set(access.managed_organisation_ids)


def indicators_for(access: Access, *, archived: bool = False) -> QuerySet[Indicator]:
    rows = Indicator.objects.all()
    if not access.is_superuser:
        rows = rows.filter(organisation_id__in=sorted(indicator_organisation_ids(access)))
    rows = rows.filter(archived_at__isnull=not archived)
    return rows.select_related("organisation").order_by("organisation__name", "name")


def indicator_for(access: Access, pk: int) -> Indicator:
    """The indicator if this account may read it; 404 otherwise."""
    indicator = Indicator.objects.select_related("organisation").filter(pk=pk).first()
    if indicator is None or not (
        access.is_superuser or indicator.organisation_id in indicator_organisation_ids(access)
    ):
        raise Http404
    return indicator


def can_change(access: Access, indicator: Indicator) -> bool:
    return access.is_lead_of(indicator.organisation_id)


def editable_indicator(access: Access, pk: int) -> Indicator:
    """The indicator for its organisation's lead; 404 for anyone else."""
    indicator = indicator_for(access, pk)
    if not can_change(access, indicator):
        raise Http404
    return indicator


def value_units(access: Access, indicator: Indicator) -> QuerySet[Unit]:
    """The units whose values this account sees for the indicator (the lead: every unit of
    the organisation; a manager: its units and those below), in tree order."""
    return (
        Unit.objects.filter(organisation_id=indicator.organisation_id)
        .filter(access.units_with_people_filter())
        .order_by("path")
    )


def value_scope(access: Access, indicator: Indicator) -> tuple[str, ...] | None:
    """The unit paths the viewer's figures are limited to: None for the lead (the whole
    organisation), the managed subtrees otherwise."""
    if access.is_lead_of(indicator.organisation_id):
        return None
    return tuple(p for p in access.managed_paths)


def values_of(
    indicator: Indicator, unit_ids: list[int], months: list[dt.date]
) -> dict[tuple[int, dt.date], Decimal]:
    """The stored values of these units and months, by (unit id, month)."""
    if not unit_ids or not months:
        return {}
    rows = IndicatorValue.objects.filter(
        indicator=indicator, unit_id__in=unit_ids, month__gte=min(months), month__lte=max(months)
    ).values_list("unit_id", "month", "value")
    return {(unit_id, month): value for unit_id, month, value in rows}


def linked_initiatives(indicator: Indicator) -> QuerySet[Initiative]:
    return indicator.initiatives.order_by("-starts_on", "name")


def linkable_initiatives(indicator: Indicator) -> QuerySet[Initiative]:
    """The organisation's initiatives not yet linked to the indicator."""
    return (
        Initiative.objects.filter(organisation_id=indicator.organisation_id)
        .exclude(pk__in=indicator.initiatives.values("pk"))
        .order_by("-starts_on", "name")
    )


def indicators_of_initiative(initiative: Initiative, *, archived: bool = False) -> QuerySet[Indicator]:
    rows = Indicator.objects.filter(initiatives=initiative)
    if not archived:
        rows = rows.filter(archived_at__isnull=True)
    return rows.order_by("name")


def indicators_to_link(initiative: Initiative) -> QuerySet[Indicator]:
    return (
        Indicator.objects.filter(organisation_id=initiative.organisation_id, archived_at__isnull=True)
        .exclude(Q(initiatives=initiative))
        .order_by("name")
    )
