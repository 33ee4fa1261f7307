"""The gap report (``kompetenslyft report gap``): direct counts per unit and competence, and
the anonymised report that passes core.disclosure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from kompetenslyft.competence.models import Competence
from kompetenslyft.core import disclosure
from kompetenslyft.org.models import Organisation, Role, Unit

from .gap_selectors import gap_releases
from .models import LATEST, GapCell


@dataclass
class ReportRow:
    unit_id: str
    competence_code: str
    required: int
    assessed: int
    below: int

    @property
    def share_below(self) -> float:
        return self.below / self.assessed if self.assessed else 0.0


def gap_report(
    *,
    organisations: list[Organisation],
    point: int | None = None,
    unit: Unit | None = None,
    role_names: list[str] | None = None,
) -> list[ReportRow]:
    """`report gap`: one row per unit (people directly in it) and competence with at least one
    requirement (formats.md), from the summary — one aggregate over it, read as plain tuples
    (the report has a row per unit and competence: 180,000 for a large organisation)."""
    from django.db import connection

    table = GapCell._meta.db_table
    measured = LATEST if point is None else point
    rows: list[ReportRow] = []
    for organisation in organisations:
        where = ["g.organisation_id = %s", "g.point IN (%s, %s)"]
        # The three CASE values come first in the statement, then the WHERE's.
        params: list[Any] = [LATEST, measured, measured, organisation.pk, LATEST, measured]
        if unit is not None:
            where.append(f"g.unit_id IN (SELECT id FROM {Unit._meta.db_table} WHERE path LIKE %s)")  # noqa: S608
            params.append(unit.path + "%")
        if role_names is not None:
            role_ids = list(
                Role.objects.filter(organisation=organisation, name__in=role_names).values_list(
                    "pk", flat=True
                )
            ) or [0]
            where.append(f"g.role_id IN ({', '.join(['%s'] * len(role_ids))})")
            params.extend(role_ids)
        # Table names come from the models and values travel as parameters.
        sql = (
            "SELECT g.unit_id, g.competence_id, "  # noqa: S608
            "SUM(CASE WHEN g.point = %s THEN g.direct_required ELSE 0 END), "
            "SUM(CASE WHEN g.point = %s THEN g.direct_assessed ELSE 0 END), "
            "SUM(CASE WHEN g.point = %s THEN g.direct_below ELSE 0 END) "
            f"FROM {table} g WHERE {' AND '.join(where)} GROUP BY g.unit_id, g.competence_id"
        )
        unit_ids = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "unit_id"))
        codes = dict(Competence.objects.values_list("pk", "code"))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for unit_pk, competence_pk, required, assessed, below in cursor.fetchall():
                if required:
                    rows.append(
                        ReportRow(
                            unit_ids[unit_pk], codes[competence_pk], int(required), int(assessed), int(below)
                        )
                    )
    rows.sort(key=lambda r: (r.unit_id, r.competence_code))
    return rows


@dataclass
class AnonymisedRow:
    unit_id: str
    competence_code: str
    scope: str  # "unit" (people directly in it) or "subtree"
    required: int
    assessed: int | None
    below: int | None


def gap_report_anonymised(
    organisation: Organisation,
    *,
    point: int | None = None,
    unit: Unit | None = None,
    role: Role | None = None,
) -> list[AnonymisedRow]:
    """`report gap --anonymised` (formats.md): a row of each scope per unit and competence,
    every figure through the disclosure control, as an aggregates-only viewer sees them."""
    measured = LATEST if point is None else point
    units = Unit.objects.filter(organisation=organisation)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
    unit_codes = dict(units.values_list("pk", "unit_id"))
    cells = GapCell.objects.filter(organisation=organisation, unit_id__in=units.values("pk"))
    if role is not None:
        cells = cells.filter(role=role)
    required = {
        (r["unit_id"], r["competence_id"]): (r["d"] or 0, r["t"] or 0)
        for r in cells.filter(point=LATEST)
        .values("unit_id", "competence_id")
        .annotate(d=Sum("direct_required"), t=Sum("tree_required"))
        .order_by()
    }
    measured_counts = {
        (r["unit_id"], r["competence_id"]): (r["da"] or 0, r["db"] or 0, r["ta"] or 0, r["tb"] or 0)
        for r in cells.filter(point=measured)
        .values("unit_id", "competence_id")
        .annotate(
            da=Sum("direct_assessed"), db=Sum("direct_below"), ta=Sum("tree_assessed"), tb=Sum("tree_below")
        )
        .order_by()
    }
    competence_ids = {c for (_u, c), (_d, t) in required.items() if t}
    codes = dict(Competence.objects.filter(pk__in=competence_ids).values_list("pk", "code"))
    releases = gap_releases(organisation, point=measured, competence_ids=competence_ids)
    column = role.pk if role is not None else disclosure.ALL
    rows: list[AnonymisedRow] = []
    for (unit_pk, competence_pk), (direct_required, tree_required) in required.items():
        if not tree_required:
            continue
        da, db, ta, tb = measured_counts.get((unit_pk, competence_pk), (0, 0, 0, 0))
        release = releases[competence_pk]
        for scope, req, assessed, below, shown in (
            ("unit", direct_required, da, db, release.direct(unit_pk, column, value=da)),
            ("subtree", tree_required, ta, tb, release.tree(unit_pk, column, value=ta)),
        ):
            rows.append(
                AnonymisedRow(
                    unit_codes[unit_pk],
                    codes[competence_pk],
                    scope,
                    req,
                    assessed if shown else None,
                    below if shown else None,
                )
            )
    rows.sort(key=lambda r: (r.unit_id, r.competence_code, r.scope != "unit"))
    return rows
