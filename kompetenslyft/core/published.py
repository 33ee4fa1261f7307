"""Calendar months of figures published once a month has closed (ADR 0019): the knowledge
tests' results and the follow-up application rate are computed by the daily run for each month
that has ended, stored and never changed; pages show the stored months only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

MONTHS = 36  # how far back a missed run catches up


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return month_start(month_start(month) - dt.timedelta(days=1))


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def next_publication(today: dt.date | None = None) -> dt.date:
    """The day the month under way is published: the first day of the next month."""
    return next_month(month_start(today or timezone.localdate()))


def closed_months(first: dt.date, today: dt.date) -> Iterator[dt.date]:
    """The first days of the months from ``first``'s to the last one ended before ``today``, at
    most :data:`MONTHS` back."""
    last_closed = previous_month(today)
    oldest = last_closed
    for _n in range(MONTHS - 1):
        oldest = previous_month(oldest)
    month = max(month_start(first), oldest)
    while month <= last_closed:
        yield month
        month = next_month(month)
