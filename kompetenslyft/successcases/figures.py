"""Where an initiative's effect is largest and smallest — per unit, role and module — for
choosing whom to interview (Brinkerhoff). Every figure is an already released figure of its
own app, through its fixed release of blocks of k or more (``core.disclosure.pool_paths``),
for every viewer, the lead included: the knowledge tests' first tries before and after the
module (``knowledge.results``), the follow-up talks' application rate (``followup.figures``),
the self-assessed gap movement from baseline to follow-up and the linked indicators' change
per unit (``successcases.movement``). A group under the threshold, or one a difference of
shown groups would reveal, has no figure; a candidate is a group, never a person.

The candidates are ranked by a combined score: for each of the four figures, a group's
position among the groups with that figure shown (0 the lowest, 1 the highest, ties sharing
the middle); the score is the mean of the positions the group has. It is made from shown
figures only, so it reveals nothing they do not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kompetenslyft.followup import figures as followup_figures
from kompetenslyft.indicators.models import Indicator
from kompetenslyft.knowledge.results import POST, PRE, results_for
from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.models import Role, Unit

from .movement import IndicatorChange, indicator_movement, movement_for

MAX_UNITS = 200
SHORTLIST = 3
MIDDLE = 0.5  # the combined score of a group in the middle of those ranked


@dataclass
class Row:
    kind: str  # "unit", "role", "module"
    key: int
    label: str
    before: float | None  # mean score before the module, 0–1
    after: float | None  # after the module
    talks: int | None  # follow-up talks counted
    applying: float | None  # share applying it, 0–1
    moved: int | None = None  # participations with a gap movement measured
    movement: float | None = None  # mean self-assessed level change, baseline → follow-up
    indicator: float | None = None  # mean relative change of the linked indicators, + is better
    indicator_changes: tuple[IndicatorChange, ...] = ()  # each indicator's change, in its unit
    score: float | None = None  # the combined score, 0–1 (see the module's docstring)
    positions: dict[str, float] | None = None  # figure → the group's position among those shown

    @property
    def gain(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def shown(self) -> bool:
        return self.score is not None

    @property
    def indicator_texts(self) -> list[str]:
        """Each indicator's change in words: in its own unit (percentage points for a share),
        better or worse; named when the initiative has several."""
        named = len(self.indicator_changes) > 1
        return [f"{c.name}: {change_text(c)}" if named else change_text(c) for c in self.indicator_changes]

    @property
    def indicator_relative_text(self) -> str:
        return relative_text(self.indicator) if self.indicator is not None else ""


MEASURES = ("gain", "applying", "movement", "indicator")


def _positions(values: list[tuple[int, float]]) -> dict[int, float]:
    """index → position 0–1 among the values (ties share their mean rank)."""
    if not values:
        return {}
    if len(values) == 1:
        return {values[0][0]: 0.5}
    ordered = sorted(values, key=lambda v: v[1])
    found: dict[int, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        rank = (i + j) / 2 / (len(ordered) - 1)
        for n in range(i, j + 1):
            found[ordered[n][0]] = rank
        i = j + 1
    return found


def score(rows: list[Row]) -> None:
    """Set each row's combined score from the figures shown (see the module's docstring)."""
    for r in rows:
        r.positions = {}
    for measure in MEASURES:
        values = [(i, v) for i, r in enumerate(rows) if (v := getattr(r, measure)) is not None]
        for i, position in _positions(values).items():
            rows[i].positions[measure] = position  # type: ignore[index]
    for r in rows:
        r.score = sum(r.positions.values()) / len(r.positions) if r.positions else None


@dataclass
class Candidates:
    units: list[Row]
    roles: list[Row]
    modules: list[Row]
    threshold: int

    def ranked(self) -> list[Row]:
        return [r for r in (*self.units, *self.roles, *self.modules) if r.score is not None]

    def largest(self) -> list[Row]:
        """The groups ranked above the middle (score over 0.5), highest first: a group below it
        is never offered as one where the effect is largest, however few groups there are."""
        above = [r for r in self.ranked() if (r.score or 0) > MIDDLE]
        return sorted(above, key=lambda r: (-(r.score or 0), r.label))[:SHORTLIST]

    def smallest(self) -> list[Row]:
        """The groups ranked below the middle (score under 0.5), lowest first; a group in the
        middle (alone, or tied with everyone) is in neither list."""
        below = [r for r in self.ranked() if (r.score or 0) < MIDDLE]
        return sorted(below, key=lambda r: (r.score or 0, r.label))[:SHORTLIST]


def candidates(initiative: Initiative) -> Candidates:
    organisation = initiative.organisation
    modules = frozenset(initiative.modules.values_list("pk", flat=True))
    tests = results_for(organisation)
    talks = followup_figures.figures_for(organisation)
    moves = movement_for(initiative)

    shown_units = list(
        Unit.objects.filter(organisation=organisation, depth__lte=2).order_by("path")[:MAX_UNITS]
    )
    shown_ids = frozenset(u.pk for u in shown_units)

    # The application rate of every row: one pass per kind over the initiative's talks (the
    # same cells as selecting each row's talks; units at depth 2 or above: the first three of
    # an atom's ancestry), kept per publication.
    def atoms() -> list[followup_figures.Atom]:
        return followup_figures.select(talks, modules=modules)

    _all, by_unit = followup_figures.cells_by(
        talks,
        atoms,
        lambda a: tuple(u for u in a.units[:3] if u in shown_ids),
        exact=False,
        memo_key=("successcases", "unit", modules, shown_ids),
    )
    _all, by_role = followup_figures.cells_by(
        talks, atoms, lambda a: a.role, exact=False, memo_key=("successcases", "role", modules)
    )
    _all, by_module = followup_figures.cells_by(
        talks, atoms, lambda a: a.module, exact=False, memo_key=("successcases", "module", modules)
    )
    rates = {"unit": by_unit, "role": by_role, "module": by_module}

    def row(kind: str, key: int, label: str, **where: object) -> Row:
        unit = where.get("unit")
        role_id = where.get("role_id")
        mods = where.get("modules", modules)
        before = tests.figure(kind=PRE, modules=mods, unit=unit, role_id=role_id)  # type: ignore[arg-type]
        after = tests.figure(kind=POST, modules=mods, unit=unit, role_id=role_id)  # type: ignore[arg-type]
        cell = rates[kind].get(key)
        moved, movement = moves.figure(
            modules=mods,  # type: ignore[arg-type]
            unit=unit.pk if isinstance(unit, Unit) else None,
            role=role_id,  # type: ignore[arg-type]
        )
        return Row(
            kind,
            key,
            label,
            before.mean,
            after.mean,
            cell.talks if cell else None,
            cell.rate if cell else None,
            moved,
            movement,
        )

    units = [row("unit", u.pk, u.name, unit=u) for u in shown_units]
    roles = [
        row("role", r.pk, r.name, role_id=r.pk)
        for r in Role.objects.filter(organisation=organisation).order_by("name")
    ]
    module_rows = [
        row("module", m.pk, f"{m.code} {m.name}", modules=frozenset([m.pk]))
        for m in initiative.modules.order_by("code")
    ]
    effects = indicator_movement(initiative, [r.key for r in units])
    for r in units:
        effect = effects.get(r.key)
        if effect is not None:
            r.indicator, r.indicator_changes = effect.relative, effect.changes
    score([*units, *roles, *module_rows])
    return Candidates(units, roles, module_rows, organisation.anonymity_threshold)


def last_published(initiative: Initiative) -> dt.date | None:
    """The latest closed month published of the figures the page reads (tests, talks, gap
    movement), or None when nothing is published yet."""
    organisation = initiative.organisation
    months = [
        *results_for(organisation).months[-1:],
        *followup_figures.figures_for(organisation).months[-1:],
        *movement_for(initiative).months[-1:],
    ]
    return max(months) if months else None


def publication_note(initiative: Initiative | None = None) -> str:
    """What the page says of the published months (ADR 0019) and the next publication, and —
    so that a lead who also reads the dashboard's exact figures never meets two unexplained
    numbers — which months the figures cover and that they count whole groups only."""
    from django.utils.formats import date_format

    from kompetenslyft.core.published import next_publication

    note = _(
        "Test results, application rates and gap movement are published per closed month and then "
        "never change; the month under way is published on %(date)s."
    ) % {"date": date_format(next_publication(), "DATE_FORMAT")}
    if initiative is None:
        return note
    last = last_published(initiative)
    if last is None:
        return note
    return (
        note
        + " "
        + _(
            "The figures cover the closed months up to %(month)s. They count only whole groups of "
            "%(k)s or more people, the same for every viewer, so they can be lower than the exact "
            "figures the competence lead sees on the dashboard for the same months."
        )
        % {"month": date_format(last, "YEAR_MONTH_FORMAT"), "k": initiative.organisation.anonymity_threshold}
    )


def _signed(value: float, places: int = 1) -> str:
    """+12,5 / −3,0 / ±0,0 in the active language's number format, rounded half up."""
    rounded = Decimal(str(abs(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "±" if not rounded else ("+" if value > 0 else "\u2212")
    return sign + number_format(rounded, places, use_l10n=True)


def change_text(change: IndicatorChange) -> str:
    """An indicator's change in its own unit and whether it is better: "+9,8 percentage points
    (better)" for a share, "−2,0 days (better)" where lower is better, "+3,0 (worse)" for a
    count or a plain number."""
    number = _signed(change.difference)
    if change.measure == Indicator.Measure.PERCENT:
        amount = _("%(change)s percentage points") % {"change": number}
    elif change.measure in (Indicator.Measure.DAYS, Indicator.Measure.HOURS, Indicator.Measure.MINUTES):
        amount = f"{number} {Indicator.Measure(change.measure).label}"
    else:
        amount = number
    if change.difference == 0:
        return _("%(change)s (unchanged)") % {"change": amount}
    if change.improvement > 0:
        return _("%(change)s (better)") % {"change": amount}
    return _("%(change)s (worse)") % {"change": amount}


def relative_text(relative: float) -> str:
    """The mean relative change the groups are ranked by, said as such: positive is better."""
    return _("relative change %(change)s %%, positive is better") % {"change": _signed(relative * 100)}


def kind_label(kind: str) -> str:
    return {"unit": _("Unit"), "role": _("Role"), "module": _("Module")}[kind]
