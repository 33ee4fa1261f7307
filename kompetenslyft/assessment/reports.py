"""`kompetenslyft report gap --format json` exactly as formats.md defines it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kompetenslyft.core.reporting import ReportInputError, register
from kompetenslyft.org.models import Organisation, Role, Unit

from .report_selectors import gap_report, gap_report_anonymised


def organisations_for_report(code: str | None) -> list[Organisation]:
    if not code:
        return list(Organisation.objects.order_by("code"))
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise ReportInputError(_("There is no organisation with the code '%(code)s'.") % {"code": code})
    return [organisation]


def ensure_current(organisation: Organisation) -> None:
    """A report never reads a summary that a pending rebuild would change."""
    from .gaps import rebuild
    from .models import GapState

    state = GapState.objects.filter(organisation=organisation).first()
    if state is None or state.stale:
        rebuild(organisation)


def build_gap(
    *,
    organisation: str | None = None,
    measurement_point: int | None = None,
    unit: str | None = None,
    role: str | None = None,
    anonymised: bool = False,
    **_options: Any,
) -> dict[str, Any]:
    organisations = organisations_for_report(organisation)
    if measurement_point is not None and measurement_point < 0:
        raise ReportInputError(
            _("'%(value)s' is not a measurement point (0, 1, 2 …)") % {"value": measurement_point}
        )
    role_names = None
    if role:
        role_names = list(
            Role.objects.filter(organisation__in=organisations, name__iexact=role)
            .values_list("name", flat=True)
            .distinct()
        )
        if not role_names:
            raise ReportInputError(_("'%(value)s' is not a role of the organisation") % {"value": role})
    if anonymised:
        return _anonymised(organisations, measurement_point, unit, role)
    rows = []
    for org, unit_obj in _in_scope(organisations, unit):
        rows.extend(
            gap_report(organisations=[org], point=measurement_point, unit=unit_obj, role_names=role_names)
        )
    rows.sort(key=lambda r: (r.unit_id, r.competence_code))
    return {
        "rows": [
            {
                "unit_id": r.unit_id,
                "competence_code": r.competence_code,
                "required": r.required,
                "assessed": r.assessed,
                "below": r.below,
                "share_below": round(r.share_below, 6),
            }
            for r in rows
        ]
    }


def _in_scope(organisations: list[Organisation], unit: str | None) -> list[tuple[Organisation, Unit | None]]:
    """The organisations to report on (each with its summary current) and, with ``--unit``,
    the unit in each that has it; a unit found in none is refused."""
    found = []
    for org in organisations:
        unit_obj = Unit.objects.filter(organisation=org, unit_id=unit).first() if unit else None
        if unit and unit_obj is None:
            continue
        ensure_current(org)
        found.append((org, unit_obj))
    if unit and not found:
        raise ReportInputError(_("'%(value)s' is not a unit of the organisation") % {"value": unit})
    return found


def _anonymised(
    organisations: list[Organisation], point: int | None, unit: str | None, role: str | None
) -> dict[str, Any]:
    """What an aggregates-only viewer may see: every figure through the disclosure control.
    The threshold is the organisation's; a report over several organisations with different
    thresholds names the highest (each organisation's rows use its own)."""
    rows = []
    for org, unit_obj in _in_scope(organisations, unit):
        role_obj = None
        if role:
            role_obj = Role.objects.filter(organisation=org, name__iexact=role).first()
            if role_obj is None:
                continue
        rows.extend(gap_report_anonymised(org, point=point, unit=unit_obj, role=role_obj))
    rows.sort(key=lambda r: (r.unit_id, r.competence_code, r.scope != "unit"))
    return {
        "threshold": max((o.anonymity_threshold for o in organisations), default=0),
        "rows": [
            {
                "unit_id": r.unit_id,
                "competence_code": r.competence_code,
                "scope": r.scope,
                "required": r.required,
                "assessed": r.assessed,
                "below": r.below,
                "share_below": _share(r.below, r.assessed),
            }
            for r in rows
        ],
    }


def _share(below: int | None, assessed: int | None) -> float | None:
    if below is None or assessed is None:
        return None
    return round(below / assessed, 6) if assessed else 0.0


def gap_arguments(parser: Any) -> None:
    parser.add_argument("--measurement-point", type=int, dest="measurement_point")
    parser.add_argument("--unit", help="unit_id: the unit and every unit below it")
    parser.add_argument("--role")
    parser.add_argument(
        "--anonymised",
        action="store_true",
        help="what an aggregates-only viewer sees: small groups, and what would reveal them, hidden",
    )


register("gap", build=build_gap, arguments=gap_arguments)
