"""`kompetenslyft report evaluation --format json` exactly as formats.md defines it: the module
evaluations in scope, a total and (with ``--by``) groups, every figure through
:func:`.results.evaluation_results` (the threshold rule for everyone)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from kompetenslyft.core.reporting import ReportInputError, register
from kompetenslyft.learning.models import Initiative
from kompetenslyft.learning.module_selectors import modules_used_by
from kompetenslyft.org.models import Organisation, Role, Unit

from .results import BY, Query, evaluation_results

GENDERS = {"woman": "woman", "man": "man", "other": "other", "other_or_unspecified": "other"}
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_month(value: str) -> dt.date | None:
    """``YYYY-MM`` as the first day of the month, else None."""
    match = _MONTH.fullmatch(value.strip())
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and year >= 1):
        return None
    return dt.date(year, month, 1)


def _organisations(code: str | None) -> list[Organisation]:
    if code:
        found = Organisation.objects.filter(code=code).first()
        if found is None:
            raise ReportInputError(_("There is no organisation with the code '%(code)s'.") % {"code": code})
        return [found]
    return list(Organisation.objects.order_by("pk"))


def parse_query(
    organisations: list[Organisation],
    *,
    initiative: str | None = None,
    module: str | None = None,
    unit: str | None = None,
    role: str | None = None,
    gender: str | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
) -> Query:
    """The options as a :class:`Query`; refused input raises :class:`ReportInputError`."""
    modules: frozenset[int] | None = None
    if initiative:
        found = list(Initiative.objects.filter(organisation__in=organisations, code=initiative)[:2])
        if not found:
            raise ReportInputError(
                _("There is no initiative with the code '%(code)s'.") % {"code": initiative}
            )
        if len(found) > 1:
            raise ReportInputError(
                _("Several organisations have an initiative '%(code)s'; name one with --organisation.")
                % {"code": initiative}
            )
        modules = frozenset(found[0].modules.values_list("pk", flat=True))
    if module:
        # Its own modules, the network's and those it adopted (the answers stay its own).
        used = modules_used_by(o.pk for o in organisations)
        ids = frozenset(used.filter(code__iexact=module).values_list("pk", flat=True))
        if not ids:
            raise ReportInputError(_("There is no module with the code '%(code)s'.") % {"code": module})
        modules = ids if modules is None else modules & ids
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
    role_name = None
    if role:
        role_name = (
            Role.objects.filter(organisation__in=organisations, name__iexact=role.strip())
            .values_list("name", flat=True)
            .first()
        )
        if role_name is None:
            raise ReportInputError(_("'%(value)s' is not a role of the organisation") % {"value": role})
    gender_code = None
    if gender:
        gender_code = GENDERS.get(gender.strip().casefold())
        if gender_code is None:
            raise ReportInputError(_("'%(value)s' is not one of woman, man, other") % {"value": gender})
    months = []
    for value in (month_from, month_to):
        month = None
        if value:
            month = parse_month(value)
            if month is None:
                raise ReportInputError(_("'%(value)s' is not a month (use YYYY-MM)") % {"value": value})
        months.append(month)
    if months[0] and months[1] and months[0] > months[1]:
        raise ReportInputError(
            _("--from %(first)s is after --to %(last)s") % {"first": month_from, "last": month_to}
        )
    return Query(
        modules=modules,
        unit=unit_obj,
        role_name=role_name,
        gender=gender_code,
        month_from=months[0],
        month_to=months[1],
    )


def build_evaluation(
    *,
    organisation: str | None = None,
    initiative: str | None = None,
    module: str | None = None,
    unit: str | None = None,
    role: str | None = None,
    gender: str | None = None,
    month_from: str | None = None,
    month_to: str | None = None,
    by: str | None = None,
    **_options: Any,
) -> dict[str, Any]:
    if by is not None and by not in BY:
        raise ReportInputError(
            _("--by '%(value)s' is not one of %(choices)s") % {"value": by, "choices": ", ".join(BY)}
        )
    organisations = _organisations(organisation)
    query = parse_query(
        organisations,
        initiative=initiative,
        module=module,
        unit=unit,
        role=role,
        gender=gender,
        month_from=month_from,
        month_to=month_to,
    )
    if query.unit is not None:
        organisations = [o for o in organisations if o.pk == query.unit.organisation_id]
    return evaluation_results(organisations, query, by=by)


def evaluation_arguments(parser: Any) -> None:
    parser.add_argument("--initiative", help="the initiative's code: its modules")
    parser.add_argument("--module", help="the module's code")
    parser.add_argument("--unit", help="unit_id: the unit and every unit below it")
    parser.add_argument("--role", help="the role's name")
    parser.add_argument("--gender", help="woman, man or other")
    parser.add_argument("--from", dest="month_from", help="first month, YYYY-MM")
    parser.add_argument("--to", dest="month_to", help="last month, YYYY-MM")
    parser.add_argument("--by", help="groups: " + ", ".join(BY))


register("evaluation", build=build_evaluation, arguments=evaluation_arguments)
