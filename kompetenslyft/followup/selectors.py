"""Reads of follow-up talks, scoped through ``core.access``.

A manager sees (and records) the talks of the people whose CURRENT unit is one it manages now,
or below it (``Access.managed_people_filter``): after a move or a new manager the talk follows
the person, and the former manager loses it. Never its own talks (those are its manager's). A person sees its own talks, read-only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Unit
from kompetenslyft.org.selectors import in_subtrees

from .models import FollowUp
from .services import REMINDER_DAYS

STATUSES = ("due", "overdue", "done")


def manager_scope(access: Access) -> Q:
    """A Q on FollowUp: the talks this account holds as a manager — and, for a lead, its
    organisation's talks with no manager up the person's unit tree (they were sent to it)."""
    scope = Q(pk__in=[])
    if access.person_id and access.is_manager:
        # The people of the managed units by their unit index, then their talks by the person
        # index (a join on the person read the administration's talks: 15 ms a query).
        scope = in_subtrees(list(access.managed_paths), "person__unit") & ~Q(person_id=access.person_id)
    if access.lead_org_ids:
        unmanaged = Q(organisation_id__in=sorted(access.lead_org_ids), manager__isnull=True)
        if access.person_id:
            unmanaged &= ~Q(person_id=access.person_id)
        scope |= unmanaged
    return scope


def holds_talks(access: Access) -> bool:
    """Whether the account has a list of talks: a manager, or a lead (the talks with no manager)."""
    return bool(access.person_id) and (access.is_manager or bool(access.lead_org_ids))


def held_by(access: Access) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(manager_scope(access))


def overdue_from(today: dt.date) -> dt.date:
    """A talk not recorded is overdue once it fell due this day or earlier."""
    return today - dt.timedelta(days=REMINDER_DAYS)


def to_hold_count(access: Access) -> int:
    """Talks due (today or earlier) and not recorded: the manager's home card."""
    return held_by(access).filter(held_on__isnull=True, due_on__lte=timezone.localdate()).count()


def filter_units(access: Access) -> QuerySet[Unit]:
    """The units a manager may filter its talks by: those it manages and below."""
    if not access.managed_paths:
        return Unit.objects.none()
    q = Q(pk__in=[])
    for path in access.managed_paths:
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q).order_by("path")


def filter_modules(access: Access) -> QuerySet[Module]:
    """The modules of the manager's talks."""
    return Module.objects.filter(pk__in=held_by(access).values("module_id")).order_by("name")


@dataclass(frozen=True)
class ListFilters:
    status: str | None
    unit: Unit | None
    module: Module | None


def listed(access: Access, filters: ListFilters) -> QuerySet[FollowUp]:
    today = timezone.localdate()
    rows = held_by(access).filter(due_on__lte=today)
    if filters.status == "done":
        rows = rows.filter(held_on__isnull=False)
    elif filters.status == "overdue":
        rows = rows.filter(held_on__isnull=True, due_on__lte=overdue_from(today))
    elif filters.status == "due":
        rows = rows.filter(held_on__isnull=True, due_on__gt=overdue_from(today))
    else:
        rows = rows.filter(held_on__isnull=True)
    if filters.unit is not None:
        rows = rows.filter(in_subtrees(filters.unit.path))
    if filters.module is not None:
        rows = rows.filter(module=filters.module)
    order = (
        ("-held_on", "person__family_name") if filters.status == "done" else ("due_on", "person__family_name")
    )
    return rows.select_related("person", "module", "unit").order_by(*order, "pk")


def of_person(person_id: int) -> QuerySet[FollowUp]:
    """A person's own talks (due or held), newest first."""
    return (
        FollowUp.objects.filter(person_id=person_id, due_on__lte=timezone.localdate())
        .select_related("module")
        .order_by("-due_on", "pk")
    )


def application_by_module(access: Access, unit: Unit | None = None) -> list[dict[str, object]]:
    """The manager's own figures, exact (its units, README's access table): per module, the
    talks recorded (not "not applicable") and the share applying it (yes or partly)."""
    from django.db.models import Count

    from .figures import counted
    from .models import APPLYING_COUNTED

    rows = held_by(access).filter(counted())
    if unit is not None:
        rows = rows.filter(in_subtrees(unit.path))
    found = []
    for row in (
        rows.values("module__name")
        .annotate(talks=Count("pk"), applying=Count("pk", filter=Q(applying__in=APPLYING_COUNTED)))
        .order_by("module__name")
    ):
        row["rate"] = row["applying"] / row["talks"] if row["talks"] else None
        found.append(row)
    return found
