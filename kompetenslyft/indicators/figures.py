"""An indicator around an initiative's training (Kirkpatrick level 4): the units' values month
by month before, during and after the training, the units that trained beside those that did
not train in it (the comparison group), on the calendar and relative to each unit's own
training months.

* A unit *trained* when people of it (or of a unit below it) attended one of the initiative's
  modules within its period (attendance ``attended`` or ``completed``, placed in the person's
  unit on the day). Its training months run from the month in which the ``min_people``-th
  person attended for the first time to the month of the ``min_people``-th last attendance
  (each person's last day, latest first; never before the start). For exact viewers
  ``min_people`` is 1 (the first and the last month anyone attended); for aggregates-only
  viewers it is the organisation's anonymity threshold, so that both ends say only "k or more
  people had attended by / attended from then" and fewer people attending earlier or later
  move neither (ADR 0010).
* On the calendar, the *trained units* are those that trained at any time of the initiative;
  the *comparison group* is the units with a value that did not train in it. The two groups
  never overlap: a unit is in one or the other, the same for every month.
* Relative to each unit's own training: six months before its first training month, its
  training months together, and six months after its last. The comparison figure of a row is
  the comparison group's mean in the same calendar months, weighted as the trained units' values.

Figures are plain means of the units' values (each unit counts once a month, whatever its
size). Values are figures the lead entered per unit, not counts of people: they are shown
exactly (ADR 0010). Everything is memoised per process, keyed by the values' version, the
initiative (period, modules), the newest attendance row and a two-minute clock.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Min, Q, Sum, Value, When

from kompetenslyft.core.memo import Memo
from kompetenslyft.learning.models import Attendance, Initiative
from kompetenslyft.learning.reports import COUNTED
from kompetenslyft.org.selectors import in_subtrees

from .models import Indicator, IndicatorValue

AROUND = 6  # months shown before and after
MAX_MONTHS = 240
MEMO_SECONDS = 120

_memo = Memo(kept=256)


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    return [add_months(start, i) for i in range(months_between(start, end) + 1)]


def _in_scope(path: str, paths: tuple[str, ...] | None) -> bool:
    return paths is None or any(path.startswith(p) for p in paths)


def _clock() -> int:
    return int(time.monotonic() // MEMO_SECONDS)


def _module_ids(initiative: Initiative) -> tuple[int, ...]:
    return tuple(sorted(initiative.modules.values_list("pk", flat=True)))


def training(
    initiative: Initiative, *, min_people: int, paths: tuple[str, ...] | None = None
) -> tuple[tuple[Any, ...], dict[int, tuple[dt.date, dt.date]]]:
    """The key the training months are kept under and the months: each unit's training
    months (first, last) for the initiative, by unit id (see the module's docstring); units
    that did not train are left out. Two small queries when kept."""
    modules = _module_ids(initiative)
    marker = Attendance.objects.aggregate(m=Max("pk"))["m"]
    key = (
        "training",
        initiative.pk,
        initiative.starts_on,
        initiative.ends_on,
        modules,
        marker,
        min_people,
        paths,
        _clock(),
    )

    def compute() -> tuple[int, dict[int, tuple[dt.date, dt.date]]]:
        months = _training_months(initiative, modules, min_people, paths)
        return hash(frozenset(months.items())), months

    digest, months = _memo.get(key, compute)
    # The indicators' figures are kept by the months' content: when the clock or a new
    # attendance row elsewhere makes them anew and they are the same, nothing else is.
    return (initiative.pk, min_people, paths, digest), months


def training_months(
    initiative: Initiative, *, min_people: int, paths: tuple[str, ...] | None = None
) -> dict[int, tuple[dt.date, dt.date]]:
    return training(initiative, min_people=min_people, paths=paths)[1]


def _training_months(
    initiative: Initiative, modules: tuple[int, ...], min_people: int, paths: tuple[str, ...] | None
) -> dict[int, tuple[dt.date, dt.date]]:
    if not modules:
        return {}
    rows = Attendance.objects.filter(
        module_id__in=modules,
        status__in=COUNTED,
        person__organisation_id=initiative.organisation_id,
    )
    if initiative.starts_on:
        rows = rows.filter(date__gte=initiative.starts_on)
    if initiative.ends_on:
        rows = rows.filter(date__lte=initiative.ends_on)
    firsts: dict[int, dict[int, dt.date]] = defaultdict(dict)  # unit → person → first day
    lasts: dict[int, dict[int, dt.date]] = defaultdict(dict)  # unit → person → last day
    grouped = (
        rows.values_list("person_id", "unit__path").annotate(first=Min("date"), last=Max("date")).order_by()
    )
    for person_id, path, first, last in grouped:
        if not _in_scope(path, paths):
            continue
        for part in path.strip("/").split("/"):
            unit_id = int(part)
            seen = firsts[unit_id].get(person_id)
            if seen is None or first < seen:
                firsts[unit_id][person_id] = first
            seen = lasts[unit_id].get(person_id)
            if seen is None or last > seen:
                lasts[unit_id][person_id] = last
    months: dict[int, tuple[dt.date, dt.date]] = {}
    for unit_id, people in firsts.items():
        if len(people) < min_people:
            continue
        # Both ends are statements about k people (ADR 0010): the start is the k-th person's
        # first attendance, the end the k-th last attendance counted from the latest (people's
        # last days, latest first), so that fewer than k people attending later move nothing.
        start = sorted(people.values())[min_people - 1]
        end = sorted(lasts[unit_id].values(), reverse=True)[min_people - 1]
        months[unit_id] = (first_of(start), first_of(max(end, start)))
    return months


@dataclass(frozen=True)
class Mean:
    total: float
    units: int

    @property
    def mean(self) -> float | None:
        return self.total / self.units if self.units else None


@dataclass(frozen=True)
class CalendarRow:
    month: dt.date
    phase: str  # before | during | after
    trained: Mean
    comparison: Mean


@dataclass(frozen=True)
class RelativeRow:
    offset: int  # −6 … −1 before, 0 during, 1 … 6 after
    trained: Mean  # the mean over unit-months (a unit once per month)
    comparison: float | None
    units: int = 0  # distinct units with a value in the row's months (a unit once)


@dataclass(frozen=True)
class Around:
    indicator: Indicator
    initiative: Initiative
    period: tuple[dt.date, dt.date] | None  # the training period (months) the phases refer to
    calendar: list[CalendarRow]
    relative: list[RelativeRow]
    trained_units: int
    compared_units: int


def around(
    indicator: Indicator,
    initiative: Initiative,
    *,
    min_people: int,
    paths: tuple[str, ...] | None = None,
    month_from: dt.date | None = None,
    month_to: dt.date | None = None,
    trained: tuple[tuple[Any, ...], dict[int, tuple[dt.date, dt.date]]] | None = None,
) -> Around:
    """The indicator around the initiative's training, for the units under ``paths`` (None:
    the whole organisation); ``trained`` is :func:`training`'s answer when the caller has it
    (several indicators of one initiative)."""
    training_key, months = trained or training(initiative, min_people=min_people, paths=paths)
    key = (
        "around",
        indicator.pk,
        indicator.values_version,
        initiative.pk,
        initiative.starts_on,
        initiative.ends_on,
        min_people,
        paths,
        month_from,
        month_to,
        training_key,
    )
    return _memo.get(key, lambda: _around(indicator, initiative, months, paths, month_from, month_to))


def _period(
    initiative: Initiative, trained: dict[int, tuple[dt.date, dt.date]]
) -> tuple[dt.date, dt.date] | None:
    start = first_of(initiative.starts_on) if initiative.starts_on else None
    end = first_of(initiative.ends_on) if initiative.ends_on else None
    if trained:
        start = start or min(f for f, _l in trained.values())
        end = end or max(last for _f, last in trained.values())
    if start is None or end is None:
        one = start or end
        return (one, one) if one is not None else None
    return (start, max(start, end))


def _around(
    indicator: Indicator,
    initiative: Initiative,
    trained: dict[int, tuple[dt.date, dt.date]],
    paths: tuple[str, ...] | None,
    month_from: dt.date | None,
    month_to: dt.date | None,
) -> Around:
    values = IndicatorValue.objects.filter(indicator=indicator)
    if paths is not None:
        values = values.filter(in_subtrees(list(paths)))
    period = _period(initiative, trained)
    empty = Around(indicator, initiative, period, [], [], 0, 0)
    if period is not None:
        start, end = add_months(period[0], -AROUND), add_months(period[1], AROUND)
    else:
        bounds = values.aggregate(low=Min("month"), high=Max("month"))
        if bounds["low"] is None:
            return empty
        start, end = bounds["low"], bounds["high"]
    if month_from:
        start = max(start, month_from)
    if month_to:
        end = min(end, month_to)
    if start > end or months_between(start, end) >= MAX_MONTHS:
        return empty
    # Relative rows need the months around every unit's own training too.
    low, high = start, end
    if trained:
        low = min(low, add_months(min(f for f, _l in trained.values()), -AROUND))
        high = max(high, add_months(max(last for _f, last in trained.values()), AROUND))
    groups: dict[tuple[dt.date, dt.date], list[int]] = defaultdict(list)
    for unit_id, span in trained.items():
        groups[span].append(unit_id)
    keys = sorted(groups)
    label = Case(
        *[When(unit_id__in=sorted(groups[k]), then=Value(i)) for i, k in enumerate(keys)],
        default=Value(-1),
        output_field=IntegerField(),
    )
    rows = (
        values.filter(month__gte=low, month__lte=high)
        .annotate(group=label)
        .values("month", "group")
        .annotate(total=Sum("value"), units=Count("pk"))
        .order_by()
    )
    sums: dict[tuple[dt.date, int], tuple[float, int]] = {
        (r["month"], r["group"]): (float(r["total"]), r["units"]) for r in rows
    }
    present = sorted({month for month, _group in sums if start <= month <= end})
    if not present:
        return empty
    start, end = present[0], present[-1]  # the months with values
    months = month_range(low, high)
    comparison: dict[dt.date, Mean] = {}
    trained_by_month: dict[dt.date, Mean] = {}
    for month in months:
        c_total, c_units = sums.get((month, -1), (0.0, 0))
        t_total, t_units = 0.0, 0
        for i in range(len(keys)):
            total, units = sums.get((month, i), (0.0, 0))
            t_total, t_units = t_total + total, t_units + units
        comparison[month] = Mean(c_total, c_units)
        trained_by_month[month] = Mean(t_total, t_units)
    calendar = []
    for month in month_range(start, end):
        phase = "during"
        if period is not None and month < period[0]:
            phase = "before"
        elif period is not None and month > period[1]:
            phase = "after"
        calendar.append(CalendarRow(month, phase, trained_by_month[month], comparison[month]))
    relative_sums: dict[int, list[float]] = {o: [0.0, 0.0, 0.0, 0.0] for o in range(-AROUND, AROUND + 1)}
    for i, (first, last) in enumerate(keys):
        for month in month_range(add_months(first, -AROUND), add_months(last, AROUND)):
            total, units = sums.get((month, i), (0.0, 0))
            if not units:
                continue
            if month < first:
                offset = -months_between(month, first)
            elif month > last:
                offset = months_between(last, month)
            else:
                offset = 0
            cell = relative_sums[offset]
            cell[0] += total
            cell[1] += units
            compared = comparison[month].mean
            if compared is not None:
                cell[2] += compared * units
                cell[3] += units
    # A row before or after holds one month per unit, so its unit-months are its units; the
    # training months hold several months of a unit, and a unit counts once there.
    during = Q()
    for first, last in keys:
        during |= Q(unit_id__in=sorted(groups[(first, last)]), month__gte=first, month__lte=last)
    units_during = values.filter(during).values("unit_id").distinct().count() if keys else 0
    relative = [
        RelativeRow(
            offset,
            Mean(cell[0], int(cell[1])),
            cell[2] / cell[3] if cell[3] else None,
            units_during if offset == 0 else int(cell[1]),
        )
        for offset, cell in sorted(relative_sums.items())
    ]
    # Distinct units with a value in the months shown (a unit reporting 12 months is one unit).
    shown = set(values.filter(month__gte=start, month__lte=end).values_list("unit_id", flat=True).distinct())
    trained_units = len(shown & set(trained))
    compared_units = len(shown - set(trained))
    return Around(indicator, initiative, period, calendar, relative, trained_units, compared_units)


def forget() -> None:
    _memo.clear()
