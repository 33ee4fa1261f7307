"""The ``indicator_values`` import: one value per indicator (its code), unit (its unit_id) and
month (YYYY-MM). All or nothing, every bad row named; a key already stored is replaced, so
re-importing the same file changes nothing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetenslyft.core import import_templates
from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.core.importing import ImportResult, register
from kompetenslyft.core.tabular import Table
from kompetenslyft.org.models import Unit

from .models import Indicator, IndicatorValue
from .ranges import value_problem
from .services import bump_version

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
MAX_DIGITS = 10  # before the decimal point (the column holds 14 digits, 4 after it)
CHUNK = 900


def parse_month(text: str) -> dt.date | None:
    """YYYY-MM (also the first day written out, YYYY-MM-01, as a spreadsheet may turn it)."""
    text = text.strip()
    if len(text) == 10 and text.endswith("-01"):
        text = text[:7]
    elif len(text) == 19 and text.endswith("-01 00:00:00"):
        text = text[:7]
    match = _MONTH.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def parse_value(text: str) -> Decimal | None:
    """A number with a point or a comma as the decimal sign (spaces as thousands separators
    allowed); None if it is not one, or has more than 10 digits before or 4 after the sign."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").replace(",", ".")
    if not cleaned or not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", cleaned):
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    whole, _sep, fraction = cleaned.lstrip("-").partition(".")
    if len(whole.lstrip("0")) > MAX_DIGITS or len(fraction.rstrip("0")) > 4:
        return None
    return value.quantize(Decimal("0.0001"))


def _import_values(
    table: Table, organisation: Any, actor: Any, result: ImportResult, **_options: Any
) -> None:
    indicators = {i.code.casefold(): i for i in Indicator.objects.filter(organisation=organisation)}
    units = dict(Unit.objects.filter(organisation=organisation).values_list("unit_id", "pk"))
    seen: dict[tuple[int, int, dt.date], int] = {}
    wanted: dict[tuple[int, int, dt.date], Decimal] = {}
    for number, data in table.rows:
        code = data["indicator"].strip()
        indicator = indicators.get(code.casefold()) if code else None
        if not code:
            result.error(number, "indicator", _("is empty"))
        elif indicator is None:
            result.error(
                number,
                "indicator",
                _("'%(value)s' is not an indicator of the organisation") % {"value": code},
            )
        elif indicator.archived:
            result.error(number, "indicator", _("'%(value)s' is archived") % {"value": code})
            indicator = None
        unit_code = data["unit_id"].strip()
        unit_pk = units.get(unit_code) if unit_code else None
        if not unit_code:
            result.error(number, "unit_id", _("is empty"))
        elif unit_pk is None:
            result.error(
                number, "unit_id", _("'%(value)s' is not a unit of the organisation") % {"value": unit_code}
            )
        month = parse_month(data["month"])
        if month is None:
            result.error(
                number, "month", _("'%(value)s' is not a month (use YYYY-MM)") % {"value": data["month"]}
            )
        value = parse_value(data["value"])
        if value is None:
            message = (
                _("is empty")
                if not data["value"].strip()
                else _("'%(value)s' is not a number (at most 10 digits before the decimal sign and 4 after)")
                % {"value": data["value"]}
            )
            result.error(number, "value", message)
        elif indicator is not None and (problem := value_problem(indicator.measure, value)):
            result.error(number, "value", f"'{data['value']}' {problem}")
            value = None
        if indicator is None or unit_pk is None or month is None or value is None:
            continue
        key = (indicator.pk, unit_pk, month)
        if result.first_time(
            seen,
            key,
            number,
            "month",
            _("the same indicator, unit and month appear again (first in row %(first)s)"),
        ):
            wanted[key] = value
    if result.error_count:
        return
    _write(wanted, organisation, actor, result, {i.pk: i for i in indicators.values()})


def _write(
    wanted: dict[tuple[int, int, dt.date], Decimal],
    organisation: Any,
    actor: Any,
    result: ImportResult,
    indicators: dict[int, Indicator],
) -> None:
    months = sorted({k[2] for k in wanted})
    indicator_ids = sorted({k[0] for k in wanted})
    existing: dict[tuple[int, int, dt.date], tuple[int, Decimal]] = {}
    if months:
        rows = IndicatorValue.objects.filter(
            indicator_id__in=indicator_ids, month__gte=months[0], month__lte=months[-1]
        ).values_list("pk", "indicator_id", "unit_id", "month", "value")
        existing = {(i, u, m): (pk, v) for pk, i, u, m, v in rows.iterator(chunk_size=20_000)}
    replaced: list[int] = []
    fresh: list[tuple[int, int, str, str]] = []
    touched: dict[int, list[int]] = {}
    for key, value in wanted.items():
        found = existing.get(key)
        if found is not None and found[1] == value:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1
            continue
        if found is None:
            result.counts["new"] = result.counts.get("new", 0) + 1
        else:
            replaced.append(found[0])
            result.counts["changed"] = result.counts.get("changed", 0) + 1
        counts = touched.setdefault(key[0], [0, 0])
        counts[0 if found is None else 1] += 1
        fresh.append((key[0], key[1], key[2].isoformat(), str(value)))
    for start in range(0, len(replaced), CHUNK):
        IndicatorValue.objects.filter(pk__in=replaced[start : start + CHUNK])._raw_delete(connection.alias)
    if fresh:
        bulk_insert(IndicatorValue._meta.db_table, ("indicator_id", "unit_id", "month", "value"), fresh)
        analyse(IndicatorValue)
    if touched:
        bump_version(sorted(touched))
        audit_record_many(
            actor=actor,
            organisation=organisation,
            events=[
                AuditEvent(
                    "indicator.values",
                    "indicator",
                    indicators[pk].code,
                    indicators[pk].name,
                    {"new": new, "changed": changed, "source": "import"},
                )
                for pk, (new, changed) in sorted(touched.items())
            ],
        )


register(
    "indicator_values",
    required=("indicator", "unit_id", "month", "value"),
    optional=(),
    handler=_import_values,
    label=gettext_lazy("Indicator values (indicator, unit_id, month, value)"),  # type: ignore[arg-type]
)
import_templates.EXAMPLES.setdefault(
    "indicator_values", {"indicator": "AVV14", "unit_id": "U100", "month": "2025-04", "value": 87.5}
)
