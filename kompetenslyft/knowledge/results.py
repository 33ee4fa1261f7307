"""Test results per module, unit and role: before vs after (mean score, pass rate, the
difference), always as aggregates under the anonymity rules — a test result is personal data,
so no viewer but the person itself sees a score, and a lead or a trainer sees groups of k or
more only (unlike other dashboard figures, ``exact`` does not lift this).

Each person counts once per module and kind: its first finished try (the knowledge it came with
before the module; the learning right after it), and once in any figure over several modules
(the mean of its tries). The atoms are people: the releases are fixed partitions into blocks of
k or more distinct people (``core.disclosure.pool_paths``, see :class:`Results`) that depend on
the counts only; a figure is shown only when it is a union of whole blocks, so no difference of
shown figures (a unit minus its children, a filter minus a narrower one, a role minus the rest)
singles out fewer than k people. The gender and period filters do not apply (they would change
the release)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from kompetenslyft.core.disclosure import Blocks, pool_paths
from kompetenslyft.core.memo import Memo
from kompetenslyft.learning.models import Module
from kompetenslyft.learning.participation import version as participation_version
from kompetenslyft.learning.selectors import completed_modules
from kompetenslyft.org.models import Organisation, Role, Unit

from .models import Attempt, KnowledgeTest

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


class Results:
    """The organisation's first tries, released in blocks of its anonymity threshold or more
    distinct people (ADR 0004/0005; the atoms are people, never tries).

    * One module: atoms ``(module, kind, unit, …, unit, DIRECT, role)`` hold each person once
      (its first try of the module's test of that kind); each module's atoms are cut into blocks
      on their own (:func:`pool_paths` per module and kind), so no block holds one person twice.
    * Several modules (or all): each person is one atom per kind,
      ``(kind, unit, …, unit, DIRECT, role, modules it took)``, so it counts once whatever the
      modules; the mean and the share passed are over its first tries. A figure over the modules
      ``M`` is shown only when the people it touches are whole blocks of k or more people, each
      of them took tests of modules in ``M`` only (its value never depends on the choice of
      ``M`` beyond whole blocks), and each module's own figure under the same filter is shown
      (the scores are their sum, so no filter minus a narrower one tells a hidden module's)."""

    def __init__(self, organisation: Organisation) -> None:
        self.threshold = max(1, organisation.anonymity_threshold)
        paths = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "path"))
        tests = dict(KnowledgeTest.objects.filter(organisation=organisation).values_list("pk", "module_id"))
        kinds = dict(KnowledgeTest.objects.filter(organisation=organisation).values_list("pk", "kind"))
        pre_tests = [pk for pk, kind in kinds.items() if kind == PRE]
        post_tests = [pk for pk, kind in kinds.items() if kind == POST]
        units_of: dict[int, tuple[int, ...]] = {}

        def units(unit_id: int) -> tuple[int, ...]:
            found = units_of.get(unit_id)
            if found is None:
                path = paths.get(unit_id) or f"/{unit_id}/"
                found = units_of[unit_id] = tuple(int(p) for p in path.strip("/").split("/"))
            return found

        # (kind, module, person) → (unit, role, score, passed): the person's first try there.
        tries: dict[tuple[str, int, int], tuple[int, int, Decimal, bool]] = {}

        def add(
            test_id: int, unit_id: int, role_id: int | None, person_id: int, score: Any, ok: bool
        ) -> None:
            key = (str(kinds[test_id]), int(tests[test_id]), int(person_id))
            if key not in tries:  # one try per person per module and kind (the earliest)
                tries[key] = (unit_id, role_id or 0, Decimal(str(score or 0)), bool(ok))

        first = Attempt.objects.filter(number=1, submitted_at__isnull=False).order_by("submitted_at", "pk")
        columns = ("test_id", "unit_id", "role_id", "person_id", "score", "passed")
        if pre_tests:  # (an empty IN has no SQL) — plain tuples straight from the cursor
            sql, params = first.filter(test_id__in=pre_tests).values_list(*columns).query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                for row in cursor.fetchall():
                    add(*row)
        # After the module: only the people who completed it count.
        post = first.filter(test_id__in=post_tests)
        done = completed_modules(post.values("person_id"))
        for one in post.values_list(*columns):
            if tests[one[0]] in done.get(one[3], ()):
                add(*one)

        # One module: people per (module, kind, units, role).
        self.data: dict[tuple[Hashable, ...], tuple[int, Decimal, int]] = {}
        # Several modules: per person and kind, its placement (its latest module's), modules,
        # scores and passes.
        people: dict[tuple[str, int], list[Any]] = {}
        for (kind, module_id, person_id), (unit_id, role_id, score, ok) in tries.items():
            atom = (module_id, kind, *units(unit_id), DIRECT, role_id)
            n0, total0, passed0 = self.data.get(atom, (0, Decimal(0), 0))
            self.data[atom] = (n0 + 1, total0 + score, passed0 + (1 if ok else 0))
            one = people.setdefault((kind, person_id), [unit_id, role_id, set(), Decimal(0), 0])
            one[0], one[1] = unit_id, role_id
            one[2].add(module_id)
            one[3] += score
            one[4] += 1 if ok else 0
        by_module: dict[tuple[int, str], dict[tuple[Hashable, ...], int]] = {}
        for atom, value in self.data.items():
            by_module.setdefault((int(atom[0]), str(atom[1])), {})[atom] = value[0]  # type: ignore[call-overload]
        self.module_blocks: dict[tuple[int, str], Blocks] = {
            key: pool_paths(atoms, self.threshold) for key, atoms in by_module.items()
        }
        # (kind, units…, DIRECT, role, modules) → [people, tries, Σ scores, tries passed]
        self.person_data: dict[tuple[Hashable, ...], list[Any]] = {}
        for (kind, _person), (unit_id, role_id, modules, total, passed) in people.items():
            key = (kind, *units(unit_id), DIRECT, role_id, frozenset(modules))
            entry = self.person_data.setdefault(key, [0, 0, Decimal(0), 0])
            entry[0] += 1
            entry[1] += len(modules)
            entry[2] += total
            entry[3] += passed
        self.person_blocks: Blocks = pool_paths(
            {a: v[0] for a, v in self.person_data.items()}, self.threshold
        )
        self._figures: dict[tuple[Any, ...], Figure] = {}  # figures asked for, kept with the release
        self.by_module: dict[tuple[str, int], list[tuple[Hashable, ...]]] = {}
        for atom in self.data:
            self.by_module.setdefault((str(atom[1]), int(atom[0])), []).append(atom)  # type: ignore[call-overload]
        self.by_kind: dict[str, list[tuple[Hashable, ...]]] = {}
        for atom in self.person_data:
            self.by_kind.setdefault(str(atom[0]), []).append(atom)

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
            if modules is not None and len(modules) == 1:
                known = self._module_figure(kind, next(iter(modules)), unit, role_id)
            else:
                known = self._people_figure(kind, modules, unit, role_id)
            self._figures[key] = known
        return known

    def _module_figure(self, kind: str, module: int, unit: Unit | None, role_id: int | None) -> Figure:
        under = unit.pk if unit is not None else None
        atoms = [
            atom
            for atom in self.by_module.get((kind, module), [])
            if (under is None or under in atom[2:-2]) and (role_id is None or atom[-1] == role_id)
        ]
        if not atoms:
            return EMPTY
        people = sum(self.data[a][0] for a in atoms)
        if people < self.threshold or not self.module_blocks[(module, kind)].shown(atoms):
            return HIDDEN
        total = sum((self.data[a][1] for a in atoms), Decimal(0))
        passed = sum(self.data[a][2] for a in atoms)
        return Figure(people, float(total) / people / 100, passed / people)

    def _people_figure(
        self, kind: str, modules: frozenset[int] | None, unit: Unit | None, role_id: int | None
    ) -> Figure:
        under = unit.pk if unit is not None else None
        atoms = [
            atom
            for atom in self.by_kind.get(kind, [])
            if (modules is None or atom[-1] & modules)  # type: ignore[operator]
            and (under is None or under in atom[1:-3])
            and (role_id is None or atom[-2] == role_id)
        ]
        if not atoms:
            return EMPTY
        people = sum(self.person_data[a][0] for a in atoms)
        if people < self.threshold or not self.person_blocks.shown(atoms):
            return HIDDEN
        if modules is not None and any(not atom[-1] <= modules for atom in atoms):  # type: ignore[operator]
            # Someone here also took other modules' tests: its figure would depend on the choice.
            return HIDDEN
        # The scores are those of the modules' own figures added up: each must be shown (or have
        # no tries), else this figure minus the others would tell a hidden module's.
        taken: set[int] = set()
        for atom in atoms:
            taken.update(atom[-1])  # type: ignore[arg-type]
        for module in taken:
            if self._module_figure(kind, int(module), unit, role_id).hidden:
                return HIDDEN
        tries = sum(self.person_data[a][1] for a in atoms)
        total = sum((self.person_data[a][2] for a in atoms), Decimal(0))
        passed = sum(self.person_data[a][3] for a in atoms)
        return Figure(people, float(total) / tries / 100, passed / tries)


