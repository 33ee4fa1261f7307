"""Issue 8: the dashboard (whole organisation, one administration) over HTTP with four
concurrent users (gunicorn, two workers), and its Excel and PDF exports, with the attendance,
evaluation requests and answers in place. Evaluation requests (one per counted attendance row,
up to 500,000) and answers are seeded here only where none exist yet."""

from __future__ import annotations

import datetime as dt
import random
import threading
from functools import partial
from typing import Any

from django.db import connection, transaction
from django.urls import reverse

from kompetenslyft.bench import sampling
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.org.models import Organisation, Unit

from .beside import _over_http, _percentile
from .live import LiveServer
from .runner import BENCH_CODE, BenchContext, Figure, _lead_client, _median_ms, timed

REQUESTS = 500_000
CONCURRENT = 4
PER_USER = 15


def _seed_requests(organisation: Organisation) -> int:
    from kompetenslyft.evaluation.models import Request
    from kompetenslyft.learning.models import Attendance

    if Request.objects.filter(organisation=organisation).exists():
        return 0
    rnd = random.Random(8)
    # Read before the COPY starts: on PostgreSQL the connection cannot fetch from a cursor while
    # it streams a COPY (the bench hung there).
    rows = list(
        Attendance.objects.filter(person__organisation=organisation, status__in=["attended", "completed"])
        .order_by()
        .values_list("person_id", "module_id", "date")[:REQUESTS]
    )

    def generate() -> Any:
        for n, (person_id, module_id, day) in enumerate(rows):
            answered = day if rnd.random() < 0.6 else None
            yield (
                organisation.pk,
                person_id,
                module_id,
                day,
                day,
                day + dt.timedelta(days=14),
                f"bench-{organisation.pk}-{n}",
                day,
                answered,
            )

    with transaction.atomic():
        seeded = bulk_insert(
            Request._meta.db_table,
            (
                "organisation_id",
                "person_id",
                "module_id",
                "occurred_on",
                "opens_on",
                "closes_on",
                "token",
                "sent_on",
                "answered_on",
            ),
            generate(),
        )
    analyse(Request)
    return seeded


def _seed_answers(organisation: Organisation) -> int:
    """Answers through the one write path (store_answers), for the answered requests, where the
    organisation has none yet (another operation may have seeded them)."""
    from kompetenslyft.evaluation.models import Cell, Request
    from kompetenslyft.evaluation.services import Given, Where, store_answers

    if Cell.objects.filter(organisation=organisation).exists():
        return 0
    rnd = random.Random(5)
    batch: list[Given] = []
    stored = 0
    answered = (
        Request.objects.filter(organisation=organisation, answered_on__isnull=False)
        .order_by()
        .values_list("module_id", "occurred_on", "person__unit_id", "person__role_id", "person__gender")
    )
    for module_id, day, unit_id, role_id, gender in answered.iterator(chunk_size=20000):
        batch.append(
            Given(
                module_id,
                day,
                Where(unit_id, role_id, gender or ""),
                motivated=rnd.randint(1, 4),
                level=rnd.randint(1, 5),
                method_good=rnd.randint(1, 4),
                important=rnd.randint(2, 4),
                will_use=rnd.randint(1, 4),
            )
        )
        if len(batch) >= 20000:
            stored += store_answers(organisation.pk, batch, reshuffle=False)
            batch = []
    if batch:
        stored += store_answers(organisation.pk, batch, reshuffle=False)
    return stored


def _concurrent_p95(server: LiveServer, client: Any, url: str, params: dict[str, Any]) -> tuple[float, float]:
    """p95 and median (ms) of ``CONCURRENT`` users asking for the page ``PER_USER`` times each."""
    from urllib.parse import urlencode

    path = url + ("?" + urlencode(params) if params else "")
    users = [_over_http(server, client) for _ in range(CONCURRENT)]
    for user in users:  # warm up both workers' memo
        for _ in range(2):
            user.request(path)
    samples: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(user: Any) -> None:
        for _ in range(sampling.count(PER_USER)):
            status, _body, seconds = user.request(path)
            with lock:
                if status != 200:
                    errors.append(f"{path} answered {status}")
                samples.append(seconds * 1000)

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    ordered = sorted(samples)
    return _percentile(samples, 0.95), ordered[len(ordered) // 2]


def op_dashboard(ctx: BenchContext) -> None:
    from kompetenslyft.evaluation.dashboard_exports import export_run
    from kompetenslyft.evaluation.models import ExportJob

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    requests = _seed_requests(organisation)
    ctx.report(Figure(f"seed {requests} evaluation requests", 0.0, "s", note="setup"))
    seconds, answers = timed(lambda: _seed_answers(organisation))
    ctx.report(Figure(f"seed {answers} evaluation answers (store_answers)", seconds, "s", note="setup"))
    lead = _lead_client(organisation)
    admin = Unit.objects.filter(organisation=organisation, depth=0).order_by("unit_id").first()
    url = reverse("evaluation:dashboard")
    whole: dict[str, Any] = {}
    one: dict[str, Any] = {"unit": admin.pk if admin else ""}
    # The first view after a change computes the attendance figures and the request cube.
    started = timed(lambda: lead.get(url, whole))[0]
    ctx.report(Figure("dashboard, whole organisation, first view (computed)", started * 1000, "ms"))
    for name, params, target in (
        ("dashboard, whole organisation", whole, 300.0),
        ("dashboard, one administration", one, 150.0),
    ):
        ctx.report(Figure(f"{name}, in-process median", _median_ms(lead, url, params), "ms", target))
    evaluator = _lead_client(organisation, "evaluator")
    ctx.report(
        Figure(
            "dashboard as the evaluator, whole organisation, in-process median",
            _median_ms(evaluator, url, {}),
            "ms",
            300.0,
        )
    )
    with LiveServer() as server:
        for name, params, target in (
            ("dashboard, whole organisation", whole, 300.0),
            ("dashboard, one administration", one, 150.0),
        ):
            p95, median = _concurrent_p95(server, lead, url, params)
            ctx.report(
                Figure(
                    f"{name}, over HTTP, {CONCURRENT} users, p95",
                    p95,
                    "ms",
                    target,
                    note=f"median {median:.0f} ms",
                )
            )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench-lead")
    for kind, target in (("xlsx", 5.0), ("pdf", 10.0)):
        job = ExportJob.objects.create(organisation=organisation, requested_by=user, kind=kind, query="")
        seconds, outcome = timed(partial(export_run, job.pk))
        size = len(
            bytes(ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).first() or b"")
        )
        ctx.report(
            Figure(
                f"dashboard export to {kind}, whole organisation (task)",
                seconds,
                "s",
                target,
                note=f"{outcome}, {size} bytes",
            )
        )
    ExportJob.objects.filter(organisation=organisation)._raw_delete(connection.alias)
