"""The cost figures of one initiative: what it cost by kind and by format, per unique
participant and per training hour, and the travel its remote formats saved.

Participants and training hours are the funder report's (``learning.reports``: the
initiative's modules within its period, counted attendance of the organisation's people), so
the two always agree; per format they read the same attendance rows. For a viewer who sees
aggregates only, the participants and hours are :func:`protected_funder_figures` (one release
over units × gender × role), and each format's figures are shown only where its people are a
union of whole blocks of a release of ``core.disclosure`` over the combinations of formats
people took part in (so neither the total minus a format nor one format minus another tells a
group under k)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kompetenslyft.core import disclosure
from kompetenslyft.core.memo import Memo
from kompetenslyft.learning import participation
from kompetenslyft.learning.models import Initiative, Module, ParticipationFormat, Session
from kompetenslyft.learning.reports import (
    FunderScope,
    funder_figures,
    protected_funder_figures,
)

from .models import CostEntry, CostSettings, RoleHourlyCost

FORMATS: tuple[str, ...] = tuple(Module.Format.values)
REMOTE: frozenset[str] = frozenset(
    {Module.Format.LIVE_REMOTE, Module.Format.ELEARNING, Module.Format.MICROLEARNING}
)
KINDS: tuple[str, ...] = tuple(CostEntry.Kind.values)
CENT = Decimal("0.01")
ZERO = Decimal(0)


def money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def ratio(numerator: Decimal | None, denominator: Decimal | int | None) -> Decimal | None:
    """numerator / denominator in money (None where either is hidden or nothing to divide by)."""
    if numerator is None or denominator is None or not denominator:
        return None
    return money(numerator / Decimal(denominator))


@dataclass
class FormatRow:
    format: str
    participants: int | None
    hours: Decimal | None
    direct: Decimal  # the entries tied to a module (or session) of this format
    working_time: Decimal | None
    travel_saved: Decimal | None
    travel_hours_saved: Decimal | None

    @property
    def cost(self) -> Decimal | None:
        return None if self.working_time is None else money(self.direct + self.working_time)

    @property
    def per_participant(self) -> Decimal | None:
        return ratio(self.cost, self.participants)

    @property
    def per_hour(self) -> Decimal | None:
        return ratio(self.cost, self.hours)

    @property
    def label(self) -> str:
        return str(Module.Format(self.format).label)


@dataclass
class CostFigures:
    initiative: Initiative
    currency: str
    exact: bool
    participants: int | None
    hours: Decimal | None
    by_kind: dict[str, Decimal]
    unallocated: Decimal  # direct costs tied to no module or session
    working_time: Decimal | None
    hourly_cost: Decimal | None
    formats: list[FormatRow] = field(default_factory=list)
    travel_saved: Decimal | None = None
    travel_hours_saved: Decimal | None = None
    remote_attendances: int | None = None
    role_costs: bool = False  # the working time counts roles at their own hourly costs

    @property
    def direct(self) -> Decimal:
        return money(sum(self.by_kind.values(), ZERO)) or ZERO

    @property
    def total(self) -> Decimal | None:
        return None if self.working_time is None else money(self.direct + self.working_time)

    @property
    def per_participant(self) -> Decimal | None:
        return ratio(self.total, self.participants)

    @property
    def per_hour(self) -> Decimal | None:
        return ratio(self.total, self.hours)

    @property
    def has_hidden(self) -> bool:
        return self.participants is None or any(row.participants is None for row in self.formats)


def has_costs(initiative: Initiative) -> bool:
    """Whether anything was entered for the initiative (an entry or its settings)."""
    return (
        CostEntry.objects.filter(initiative=initiative).exists()
        or CostSettings.objects.filter(initiative=initiative).exists()
    )


def initiative_sessions(initiative: Initiative) -> QuerySet[Session]:
    """The sessions of the initiative: its organisation's, not cancelled, of its modules, within
    its period."""
    sessions = Session.objects.filter(
        organisation_id=initiative.organisation_id,
        module__in=initiative.modules.all(),
        cancelled=False,
    )
    if initiative.starts_on:
        sessions = sessions.filter(starts_at__date__gte=initiative.starts_on)
    if initiative.ends_on:
        sessions = sessions.filter(starts_at__date__lte=initiative.ends_on)
    return sessions


def entry_hours(entry: CostEntry, session_minutes: dict[int, int], module_minutes: dict[int, int]) -> Decimal:
    """A trainer entry's hours: as typed, else its session's or its module's sessions' hours."""
    if entry.hours is not None:
        return entry.hours
    minutes = 0
    if entry.session_id is not None:
        minutes = session_minutes.get(entry.session_id, 0)
    elif entry.module_id is not None:
        minutes = module_minutes.get(entry.module_id, 0)
    return Decimal(minutes) / 60


def entry_amount(
    entry: CostEntry, session_minutes: dict[int, int], module_minutes: dict[int, int]
) -> Decimal:
    if entry.kind == CostEntry.Kind.TRAINER:
        return money(entry_hours(entry, session_minutes, module_minutes) * (entry.rate or ZERO)) or ZERO
    return entry.amount or ZERO


@dataclass
class Priced:
    entry: CostEntry
    hours: Decimal | None
    amount: Decimal
    format: str | None


def priced_entries(initiative: Initiative) -> list[Priced]:
    """The initiative's entries with their amounts (trainers' hours from the sessions where
    none were typed) and the format they belong to (their module's, or their session's)."""
    sessions = initiative_sessions(initiative)
    session_minutes: dict[int, int] = {}
    module_minutes: dict[int, int] = defaultdict(int)
    for pk, module_id, minutes in sessions.values_list("pk", "module_id", "duration_minutes"):
        session_minutes[pk] = minutes
        module_minutes[module_id] += minutes
    entries = CostEntry.objects.filter(initiative=initiative).select_related("module", "session__module")
    # A session outside the initiative's sessions now (cancelled, moved) still counts its hours.
    missing = [e.session_id for e in entries if e.session_id and e.session_id not in session_minutes]
    if missing:
        session_minutes.update(Session.objects.filter(pk__in=missing).values_list("pk", "duration_minutes"))
    priced = []
    for entry in entries:
        module = entry.session.module if entry.session is not None else entry.module
        hours = (
            entry_hours(entry, session_minutes, module_minutes)
            if entry.kind == CostEntry.Kind.TRAINER
            else None
        )
        priced.append(
            Priced(
                entry,
                hours,
                entry_amount(entry, session_minutes, module_minutes),
                module.format if module else None,
            )
        )
    return priced


@dataclass
class Attendance:
    """The initiative's counted attendance per format: distinct people, hours, rows; and the
    people per combination of formats (the atoms of the per-format release)."""

    people: dict[str, int]
    hours: dict[str, Decimal]
    rows: dict[str, int]
    combinations: dict[tuple[str, ...], int]
    # hours per (format, role on the day) and distinct people per role: the working time at
    # each role's hourly cost
    role_hours: dict[tuple[str, int | None], Decimal] = field(default_factory=dict)
    role_people: dict[int | None, int] = field(default_factory=dict)


_ATTENDANCE = Memo(kept=64)


def attendance_by_format(initiative: Initiative) -> Attendance:
    """Read from the per-format participation rows (a few per person, ADR 0006), memoised
    per summary version: every write to attendance raises it in the same transaction."""
    participation.ensure_current(initiative)
    key = (initiative.pk, participation.version(initiative.organisation_id))
    return _ATTENDANCE.get(key, lambda: _attendance_by_format(initiative))


def _attendance_by_format(initiative: Initiative) -> Attendance:
    rows = ParticipationFormat.objects.filter(initiative=initiative)
    people: dict[str, int] = {}
    hours: dict[str, Decimal] = {}
    counted: dict[str, int] = {}
    for fmt, n, h, r in (
        rows.values("format")
        .annotate(n=Count("person", distinct=True), h=Sum("hours"), r=Sum("rows"))
        .values_list("format", "n", "h", "r")
        .order_by()
    ):
        people[fmt], hours[fmt], counted[fmt] = n, Decimal(h or 0), int(r or 0)
    combinations = _format_combinations(initiative)
    role_hours: dict[tuple[str, int | None], Decimal] = {}
    for fmt, role_id, h in (
        rows.values("format", "role_id")
        .annotate(h=Sum("hours"))
        .values_list("format", "role_id", "h")
        .order_by()
    ):
        role_hours[(fmt, role_id)] = Decimal(h or 0)
    role_people: dict[int | None, int] = dict(
        rows.values("role_id")
        .annotate(n=Count("person", distinct=True))
        .values_list("role_id", "n")
        .order_by()
    )
    return Attendance(people, hours, counted, combinations, role_hours, role_people)


def _format_combinations(initiative: Initiative) -> dict[tuple[str, ...], int]:
    """People per combination of formats: each person's formats as a bit mask (the sum of
    its distinct formats' bits), counted per mask in the database."""
    bits = {fmt: 1 << index for index, fmt in enumerate(FORMATS)}
    table = ParticipationFormat._meta.db_table
    cases = " ".join("WHEN %s THEN %s" for _fmt in bits)
    # Only the model's table name and placeholders are put into the text.
    inner = f"SELECT person_id, SUM(DISTINCT CASE format {cases} ELSE 0 END) AS mask FROM {table}"  # noqa: S608
    sql = f"SELECT mask, COUNT(*) FROM ({inner} WHERE initiative_id = %s GROUP BY person_id) AS people GROUP BY mask"  # noqa: S608
    params: list[Any] = [value for fmt, bit in bits.items() for value in (fmt, bit)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, initiative.pk])
        found = cursor.fetchall()
    combinations: dict[tuple[str, ...], int] = {}
    for mask, n in found:
        combo = tuple(sorted(fmt for fmt, bit in bits.items() if int(mask) & bit))
        if combo:
            combinations[combo] = combinations.get(combo, 0) + int(n)
    return combinations


