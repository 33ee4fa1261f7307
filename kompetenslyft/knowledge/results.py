"""Test results per module, unit and role: before vs after (mean score, pass rate, the
difference), always as aggregates under the anonymity rules — a test result is personal data,
so no viewer but the person itself sees a score, and a lead or a trainer sees groups of k or
more only (unlike other dashboard figures, ``exact`` does not lift this).

Results are *published* per closed calendar month and frozen (ADR 0019): the daily run
(:func:`publish_months`) takes, for each month that has ended, the first tries handed in during
it (the knowledge a person came with before the module; the learning right after it, counted
when the person had completed the module by then), each in the unit and role the person had when
it took the try. Per module and kind, their people per unit and role are cut into fixed blocks
of k or more distinct people (``core.disclosure.pool_paths``; a person has one first try per
module and kind, so it is in one block at most) and stored (:class:`ResultAtom`). Pages read the
stored months only: nothing of the month under way shows, a new try moves nothing until its
month closes, and a later change of unit, role or tree rewrites nothing already published.

A figure over modules, units, roles and months is the sum of the parts — one per month and
module — that are unions of whole blocks; a part that is not is left out, and a figure with no
such part is hidden. Every shown figure is then a sum of whole blocks of k or more people, and
every sum or difference of shown figures (a unit minus its children, a filter minus a narrower
one, a month against the next) is one too. A person counts once per module and kind. The gender
and period filters do not apply (they would change the release)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from kompetenslyft.core.disclosure import pool_paths
from kompetenslyft.core.memo import Memo
from kompetenslyft.core.published import local_midnight, next_month, next_publication
from kompetenslyft.learning.models import Module
from kompetenslyft.learning.selectors import completed_modules
from kompetenslyft.org.models import Organisation, Role, Unit

from .models import Attempt, KnowledgeTest, ResultAtom, ResultMonth

DIRECT = "="
PRE, POST = KnowledgeTest.Kind.PRE.value, KnowledgeTest.Kind.POST.value


@dataclass(frozen=True)
class Figure:
    people: int | None  # None: hidden
    mean: float | None  # 0–1
    pass_rate: float | None  # 0–1

    @property
    def hidden(self) -> bool:
        return self.people is None

    @property
    def empty(self) -> bool:
        return self.people == 0


EMPTY = Figure(0, None, None)
HIDDEN = Figure(None, None, None)


def _units(path: str) -> tuple[int, ...]:
    return tuple(int(p) for p in path.strip("/").split("/") if p)


def month_atoms(organisation: Organisation, month: dt.date) -> list[ResultAtom]:
    """The month's release, unsaved: its first tries per module, kind, unit and role (the
    person's at the time of the try), each atom with its block (``pool_paths`` per module and
    kind, blocks of the threshold or more distinct people)."""
    k = max(1, organisation.anonymity_threshold)
    paths = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "path"))
    tests = {
        pk: (module_id, str(kind))
        for pk, module_id, kind in KnowledgeTest.objects.filter(organisation=organisation).values_list(
            "pk", "module_id", "kind"
        )
    }
    if not tests:
        return []
    rows = list(
        Attempt.objects.filter(
            test_id__in=list(tests),
            number=1,
            submitted_at__gte=local_midnight(month),
            submitted_at__lt=local_midnight(next_month(month)),
        ).values_list("test_id", "unit_id", "role_id", "person_id", "score", "passed")
    )
    post_tests = [pk for pk, (_m, kind) in tests.items() if kind == POST]
    post_people = (
        Attempt.objects.filter(
            test_id__in=post_tests,
            number=1,
            submitted_at__gte=local_midnight(month),
            submitted_at__lt=local_midnight(next_month(month)),
        ).values("person_id")
        if post_tests
        else None
    )
    done = completed_modules(post_people) if post_people is not None else {}
    # (module, kind, unit, role) → [people, Σ score, passed]
    cells: dict[tuple[int, str, int, int], list[Any]] = defaultdict(lambda: [0, Decimal(0), 0])
    for test_id, unit_id, role_id, person_id, score, ok in rows:
        module_id, kind = tests[test_id]
        if kind == POST and module_id not in done.get(person_id, ()):
            continue  # after the module: only the people who had completed it count
        cell = cells[(module_id, kind, unit_id, role_id or 0)]
        cell[0] += 1
        cell[1] += Decimal(str(score or 0))
        cell[2] += 1 if ok else 0
    by_release: dict[tuple[int, str], dict[tuple[Hashable, ...], int]] = defaultdict(dict)
    for (module_id, kind, unit_id, role_id), cell in cells.items():
        path = paths.get(unit_id) or f"/{unit_id}/"
        by_release[(module_id, kind)][(module_id, kind, *_units(path), DIRECT, role_id)] = cell[0]
    blocks = {key: pool_paths(atoms, k) for key, atoms in by_release.items()}
    atoms = []
    for (module_id, kind, unit_id, role_id), (people, total, passed) in cells.items():
        path = paths.get(unit_id) or f"/{unit_id}/"
        block = blocks[(module_id, kind)].block_of.get((module_id, kind, *_units(path), DIRECT, role_id), -1)
        atoms.append(
            ResultAtom(
                module_id=module_id,
                kind=kind,
                unit_ref=unit_id,
                path=path,
                role_ref=role_id,
                people=people,
                total=total,
                passed=passed,
                block=block,
            )
        )
    return atoms


# One stored atom as read: (month, module, units, role, people, Σ score, passed, block).
_Row = tuple[dt.date, int, tuple[int, ...], int, int, Decimal, int, int]


class Results:
    """The organisation's published months of results, read from the stored releases.

    ``figure`` sums, per month and module, the atoms a filter selects where they are whole
    blocks of k or more people (see the module's docstring); nothing is computed from tries."""

    def __init__(self, organisation: Organisation) -> None:
        self.threshold = max(1, organisation.anonymity_threshold)
        self.months = sorted(
            ResultMonth.objects.filter(organisation=organisation).values_list("month", flat=True)
        )
        self.by_kind: dict[str, list[_Row]] = defaultdict(list)
        self.by_unit: dict[tuple[str, int], list[_Row]] = defaultdict(list)
        self.by_module: dict[tuple[str, int], list[_Row]] = defaultdict(list)
        # (month, module, kind, block) → [atoms in it, people in it]
        self.blocks: dict[tuple[dt.date, int, str, int], list[int]] = defaultdict(lambda: [0, 0])
        for month, module, kind, path, role, people, total, passed, block in ResultAtom.objects.filter(
            run__organisation=organisation
        ).values_list(
            "run__month", "module_id", "kind", "path", "role_ref", "people", "total", "passed", "block"
        ):
            row: _Row = (month, module, _units(path), role, people, total, passed, block)
            self.by_kind[kind].append(row)
            self.by_module[(kind, module)].append(row)
            for unit in row[2]:
                self.by_unit[(kind, unit)].append(row)
            entry = self.blocks[(month, module, kind, block)]
            entry[0] += 1
            entry[1] += people
        self._figures: dict[tuple[Any, ...], Figure] = {}

    @property
    def last_month(self) -> dt.date | None:
        return self.months[-1] if self.months else None

    def figure(
        self,
        *,
        kind: str,
        modules: frozenset[int] | None = None,
        unit: Unit | None = None,
        role_id: int | None = None,
    ) -> Figure:
        key = (kind, modules, unit.pk if unit is not None else None, role_id)
        known = self._figures.get(key)
        if known is None:
            known = self._figures[key] = self._figure(kind, modules, unit, role_id)
        return known

    def _figure(
        self, kind: str, modules: frozenset[int] | None, unit: Unit | None, role_id: int | None
    ) -> Figure:
        # The smallest index that holds every atom the filter selects.
        pool = self.by_kind.get(kind, []) if unit is None else self.by_unit.get((kind, unit.pk), [])
        if modules is not None:
            chosen = [row for m in modules for row in self.by_module.get((kind, m), [])]
            if len(chosen) < len(pool):
                pool = chosen
        # (month, module) → block → atoms of it selected; and the parts' sums
        parts: dict[tuple[dt.date, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
        sums: dict[tuple[dt.date, int], list[Any]] = defaultdict(lambda: [0, Decimal(0), 0])
        under = unit.pk if unit is not None else None
        for month, module, units, role, people, total, passed, block in pool:
            if (
                (modules is not None and module not in modules)
                or (role_id is not None and role != role_id)
                or (under is not None and under not in units)
            ):
                continue
            parts[(month, module)][block] += 1
            part = sums[(month, module)]
            part[0] += people
            part[1] += total
            part[2] += passed
        if not parts:
            return EMPTY
        people, total, passed = 0, Decimal(0), 0
        for (month, module), touched in parts.items():
            if all(self._whole(month, module, kind, block, n) for block, n in touched.items()):
                part = sums[(month, module)]
                people, total, passed = people + part[0], total + part[1], passed + part[2]
        if not people:
            return HIDDEN
        return Figure(people, float(total) / people / 100, passed / people)

    def _whole(self, month: dt.date, module: int, kind: str, block: int, atoms: int) -> bool:
        found = self.blocks.get((month, module, kind, block))
        return block >= 0 and found is not None and found[0] == atoms and found[1] >= self.threshold


_memo = Memo(kept=16)


def results_for(organisation: Organisation) -> Results:
    """:class:`Results`, kept per process until a month is published or withdrawn (the key is
    the publications' latest id and time and their count, and the threshold)."""
    runs = ResultMonth.objects.filter(organisation=organisation).aggregate(
        last=Max("pk"), at=Max("published_at"), n=Count("pk")
    )
    key = (organisation.pk, organisation.anonymity_threshold, runs["last"], runs["at"], runs["n"])
    return _memo.get(key, lambda: Results(organisation))


def publication_note(results: Results) -> str:
    """What the page says about the months shown and the next publication."""
    from django.utils.formats import date_format

    upcoming = date_format(next_publication(), "DATE_FORMAT")
    if results.last_month is None:
        return _(
            "No month is published yet. Test results are published per closed month; the next on %(date)s."
        ) % {"date": upcoming}
    return _(
        "Test results are published per closed month and then never change: shown up to and "
        "including %(month)s. The month under way is published on %(date)s."
    ) % {"month": date_format(results.last_month, "YEAR_MONTH_FORMAT"), "date": upcoming}


def difference(before: Figure, after: Figure) -> float | None:
    if before.mean is None or after.mean is None:
        return None
    return after.mean - before.mean


def modules_tested(organisation: Organisation, modules: frozenset[int] | None) -> list[Module]:
    tested = Module.objects.filter(knowledge_tests__organisation=organisation).distinct().order_by("code")
    if modules is not None:
        tested = tested.filter(pk__in=modules)
    return list(tested)


# --- the dashboard's sections ----------------------------------------------------------------


def _row(label: str, before: Figure, after: Figure) -> list[Any]:
    from kompetenslyft.evaluation.dashboard_page import Value

    def cells(f: Figure) -> list[Value]:
        return [
            Value(f.people, "int"),
            Value(f.mean, "pct", blank=f.empty),
            Value(f.pass_rate, "pct", blank=f.empty),
        ]

    diff = difference(before, after)
    hidden_diff = before.hidden or after.hidden
    return [
        Value(label, "text"),
        *cells(before),
        *cells(after),
        Value(diff, "pp", blank=diff is None and not hidden_diff),
    ]


def _bars(rows: list[list[Any]], column: int) -> tuple[list[Any], list[bool]]:
    """A chart series from a table column: the values, and which are blank (no tries) rather
    than hidden — so that chart and table say the same."""
    return [row[column].value for row in rows], [row[column].blank for row in rows]


class _Viewed:
    """The release as a viewer sees it: for one who does not see exact figures, a group with
    no tries looks the same as a hidden one (else 0 versus hidden tells where testers are)."""

    def __init__(self, results: Results, *, exact: bool) -> None:
        self.results, self.exact = results, exact

    def figure(self, **kwargs: Any) -> Figure:
        figure = self.results.figure(**kwargs)
        return HIDDEN if figure.empty and not self.exact else figure


def blank_note() -> str:
    """What "–" means in a results table. Only a viewer with exact figures meets it: to others
    a group nobody tested looks hidden (``_Viewed``), which the hidden mark's note explains."""
    return _(
        "–: nobody took the test in the months published (0 people), so there is no mean score "
        "nor share passed; the difference needs a mean score both before and after the module."
    )


def _columns(first: str) -> list[str]:
    return [
        first,
        _("Before: people"),
        _("Before: mean score"),
        _("Before: passed"),
        _("After: people"),
        _("After: mean score"),
        _("After: passed"),
        _("Difference (points)"),
    ]


def dashboard_sections(context: Any) -> list[Any]:
    """Three sections: per module, per unit, per role (``evaluation.dashboard_page``)."""
    from kompetenslyft.evaluation import charts
    from kompetenslyft.evaluation.dashboard_page import Section, Table

    filters = context.filters
    organisation = filters.organisation
    modules = modules_tested(organisation, filters.modules)
    if not modules:
        return []
    release = results_for(organisation)
    results = _Viewed(release, exact=context.exact)
    role_id = filters.role.pk if filters.role is not None else None
    selected = frozenset(m.pk for m in modules)
    note = " ".join(
        [
            _(
                "Each person counts once per module and test (its first try), in the unit and role "
                "it had when it took the try. Test results are shown for groups of %(k)s people or "
                "more only, to everyone; a month in which a group was too small is left out of its "
                "figure; the gender and period filters do not apply."
            )
            % {"k": release.threshold},
            publication_note(release),
        ]
    )
    sections = []

    per_module = []
    for module in modules:
        one = frozenset([module.pk])
        per_module.append(
            (
                module.name,
                results.figure(kind=PRE, modules=one, unit=filters.unit, role_id=role_id),
                results.figure(kind=POST, modules=one, unit=filters.unit, role_id=role_id),
            )
        )
    chart = charts.bar_chart(
        ident="knowledge-modules",
        title=_("Knowledge tests: mean score before and after"),
        description=_("Mean score of the test before and of the test after each module."),
        categories=[name for name, _b, _a in per_module],
        series=[
            charts.Series(
                _("Before"), [b.mean for _n, b, _a in per_module], [b.empty for _n, b, _a in per_module]
            ),
            charts.Series(
                _("After"), [a.mean for _n, _b, a in per_module], [a.empty for _n, _b, a in per_module]
            ),
        ],
        percent=True,
        maximum=1.0,
        hidden_text=context.hidden,
        empty_text=context.empty,
    )
    sections.append(
        Section(
            "knowledge-modules",
            _("Knowledge tests per module"),
            _("Before the module (prior knowledge) and after it (learning): mean score and share passed."),
            chart,
            Table(_("Knowledge tests per module"), _columns(_("Module")), [_row(*r) for r in per_module]),
            note=note,
            short_title=_("Tests per module"),
            blank_note=blank_note(),
        )
    )

    if filters.unit is not None:
        units = list(Unit.objects.filter(parent=filters.unit).order_by("name"))
        top = [(filters.unit.name, filters.unit)]
    else:
        units = list(Unit.objects.filter(organisation=organisation, parent__isnull=True).order_by("name"))
        top = [(_("Whole organisation"), None)]
    unit_rows = [
        _row(
            name,
            results.figure(kind=PRE, modules=selected, unit=unit, role_id=role_id),
            results.figure(kind=POST, modules=selected, unit=unit, role_id=role_id),
        )
        for name, unit in [*top, *((u.name, u) for u in units)]
    ]
    sections.append(
        _before_after_section(
            "knowledge-units",
            (_("Knowledge tests per unit"), _("Tests per unit"), _("Unit")),
            _("The modules chosen together, per unit (with the units below it)."),
            _("Mean score before and after, per unit."),
            unit_rows,
            context=context,
            note=note,
        )
    )

    roles = Role.objects.filter(organisation=organisation).order_by("name")
    if role_id is not None:
        roles = roles.filter(pk=role_id)
    role_rows = [
        _row(
            role.name,
            results.figure(kind=PRE, modules=selected, unit=filters.unit, role_id=role.pk),
            results.figure(kind=POST, modules=selected, unit=filters.unit, role_id=role.pk),
        )
        for role in roles
    ]
    sections.append(
        _before_after_section(
            "knowledge-roles",
            (_("Knowledge tests per role"), _("Tests per role"), _("Role")),
            _("The modules chosen together, per role."),
            _("Mean score before and after, per role."),
            role_rows,
            context=context,
            note=note,
        )
    )
    return sections


def _before_after_section(
    ident: str,
    titles: tuple[str, str, str],
    intro: str,
    description: str,
    rows: list[Any],
    *,
    context: Any,
    note: Any,
) -> Any:
    """A section of mean scores before and after per group (unit, role): a bar chart and its
    table. ``titles``: the title, the short title and the first column's heading."""
    from kompetenslyft.evaluation import charts
    from kompetenslyft.evaluation.dashboard_page import Section, Table

    title, short_title, heading = titles
    return Section(
        ident,
        title,
        intro,
        charts.bar_chart(
            ident=ident,
            title=title,
            description=description,
            categories=[row[0].value for row in rows],
            series=[
                charts.Series(_("Before"), *_bars(rows, 2)),
                charts.Series(_("After"), *_bars(rows, 5)),
            ],
            percent=True,
            maximum=1.0,
            hidden_text=context.hidden,
            empty_text=context.empty,
        ),
        Table(title, _columns(heading), rows),
        note=note,
        short_title=short_title,
        blank_note=blank_note(),
    )


def module_summary(organisation: Organisation, module: Module) -> tuple[Figure, Figure, int, str]:
    """The module's whole-organisation figures (before, after), the threshold and what the page
    says of the months published, for its page."""
    results = results_for(organisation)
    one = frozenset([module.pk])
    return (
        results.figure(kind=PRE, modules=one),
        results.figure(kind=POST, modules=one),
        results.threshold,
        publication_note(results),
    )
