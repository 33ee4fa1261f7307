"""Issue 8: 500,000 evaluation answers in the synthetic organisation, the funder page over HTTP
(whole organisation and one administration, one and four concurrent users, p50/p95; each page
answered once by every worker before it is timed), its Excel and PDF, and the evaluation
results over all of it (the function `evaluation_results`, which `report evaluation` will call:
switch these timings to the command once it is merged), cold and warm."""

from __future__ import annotations

import io
import json
import random
import statistics
import threading
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from kompetenslyft.bench import sampling
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.org.models import Organisation, Unit

from .beside import _over_http
from .live import HttpUser, LiveServer
from .runner import BENCH_CODE, BenchContext, Figure, _lead_client, timed

ANSWERS = 500_000


def op_evaluations(ctx: BenchContext) -> None:
    """Answers written in bulk as an import would leave them: the Cell summary built directly
    from the same answers, the Answer rows in batches (spread over modules, months, units,
    roles and genders as the attendance is)."""
    from kompetenslyft.evaluation.models import Answer, Cell
    from kompetenslyft.evaluation.summary import COUNTERS, Placed, gender_code, publish
    from kompetenslyft.learning.models import Attendance

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    rnd = random.Random(11)
    Answer.objects.filter(organisation=organisation)._raw_delete(connection.alias)
    Cell.objects.filter(organisation=organisation)._raw_delete(connection.alias)
    rows = list(
        Attendance.objects.filter(person__organisation=organisation, status__in=("attended", "completed"))
        .values_list("module_id", "date", "unit_id", "role_id", "person__gender")
        .order_by()
    )
    if not rows:
        raise RuntimeError("no attendance: run the 'learning' operation first")
    chosen = rnd.sample(rows, min(ANSWERS, len(rows)))
    cells: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))

    def answers() -> Any:
        for module_id, day, unit_id, role_id, gender in chosen:
            values = [rnd.choice((2, 3, 3, 4, 4)) for _ in range(4)]
            level = rnd.choice((2, 3, 3, 3, 4))
            month = day.replace(day=1)
            g = gender_code(gender)
            placed = Placed(module_id, month, unit_id, role_id, g, values[0], level, *values[1:])
            for name, n in placed.counts().items():
                cells[(module_id, month, unit_id, role_id, g)][name] += n
            yield (
                uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4()),
                organisation.pk,
                month,
                unit_id,
                role_id,
                g,
                module_id,
                day,
                values[0],
                level,
                values[1],
                values[2],
                values[3],
                "",
            )

    columns = (
        "id",
        "organisation_id",
        "month",
        "unit_id",
        "role_id",
        "gender",
        "module_id",
        "occurred_on",
        "motivated",
        "level",
        "method_good",
        "important",
        "will_use",
        "response_id",
    )

    def write() -> int:
        with transaction.atomic():
            written = bulk_insert(Answer._meta.db_table, columns, answers())
            # The answers are history (no open requests): published at once, in fixed blocks.
            publish(organisation.pk)
        analyse(Answer, Cell)
        return written

    seconds, written = timed(write)
    ctx.report(
        Figure(
            f"seed {written} evaluation answers and {len(cells)} summary cells", seconds, "s", note="setup"
        )
    )


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def _concurrent(users: list[HttpUser], path: str, rounds: int) -> list[float]:
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(user: HttpUser) -> None:
        for _ in range(sampling.count(rounds)):
            status, _body, seconds = user.request(path)
            with lock:
                if status != 200:
                    errors.append(f"{path}: {status}")
                samples.append(seconds * 1000)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    return samples


def _bench_goals(organisation: Organisation) -> None:
    """The bench initiative's goals, so that the page computes goal attainment: participants,
    the share of women, and the share reaching its modules' knowledge goals."""
    from decimal import Decimal

    from kompetenslyft.learning.models import Initiative, InitiativeGoal

    initiative = Initiative.objects.filter(organisation=organisation, code="bench").first()
    if initiative is None:
        raise RuntimeError("no bench initiative: run the 'learning' operation first")
    InitiativeGoal.objects.filter(initiative=initiative).delete()
    InitiativeGoal.objects.create(
        initiative=initiative,
        kind=InitiativeGoal.Kind.PARTICIPANTS,
        target_count=40_000,
        women_share=Decimal("0.6"),
    )
    InitiativeGoal.objects.create(
        initiative=initiative, kind=InitiativeGoal.Kind.REACH, target_share=Decimal("0.8")
    )


