"""Issue 9: every role's start page at full size, with all its cards' data in place (the
workday's sessions, bookings and support questions, the campaign, the initiative's proposals
and the attendance): in-process (median) and over HTTP (gunicorn, two workers; four concurrent
users, p95), against the issue's 150 ms. ``bench run --only homes``."""

from __future__ import annotations

import statistics

from kompetenslyft.learning.models import Session
from kompetenslyft.org.models import Organisation

from .beside import _over_http
from .funder import _concurrent, _percentile
from .live import LiveServer
from .manager import _bench_initiative
from .runner import BENCH_CODE, BenchContext, Figure, _median_ms, settle
from .workday import TARGET_MS, USERS, role_clients, seed_workday


def op_homes(ctx: BenchContext) -> None:
    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    _bench_initiative(ctx, organisation)  # the initiative, its modules and proposals, if missing
    clients, trainer = role_clients(organisation)
    if not Session.objects.filter(organisation=organisation).exists():
        seeded = seed_workday(organisation, trainer)
        ctx.report(
            Figure(
                f"seed {seeded['sessions']} sessions, {seeded['bookings']} bookings, "
                f"{seeded['questions']} support questions",
                0.0,
                "s",
                note="setup",
            )
        )
    settle()
    with LiveServer() as server:
        for role, client in clients.items():
            ctx.report(
                Figure(
                    f"home page of the {role}, in-process median"[:58],
                    _median_ms(client, "/", {}),
                    "ms",
                    TARGET_MS,
                )
            )
            users = [_over_http(server, client) for _ in range(USERS)]
            server.warm(users, "/")
            samples = _concurrent(users, "/", 10)
            ctx.report(
                Figure(
                    f"  … over HTTP, {USERS} concurrent users, p95",
                    _percentile(samples, 0.95),
                    "ms",
                    TARGET_MS,
                    note=f"p50 {statistics.median(samples):.0f} ms",
                )
            )
