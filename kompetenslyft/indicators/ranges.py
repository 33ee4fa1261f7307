"""What values an indicator's unit of measure allows: a share lies between 0 and 100 %, a
count, a duration cannot be negative, and nothing may be absurdly large (a typo of a few extra
digits, a month's figure pasted as a year's total). The grid, the import and the service all ask
:func:`value_problem`, so each names the same reason."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .models import Indicator

M = Indicator.Measure

# (lowest, highest) per unit of measure; None: no lower bound (a plain number may be negative).
RANGES: dict[str, tuple[Decimal | None, Decimal]] = {
    M.PERCENT: (Decimal(0), Decimal(100)),
    M.COUNT: (Decimal(0), Decimal(10_000_000)),
    M.DAYS: (Decimal(0), Decimal(3_660)),  # ten years
    M.HOURS: (Decimal(0), Decimal(100_000)),
    M.MINUTES: (Decimal(0), Decimal(1_000_000)),
    M.NUMBER: (Decimal(-1_000_000_000), Decimal(1_000_000_000)),
}


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def value_problem(measure: str, value: Decimal) -> str | None:
    """Why ``value`` cannot be a figure in ``measure`` (a sentence), or None if it can."""
    low, high = RANGES.get(measure, RANGES[M.NUMBER])
    if measure == M.PERCENT and not low <= value <= high:  # type: ignore[operator]
        return _("a share must be between 0 and 100 %.")
    if low is not None and value < low:
        if low == 0:
            return _("cannot be negative in this unit of measure.")
        return _("is below %(low)s.") % {"low": _plain(low)}
    if value > high:
        return _("is larger than %(high)s: too large for this unit of measure.") % {"high": _plain(high)}
    return None
