"""`kompetenslyft report funder --format json` exactly as formats.md defines it: unique
participants by gender, training hours, and the evaluation shares (zero until evaluations
exist)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from kompetenslyft.core import disclosure
from kompetenslyft.core.reporting import ReportInputError, register
from kompetenslyft.org.models import Organisation, Unit

from .models import Attendance, Initiative

COUNTED = (Attendance.Status.ATTENDED, Attendance.Status.COMPLETED)


@dataclass(frozen=True)
class FunderScope:
    organisations: list[Organisation]
    initiative: Initiative | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unit: Unit | None = None


def attendance_in_scope(scope: FunderScope) -> QuerySet[Attendance]:
    rows = Attendance.objects.filter(status__in=COUNTED, person__organisation__in=scope.organisations)
    if scope.initiative is not None:
        rows = rows.filter(module__in=scope.initiative.modules.all())
        if scope.initiative.starts_on:
            rows = rows.filter(date__gte=scope.initiative.starts_on)
        if scope.initiative.ends_on:
            rows = rows.filter(date__lte=scope.initiative.ends_on)
    if scope.date_from:
        rows = rows.filter(date__gte=scope.date_from)
    if scope.date_to:
        rows = rows.filter(date__lte=scope.date_to)
    if scope.unit is not None:
        rows = rows.filter(unit__in=Unit.objects.filter(path__startswith=scope.unit.path).values("pk"))
    return rows


def funder_figures(scope: FunderScope) -> dict[str, Any]:
    rows = attendance_in_scope(scope)
    by_gender = dict(
        rows.values("person__gender")
        .annotate(n=Count("person", distinct=True))
        .values_list("person__gender", "n")
        .order_by()
    )
    total = rows.aggregate(n=Count("person", distinct=True), hours=Sum("hours"))
    women, men = by_gender.get("woman", 0), by_gender.get("man", 0)
    evaluations = evaluation_figures(scope)
    return {
        "unique_participants": {
            "total": total["n"] or 0,
            "women": women,
            "men": men,
            "other_or_unspecified": (total["n"] or 0) - women - men,
        },
        "training_hours": float(total["hours"] or 0),
        "evaluations": evaluations,
    }


GENDER_COLUMNS = {"woman": "woman", "man": "man"}


def protected_funder_figures(scope: FunderScope) -> dict[str, Any]:
    """The funder figures as a viewer outside its own units sees them (the page gives such
    viewers one initiative over its whole period, ADR 0004): every count through the disclosure control — a table of units × gender
    (woman, man, other or unspecified) over the whole organisation, so that a unit minus its
    children or the total minus the genders shown gives nothing away; small groups pool by
    gender up the tree, so that the split by gender stays. A hidden figure is
    ``None``; hours are shown only with the participants they belong to."""
    figures = funder_figures(scope)
    atoms: dict[tuple[int, Any], int] = defaultdict(int)
    whole = replace(scope, unit=None)
    for unit_id, gender, n in (
        attendance_in_scope(whole)
        .values("unit_id", "person__gender")
        .annotate(n=Count("person", distinct=True))
        .values_list("unit_id", "person__gender", "n")
        .order_by()
    ):
        atoms[(unit_id or disclosure.ROOT, GENDER_COLUMNS.get(gender, "other"))] += n
    parents = dict(Unit.objects.filter(organisation__in=scope.organisations).values_list("pk", "parent_id"))
    threshold = max(o.anonymity_threshold for o in scope.organisations)
    # The split by gender is what a funder report is for: keep it, and hide a unit's total
    # where its small groups had to join others above it.
    release = disclosure.protect(parents, atoms, threshold, publish_root=True, keep="columns")
    where = scope.unit.pk if scope.unit is not None else disclosure.ROOT
    people = figures["unique_participants"]
    shown = {
        "total": release.tree(where, disclosure.ALL, value=people["total"]),
        "women": release.tree(where, "woman", value=people["women"]),
        "men": release.tree(where, "man", value=people["men"]),
        "other_or_unspecified": release.tree(where, "other", value=people["other_or_unspecified"]),
    }
    figures["unique_participants"] = {key: people[key] if ok else None for key, ok in shown.items()}
    if not shown["total"]:
        figures["training_hours"] = None
    return figures


def evaluation_figures(scope: FunderScope) -> dict[str, Any]:
    """The evaluation block; the evaluation domain (a later issue) fills it. Until then every
    share is zero, as formats.md asks."""
    return {
        "responses": 0,
        "motivated_share": 0.0,
        "method_good_share": 0.0,
        "important_share": 0.0,
        "will_use_share": 0.0,
        "level": {"too_easy": 0.0, "right": 0.0, "too_hard": 0.0},
    }


def parse_scope(
    *,
    organisation: str | None,
    initiative: str | None,
    date_from: str | None,
    date_to: str | None,
    unit: str | None,
) -> FunderScope:
    if organisation:
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise ReportInputError(
                _("There is no organisation with the code '%(code)s'.") % {"code": organisation}
            )
        organisations = [org]
    else:
        organisations = list(Organisation.objects.all())
    initiative_obj = None
    if initiative:
        initiative_obj = Initiative.objects.filter(organisation__in=organisations, code=initiative).first()
        if initiative_obj is None:
            raise ReportInputError(
                _("There is no initiative with the code '%(code)s'.") % {"code": initiative}
            )
    days = []
    for value in (date_from, date_to):
        day = None
        if value:
            try:
                day = dt.date.fromisoformat(value)
            except ValueError as exc:
                raise ReportInputError(
                    _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": value}
                ) from exc
        days.append(day)
    unit_obj = None
    if unit:
        units = list(Unit.objects.filter(organisation__in=organisations, unit_id=unit)[:2])
        if not units:
            raise ReportInputError(_("'%(value)s' is not a unit of the organisation") % {"value": unit})
        if len(units) > 1:
            raise ReportInputError(
                _("Several organisations have a unit '%(value)s'; name one with --organisation.")
                % {"value": unit}
            )
        unit_obj = units[0]
    return FunderScope(organisations, initiative_obj, days[0], days[1], unit_obj)


def build_funder(
    *,
    organisation: str | None = None,
    initiative: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    unit: str | None = None,
    **_options: Any,
) -> dict[str, Any]:
    return funder_figures(
        parse_scope(
            organisation=organisation, initiative=initiative, date_from=date_from, date_to=date_to, unit=unit
        )
    )


def funder_arguments(parser: Any) -> None:
    parser.add_argument("--initiative", help="the initiative's code")
    parser.add_argument("--from", dest="date_from", help="first date, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", help="last date, YYYY-MM-DD")
    parser.add_argument("--unit", help="unit_id: the unit and every unit below it")


register("funder", build=build_funder, arguments=funder_arguments)

__all__ = ["FunderScope", "funder_figures", "protected_funder_figures"]