def role_rates_released(attendance: Attendance, rates: dict[int, Decimal], threshold: int) -> bool:
    """Whether an aggregates-only viewer's working time may use the roles' own hourly costs:
    the working time less the hours at the default cost tells each costed role's hours, so
    every costed role and the rest must each be 0 or k people or more."""
    costed = [n for role_id, n in attendance.role_people.items() if role_id in rates]
    rest = sum(n for role_id, n in attendance.role_people.items() if role_id not in rates)
    return all(n >= threshold for n in costed) and (rest == 0 or rest >= threshold)


def format_release(combinations: dict[tuple[str, ...], int], threshold: int) -> dict[str, bool]:
    """Which formats' people may be shown to an aggregates-only viewer: those whose
    combinations (every combination holding the format) are whole blocks of k or more."""
    # sorted, so that the release depends on the counts only (never on the order rows came in)
    blocks = disclosure.pool_paths({(combo,): n for combo, n in sorted(combinations.items())}, threshold)
    shown = {}
    for fmt in FORMATS:
        atoms = [(combo,) for combo in combinations if fmt in combo]
        shown[fmt] = bool(atoms) and blocks.shown(atoms)
    return shown


def cost_figures(initiative: Initiative, *, exact: bool) -> CostFigures:
    """The initiative's figures; ``exact`` for its organisation's lead, otherwise protected."""
    organisation = initiative.organisation
    scope = FunderScope([organisation], initiative)
    funder = funder_figures(scope) if exact else protected_funder_figures(scope)
    participants = funder["unique_participants"]["total"]
    total_hours = funder["training_hours"]
    hours = None if total_hours is None or participants is None else Decimal(str(total_hours))
    settings = CostSettings.objects.filter(initiative=initiative).first()
    hourly = settings.hourly_cost if settings else None
    role_rates = dict(
        RoleHourlyCost.objects.filter(initiative=initiative).values_list("role_id", "hourly_cost")
    )
    travel_cost = settings.travel_cost if settings else None
    travel_minutes = settings.travel_minutes if settings else None

    priced = priced_entries(initiative)
    by_kind = dict.fromkeys(KINDS, ZERO)
    direct_by_format: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for p in priced:
        by_kind[p.entry.kind] += p.amount
        direct_by_format[p.format] += p.amount

    attendance = attendance_by_format(initiative)
    shown = (
        dict.fromkeys(FORMATS, True)
        if exact
        else {
            fmt: ok and participants is not None
            for fmt, ok in format_release(attendance.combinations, organisation.anonymity_threshold).items()
        }
    )
    rate = hourly or ZERO
    by_role = bool(role_rates) and (
        exact or role_rates_released(attendance, role_rates, organisation.anonymity_threshold)
    )

    def worked(fmt: str) -> Decimal:
        """The format's participants' working time, each role at its own hourly cost."""
        if not by_role:
            return attendance.hours.get(fmt, ZERO) * rate
        return sum(
            (
                h * (role_rates.get(role_id, rate) if role_id is not None else rate)
                for (f, role_id), h in attendance.role_hours.items()
                if f == fmt
            ),
            ZERO,
        )

    # The whole initiative's working time; for aggregates-only viewers its hours are the funder
    # report's (shown only when released).
    working_time = (
        None
        if hours is None
        else sum((worked(fmt) for fmt in attendance.hours), ZERO)
        if by_role
        else hours * rate
    )
    # An aggregates-only viewer's format rows use the mean hourly cost: a role's hours within
    # one format could be a group under k.
    mean_rate = (
        rate
        if not by_role or exact
        else (working_time / hours if working_time is not None and hours else rate)
    )
    rows = []
    for fmt in FORMATS:
        present = fmt in attendance.people
        if not present and not direct_by_format.get(fmt):
            continue
        visible = shown[fmt] or not present
        f_hours = attendance.hours.get(fmt, ZERO)
        remote = fmt in REMOTE
        n_rows = attendance.rows.get(fmt, 0)
        rows.append(
            FormatRow(
                format=fmt,
                participants=attendance.people.get(fmt, 0) if visible else None,
                hours=f_hours if visible else None,
                direct=money(direct_by_format.get(fmt, ZERO)) or ZERO,
                working_time=(money(worked(fmt) if exact else f_hours * mean_rate) if visible else None),
                travel_saved=money(n_rows * travel_cost)
                if visible and remote and travel_cost is not None
                else None,
                travel_hours_saved=(
                    money(Decimal(n_rows * travel_minutes) / 60)
                    if visible and remote and travel_minutes is not None
                    else None
                ),
            )
        )
    remote_rows = [r for r in rows if r.format in REMOTE]
    remote_visible = all(r.participants is not None for r in remote_rows)
    remote_count = sum(attendance.rows.get(r.format, 0) for r in remote_rows)
    return CostFigures(
        initiative=initiative,
        currency=organisation.currency,
        exact=exact,
        participants=participants,
        hours=hours,
        by_kind={k: money(v) or ZERO for k, v in by_kind.items()},
        unallocated=money(direct_by_format.get(None, ZERO)) or ZERO,
        working_time=money(working_time) if working_time is not None else None,
        hourly_cost=hourly,
        role_costs=by_role,
        formats=rows,
        travel_saved=(
            money(remote_count * travel_cost) if remote_visible and travel_cost is not None else None
        ),
        travel_hours_saved=(
            money(Decimal(remote_count * travel_minutes) / 60)
            if remote_visible and travel_minutes is not None
            else None
        ),
        remote_attendances=remote_count if remote_visible else None,
    )