_memo = Memo(kept=16)


def results_for(organisation: Organisation) -> Results:
    """:class:`Results`, kept per process until a try is handed in, the units or the attendance
    change (the key is the time of the latest hand-in, the tests, and the units' and
    attendances' count and last id)."""
    tests = list(KnowledgeTest.objects.filter(organisation=organisation).values_list("pk", flat=True))
    # A try is written once, when handed in: the latest hand-in marks every change.
    last = Attempt.objects.filter(test_id__in=tests).aggregate(at=Max("submitted_at"))["at"]
    units = Unit.objects.filter(organisation=organisation).aggregate(n=Count("id"), last=Max("id"))
    # Who completed a module decides whose try after it counts: the participation summary's
    # version rises in the same transaction as every attendance written (ADR 0006). Counting
    # the attendance instead read 1,000,000 rows on every page (1.7 s at 50,000 people).
    attended = participation_version(organisation.pk)
    key = (
        organisation.pk,
        organisation.anonymity_threshold,
        tuple(tests),
        last,
        units["n"],
        units["last"],
        attended,
    )
    return _memo.get(key, lambda: Results(organisation))


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
    note = _(
        "Each person counts once in every figure (its first try of each test). Test results are "
        "shown for groups of %(k)s people or more only, to everyone; a figure over chosen modules "
        "is hidden where its people also took other modules' tests; the gender and period "
        "filters do not apply."
    ) % {"k": release.threshold}
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
    )


def module_summary(organisation: Organisation, module: Module) -> tuple[Figure, Figure, int]:
    """The module's whole-organisation figures (before, after) and the threshold, for its page."""
    results = results_for(organisation)
    one = frozenset([module.pk])
    return results.figure(kind=PRE, modules=one), results.figure(kind=POST, modules=one), results.threshold
