"""An attacker's toolkit for the evaluation results: a fixture of answers over units, roles,
genders, two modules and three months (some groups under k), an independent statement of which
answers each figure covers, and the exact linear-algebra check (``Span`` of
core/tests/test_disclosure.py): no hidden group with answers, and no small cell, may be a
combination of the figures shown."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kompetenslyft.core.tests.test_disclosure import Span
from kompetenslyft.evaluation.services import Given, Where, store_answers
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Role, Unit

MONTHS = (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1))
GENDERS = ("woman", "man", "other")
GENDER_KEYS = {"woman": "woman", "man": "man", "other": "other_or_unspecified"}


@dataclass(frozen=True)
class Cell:
    module: str
    month: str  # YYYY-MM
    unit: int | None  # None: an answer without a person
    role: str
    gender: str


@dataclass
class Fixture:
    organisation: Any
    cells: Counter[Cell]
    modules: dict[str, Module]
    roles: list[str]
    parents: dict[int, int | None]
    unit_codes: dict[int, str]

    def index(self) -> list[Cell]:
        return sorted(self.cells, key=repr)

    def subtree(self, unit: int) -> set[int]:
        found = {unit}
        changed = True
        while changed:
            changed = False
            for u, p in self.parents.items():
                if p in found and u not in found:
                    found.add(u)
                    changed = True
        return found


def build(network: Any, seed: int = 8) -> Fixture:
    """Answers in the alpha organisation: units ADM > DEP1 > U1, U2 and ADM > DEP2 > U3, three
    roles, three genders, modules M1 and M2, months 2026-01..03; about a third of the
    non-empty cells under k, and a few answers without a person."""
    org = network.org_a
    make = dict(category="c", level="basic", format="onsite", hours=2)
    modules = {
        code: Module.objects.get_or_create(organisation=org, code=code, defaults={"name": code, **make})[0]
        for code in ("M1", "M2")
    }
    roles = {
        name: Role.objects.get_or_create(organisation=org, name=name)[0]
        for name in ("nurse", "assistant", "head")
    }
    units = [network.admin_a, network.dep1, network.unit1, network.unit2, network.dep2, network.unit3]
    rng = random.Random(seed)
    cells: Counter[Cell] = Counter()
    given = []
    for code, module in modules.items():
        for month in MONTHS:
            for unit in units:
                for role_name, role in roles.items():
                    for gender in GENDERS:
                        draw = rng.random()
                        n = 0 if draw < 0.75 else rng.randint(1, 4) if draw < 0.87 else rng.randint(5, 9)
                        if not n:
                            continue
                        cells[Cell(code, month.strftime("%Y-%m"), unit.pk, role_name, gender)] += n
                        for i in range(n):
                            given.append(
                                Given(
                                    module.pk,
                                    month.replace(day=3),
                                    Where(unit.pk, role.pk, gender),
                                    motivated=1 + (i + n) % 4,
                                    level=1 + i % 5,
                                    method_good=4,
                                    important=3,
                                    will_use=2,
                                    comment=f"{code} {unit.unit_id} {role_name} {gender} {i}",
                                )
                            )
            cells[Cell(code, month.strftime("%Y-%m"), None, "", "")] += 3
            given.extend(Given(module.pk, month.replace(day=3), Where(), motivated=4) for _ in range(3))
    store_answers(org.pk, given, reshuffle=False)
    parents = dict(Unit.objects.filter(organisation=org).values_list("pk", "parent_id"))
    codes = dict(Unit.objects.filter(organisation=org).values_list("pk", "unit_id"))
    return Fixture(org, cells, modules, list(roles), parents, codes)


@dataclass(frozen=True)
class Filters:
    modules: frozenset[str] | None = None
    unit: int | None = None
    role: str | None = None
    gender: str | None = None
    month_from: str | None = None
    month_to: str | None = None


def matches(fx: Fixture, cell: Cell, f: Filters) -> bool:
    if f.modules is not None and cell.module not in f.modules:
        return False
    if f.month_from is not None and cell.month < f.month_from:
        return False
    if f.month_to is not None and cell.month > f.month_to:
        return False
    needs_person = f.unit is not None or f.role is not None or f.gender is not None
    if needs_person and cell.unit is None:
        return False
    if f.unit is not None and cell.unit not in fx.subtree(f.unit):
        return False
    if f.role is not None and cell.role != f.role:
        return False
    return not (f.gender is not None and cell.gender != f.gender)


def group_of(fx: Fixture, cell: Cell, f: Filters, by: str) -> str | None:
    """The key of the group of ``by`` that a cell falls in (answers without a person: none)."""
    if cell.unit is None:
        return None
    if by == "gender":
        return GENDER_KEYS[cell.gender]
    if by == "role":
        return cell.role
    if by == "module":
        return cell.module
    if by == "month":
        return cell.month
    chain = [cell.unit]
    while fx.parents.get(chain[-1]) is not None:
        chain.append(fx.parents[chain[-1]])  # type: ignore[arg-type]
    chain.reverse()  # top, …, the unit
    if f.unit is None:
        return fx.unit_codes[chain[0]]
    if cell.unit == f.unit:
        return "direct"
    position = chain.index(f.unit)
    return fx.unit_codes[chain[position + 1]]


class Attack:
    """Collects what a viewer is shown, then tries to work out what is hidden."""

    def __init__(self, fx: Fixture, threshold: int) -> None:
        self.fx = fx
        self.k = threshold
        self.order = fx.index()
        self.shown: set[tuple[int, ...]] = set()
        self.hidden: set[tuple[int, ...]] = set()
        self.figures = 0

    def vector(self, wanted: Any) -> tuple[int, ...]:
        return tuple(int(wanted(cell)) for cell in self.order)

    def count(self, vector: tuple[int, ...]) -> int:
        return sum(self.fx.cells[cell] for cell, x in zip(self.order, vector, strict=True) if x)

    def add(self, figure: dict[str, Any], vector: tuple[int, ...], where: str) -> None:
        self.figures += 1
        actual = self.count(vector)
        responses = figure["responses"]
        if responses is None:
            if actual:
                self.hidden.add(vector)
            return
        assert responses == actual, f"{where}: shown {responses}, the answers say {actual}"
        assert responses == 0 or responses >= self.k, f"{where}: {responses} answers shown"
        self.shown.add(vector)

    def add_result(self, result: dict[str, Any], f: Filters, by: str | None, where: str) -> None:
        self.add(result["total"], self.vector(lambda c: matches(self.fx, c, f)), f"{where} total")
        for group in result.get("groups", []) if by else []:
            key = group["key"]
            vector = self.vector(
                lambda c, key=key: matches(self.fx, c, f) and group_of(self.fx, c, f, by) == key
            )
            self.add(group, vector, f"{where} {by}={key}")

    def leaks(self) -> list[str]:
        """Hidden groups and small cells that are combinations of the figures shown."""
        span = Span()
        for vector in sorted(self.shown):
            span.add(list(vector))
        found = [f"hidden group {self.describe(v)}" for v in sorted(self.hidden) if span.contains(list(v))]
        for i, cell in enumerate(self.order):
            if 0 < self.fx.cells[cell] < self.k:
                unit = [0] * len(self.order)
                unit[i] = 1
                if span.contains(unit):
                    found.append(f"small cell {cell} ({self.fx.cells[cell]})")
        return found

    def describe(self, vector: tuple[int, ...]) -> str:
        return ", ".join(repr(c) for c, x in zip(self.order, vector, strict=True) if x)[:300]