def as_json(figures: CostFigures) -> dict[str, Any]:
    """The figures of ``report costs --format json`` (money and hours as numbers, two decimals;
    hidden: null)."""

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return {
        "code": figures.initiative.code,
        "name": figures.initiative.name,
        "currency": figures.currency,
        "unique_participants": figures.participants,
        "training_hours": number(figures.hours),
        "costs_by_kind": {k: number(v) for k, v in figures.by_kind.items()},
        "participants_working_time": number(figures.working_time),
        "total_cost": number(figures.total),
        "cost_per_participant": number(figures.per_participant),
        "cost_per_training_hour": number(figures.per_hour),
        "not_tied_to_a_format": number(figures.unallocated),
        "formats": {
            row.format: {
                "unique_participants": row.participants,
                "training_hours": number(row.hours),
                "direct_costs": number(row.direct),
                "participants_working_time": number(row.working_time),
                "cost": number(row.cost),
                "cost_per_participant": number(row.per_participant),
                "cost_per_training_hour": number(row.per_hour),
            }
            for row in figures.formats
        },
        "travel_saved": {
            "remote_attendances": figures.remote_attendances,
            "cost": number(figures.travel_saved),
            "hours": number(figures.travel_hours_saved),
        },
    }


def kind_rows(figures: CostFigures) -> list[tuple[str, Decimal | None]]:
    """The costs by kind, the participants' working time and the total (labels translated)."""
    rows: list[tuple[str, Decimal | None]] = [
        (str(capfirst(CostEntry.Kind(kind).label)), figures.by_kind[kind]) for kind in KINDS
    ]
    rows.append((_("Participants' working time"), figures.working_time))
    rows.append((_("Total cost"), figures.total))
    return rows
