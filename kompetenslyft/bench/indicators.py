"""Issue 10, indicators (level 4): 3,000 units × 36 months × 10 indicators of values, one
initiative linked to all ten whose training reaches 60 % of the units over six months; the
dashboard's indicator sections for the whole organisation (the lead, exact; the evaluator,
with the threshold), cold and p95 of warm views; the import of a 100,000-row values file,
then again unchanged. The op's own module, initiative and attendance are removed at the end,
so that the other operations' figures stay as they were."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kompetenslyft.bench import sampling
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.org.models import Organisation, Person, Unit

from .runner import BENCH_CODE, BenchContext, Figure, _lead_client, timed

INDICATORS = 10
MONTHS = 36
IMPORT_ROWS = 100_000
TRAINED_SHARE = 0.6
CODE = "bench-indicators"


def _seed(organisation: Organisation) -> tuple[Any, list[Any], list[int]]:
    from kompetenslyft.indicators.figures import add_months
    from kompetenslyft.indicators.models import Indicator, IndicatorValue
    from kompetenslyft.learning.models import Attendance, Initiative, Module

    Module.objects.filter(organisation=organisation, code=CODE).delete()
    Initiative.objects.filter(organisation=organisation, code=CODE).delete()
    earlier = Indicator.objects.filter(organisation=organisation, code__startswith="BENCH")
    IndicatorValue.objects.filter(indicator__in=earlier)._raw_delete(connection.alias)
    earlier.delete()  # and its links to initiatives
    rnd = random.Random(10)
    last = timezone.localdate().replace(day=1)
    first = add_months(last, -(MONTHS - 1))
    start = add_months(last, -14)  # the training: six months, with 8 months after it
    module = Module.objects.create(
        organisation=organisation,
        code=CODE,
        name="Bench indicators",
        category="c",
        level="basic",
        format="onsite",
        hours=2,
    )
    initiative = Initiative.objects.create(
        organisation=organisation,
        code=CODE,
        name="Bench indicators",
        starts_on=start,
        ends_on=add_months(start, 6) - dt.timedelta(days=1),
    )
    initiative.modules.add(module)
    indicators = [
        Indicator.objects.create(
            organisation=organisation,
            code=f"BENCH{i:02d}",
            name=f"Nyckeltal {i}",
            measure="percent" if i % 2 else "minutes",
            better="higher" if i % 2 else "lower",
            target=Decimal(80),
        )
        for i in range(1, INDICATORS + 1)
    ]
    for indicator in indicators:
        indicator.initiatives.add(initiative)
    unit_ids = list(
        Unit.objects.filter(organisation=organisation).order_by("pk").values_list("pk", flat=True)
    )
    trained = set(rnd.sample(unit_ids, int(len(unit_ids) * TRAINED_SHARE)))
    months = [add_months(first, i) for i in range(MONTHS)]

    def values() -> Any:
        for indicator in indicators:
            for unit_id in unit_ids:
                base = rnd.uniform(40, 70)
                for month in months:
                    lift = 8 if unit_id in trained and month >= start else 0
                    yield (
                        indicator.pk,
                        unit_id,
                        month.isoformat(),
                        f"{base + lift + rnd.uniform(-3, 3):.2f}",
                    )

    people = Person.objects.filter(organisation=organisation, is_active=True, unit_id__in=sorted(trained))

    def attendance() -> Any:
        for person_id, unit_id, role_id in people.values_list("pk", "unit_id", "role_id").iterator():
            day = start + dt.timedelta(days=(unit_id * 7) % 170 + rnd.randint(0, 10))
            yield (person_id, module.pk, unit_id, role_id, day, Decimal(2), "attended", "import")

    with transaction.atomic():
        bulk_insert(IndicatorValue._meta.db_table, ("indicator_id", "unit_id", "month", "value"), values())
        bulk_insert(
            Attendance._meta.db_table,
            ("person_id", "module_id", "unit_id", "role_id", "date", "hours", "status", "source"),
            attendance(),
        )
    analyse(IndicatorValue, Attendance)
    return initiative, indicators, unit_ids


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def op_indicators(ctx: BenchContext) -> None:
    from kompetenslyft.evaluation.dashboard import Filters
    from kompetenslyft.evaluation.dashboard_page import SectionContext
    from kompetenslyft.indicators.figures import forget
    from kompetenslyft.indicators.models import IndicatorValue
    from kompetenslyft.indicators.sections import dashboard_sections
    from kompetenslyft.learning.models import Module

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    seconds, (initiative, indicators, unit_ids) = timed(lambda: _seed(organisation))
    stored = IndicatorValue.objects.filter(indicator__organisation=organisation).count()
    ctx.report(
        Figure(
            f"seed {stored} indicator values ({len(unit_ids)} units × {MONTHS} months × {INDICATORS})",
            seconds,
            "s",
            note="setup",
        )
    )
    filters = Filters(organisation, initiative=initiative)
    for name, exact in (("the lead", True), ("the evaluator", False)):
        context = SectionContext(filters, exact, "hidden*", "No data")

        def build(context: SectionContext = context) -> list[Any]:
            return dashboard_sections(context)

        forget()
        cold, sections = timed(build)
        ctx.report(
            Figure(
                f"indicator sections, whole organisation, {name}, first view (computed)",
                cold * 1000,
                "ms",
                note=f"{len(sections)} sections",
            )
        )
        samples = [timed(build)[0] * 1000 for _ in range(sampling.count(40))]
        ctx.report(
            Figure(
                f"indicator sections, whole organisation, {name}, p95",
                _p95(samples),
                "ms",
                300.0,
                note=f"median {statistics.median(samples):.1f} ms",
            )
        )
    lead = _lead_client(organisation)
    from django.urls import reverse

    url = reverse("evaluation:dashboard")
    lead.get(url, {"initiative": initiative.pk})
    page = [timed(lambda: lead.get(url, {"initiative": initiative.pk}))[0] * 1000 for _ in range(11)]
    ctx.report(
        Figure(
            "dashboard page with the indicator sections (whole page), median", statistics.median(page), "ms"
        )
    )
    # 100,000 rows for the full organisation; a small one (the suite's) gets two rows a unit and
    # month of values instead, so the test stays quick and the figure is still printed.
    rows = IMPORT_ROWS if len(unit_ids) >= 1_000 else max(1_000, len(unit_ids) * INDICATORS * 2)
    content = _values_file(indicators, unit_ids, rows)
    from kompetenslyft.core.importing import import_file

    for label in (
        f"import of a {rows:,}-row values file (replacing stored values)",
        "  … the same file again (unchanged)",
    ):
        seconds, result = timed(
            lambda: import_file(
                kind="indicator_values", content=content, filename="values.csv", organisation=organisation
            )
        )
        ctx.report(
            Figure(label, seconds, "s", note=", ".join(f"{k} {v}" for k, v in sorted(result.counts.items())))
        )
    Module.objects.filter(organisation=organisation, code=CODE).delete()  # and its attendance
    initiative.delete()
    forget()


def _values_file(indicators: list[Any], unit_ids: list[int], rows: int) -> bytes:
    from kompetenslyft.indicators.figures import add_months

    codes = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "unit_id"))
    last = timezone.localdate().replace(day=1)
    per = rows // (len(indicators) * len(unit_ids)) + 1
    lines = ["indicator,unit_id,month,value"]
    for indicator in indicators:
        for unit_id in unit_ids:
            for back in range(per):
                if len(lines) > rows:
                    break
                month = add_months(last, -back)
                lines.append(
                    f"{indicator.code},{codes[unit_id]},{month.year:04d}-{month.month:02d},{(unit_id + back) % 97}.5"
                )
    return ("\n".join(lines[: rows + 1]) + "\n").encode()