def op_funder_pages(ctx: BenchContext) -> None:
    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    _bench_goals(organisation)
    lead = _lead_client(organisation)
    admin = Unit.objects.filter(organisation=organisation, depth=0).order_by("unit_id").first()
    url = reverse("learning:funder")
    views = [
        ("whole organisation", {}, 300.0),
        (
            f"one administration ({admin.unit_id if admin else '-'})",
            {"unit": admin.unit_id if admin else ""},
            150.0,
        ),
        (
            "initiative 'bench', one administration, women",
            {"initiative": "bench", "unit": admin.unit_id if admin else "", "gender": "woman"},
            150.0,
        ),
    ]
    evaluator = _lead_client(organisation, "evaluator")
    with LiveServer() as server:
        for name, params, target in views:
            path = url + ("?" + urlencode(params) if params else "")
            one = _over_http(server, lead)
            server.warm([one, _over_http(server, lead)], path)
            alone = _concurrent([one], path, 21)
            ctx.report(Figure(f"funder page over HTTP, {name}, 1 user, p50", statistics.median(alone), "ms"))
            ctx.report(Figure("  … 1 user, p95", _percentile(alone, 0.95), "ms", target))
            four = _concurrent([_over_http(server, lead) for _ in range(4)], path, 12)
            ctx.report(Figure("  … 4 concurrent users, p50", statistics.median(four), "ms"))
            ctx.report(Figure("  … 4 concurrent users, p95", _percentile(four, 0.95), "ms", target))
        path = url + "?" + urlencode({"initiative": "bench"})
        server.warm([_over_http(server, evaluator) for _ in range(2)], path)
        samples = _concurrent([_over_http(server, evaluator) for _ in range(4)], path, 12)
        ctx.report(
            Figure(
                "funder page as an evaluator (release), 4 users, p95", _percentile(samples, 0.95), "ms", 300.0
            )
        )
        for kind, target in (("xlsx", 5.0), ("pdf", 10.0)):
            path = url + "?" + urlencode({"initiative": "bench", "format": kind})
            server.warm([_over_http(server, lead) for _ in range(2)], path)
            status, _body, seconds = _over_http(server, lead).request(path)
            if status != 200:
                raise RuntimeError(f"funder {kind}: {status}")
            ctx.report(Figure(f"funder {kind} over HTTP", seconds, "s", target))


def op_evaluation_report(ctx: BenchContext) -> None:
    """`report evaluation` over everything: the function it calls, cold (the cube built from
    the summary, as after a change to it), from the file another process left, and warm; then
    once per grouping."""
    from kompetenslyft.evaluation import cube
    from kompetenslyft.evaluation.results import BY, Query, evaluation_results

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)

    def whole() -> dict[str, Any]:
        return evaluation_results([organisation], Query())

    cube.forget(organisation.pk, stored=True)
    seconds, _result = timed(whole)
    # Once per publication: the daily command (and the import's task) compute and store it, so
    # the command and the pages below read it stored.
    ctx.report(
        Figure(
            "results cube computed and stored (once per publication, by the worker or cron)",
            seconds,
            "s",
            note="setup",
        )
    )
    for options in ([], ["--by", "unit"], ["--by", "month"]):
        # The command as `kompetenslyft report evaluation` runs it, in this process (on the same
        # database, tests included); a new process adds its start-up (about 1 s on this machine).

        def run(options: list[str] = options) -> str:
            out = io.StringIO()
            call_command(
                "report",
                "evaluation",
                "--format",
                "json",
                "--organisation",
                organisation.code,
                *options,
                stdout=out,
            )
            return out.getvalue()

        seconds, output = timed(run)
        json.loads(output)
        label = " ".join(["report evaluation --format json", *options]) + " (the command, in-process)"
        ctx.report(Figure(label, seconds, "s", 2.0))
    cube.forget(organisation.pk)
    seconds, _result = timed(whole)
    ctx.report(Figure("  … first call in a process (cube read from its file)", seconds, "s", 2.0))
    seconds, _result = timed(whole)
    ctx.report(Figure("  … warm", seconds, "s", 2.0))
    for by in BY:

        def grouped(by: str = by) -> dict[str, Any]:
            return evaluation_results([organisation], Query(), by=by)

        seconds, result = timed(grouped)
        ctx.report(
            Figure(f"evaluation_results --by {by} ({len(result['groups'])} groups)", seconds, "s", 2.0)
        )
