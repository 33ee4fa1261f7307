"""Issue 11, the learning record store over HTTP: batches of 100 valid statements POSTed to
/xapi/statements of gunicorn in processes of its own (2 workers), single-statement POSTs, one
agent's statements among all stored, each beside the raw insert rate of the same rows."""

from __future__ import annotations

import datetime as dt
import statistics
import threading
import time
import urllib.parse
from typing import Any

import orjson
from django.db import connection, transaction

from .lrs_http import LrsServer, XapiHttp, make_statement
from .runner import BENCH_CODE, BenchContext, Figure

BATCH = 100
INGEST_SECONDS = 10.0
SENDERS = 4
SINGLE_POSTS = 400


def _client(organisation: Any) -> tuple[Any, str]:
    from kompetenslyft.lrs.models import SCOPE_READ_ALL, SCOPE_WRITE
    from kompetenslyft.lrs.services import client_create

    with transaction.atomic():
        return client_create(organisation=organisation, name="bench", scopes=[SCOPE_WRITE, SCOPE_READ_ALL])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _ingest(port: int, key: str, secret: str, seconds: float) -> tuple[int, int, float]:
    """Batches of 100 from SENDERS threads for ``seconds``: (acknowledged, failed, elapsed)."""
    acknowledged = [0] * SENDERS
    failed = [0] * SENDERS
    stop = time.perf_counter() + seconds

    def send(slot: int) -> None:
        http_client = XapiHttp(port, key, secret)
        n = slot * 10_000_000
        while time.perf_counter() < stop:
            batch = [make_statement(n + i) for i in range(BATCH)]
            n += BATCH
            status, _body = http_client.request("POST", "/xapi/statements", orjson.dumps(batch))
            if status == 200:
                acknowledged[slot] += BATCH
            else:
                failed[slot] += BATCH
        http_client.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=send, args=(slot,)) for slot in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(acknowledged), sum(failed), time.perf_counter() - start


def _raw_insert_rate(organisation: Any, client: Any, rows: int) -> float:
    """The same rows (columns and JSON as the LRS stores them) bulk-inserted, 100 a
    transaction: the database's own ceiling for this table and its indexes."""
    from kompetenslyft.lrs import keys
    from kompetenslyft.lrs.models import Statement

    now = dt.datetime.now(dt.UTC)
    prepared = []
    for n in range(rows):
        data = make_statement(50_000_000 + n)
        agents, activities = keys.related(data)
        prepared.append(
            Statement(
                organisation_id=organisation.pk, client_id=client.pk, statement_id=data["id"], stored=now,
                version="1.0.0", actor_key=keys.agent_key(data["actor"]), object_key=data["object"]["id"],
                verb_id=data["verb"]["id"], registration=data["context"]["registration"],
                related_agents=keys.joined(agents), related_activities=keys.joined(activities),
                data=orjson.dumps(data).decode(),
            )
        )  # fmt: skip
    start = time.perf_counter()
    for offset in range(0, rows, BATCH):
        with transaction.atomic():
            Statement.objects.bulk_create(prepared[offset : offset + BATCH])
    return rows / (time.perf_counter() - start)


def op_lrs(ctx: BenchContext) -> None:
    from kompetenslyft.lrs.models import Statement
    from kompetenslyft.org.models import Organisation

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    client, secret = _client(organisation)
    before = Statement.objects.filter(organisation=organisation).count()
    with LrsServer(workers=2, threads=4) as server:
        _ingest(server.port, client.key, secret, 1.0)  # warm both workers
        warmed = Statement.objects.filter(organisation=organisation).count()
        acknowledged, failed, elapsed = _ingest(server.port, client.key, secret, INGEST_SECONDS)
        rate = acknowledged / elapsed
        stored = Statement.objects.filter(organisation=organisation).count() - warmed
        ctx.report(
            Figure(
                f"LRS ingest: POST batches of {BATCH} statements (2 workers, {connection.vendor})",
                rate, "statements/s", 2500.0, note=f"{acknowledged} acknowledged, {failed} refused, {stored} stored",
                higher=True,
            )
        )  # fmt: skip
        if stored < acknowledged:
            raise RuntimeError(f"acknowledged {acknowledged} statements but {stored} are stored")
        single = XapiHttp(server.port, client.key, secret)
        samples = []
        start = time.perf_counter()
        for n in range(SINGLE_POSTS):
            t0 = time.perf_counter()
            status, _ = single.request("POST", "/xapi/statements", orjson.dumps(make_statement(n)))
            samples.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"a single statement POST answered {status}")
        single_rate = SINGLE_POSTS / (time.perf_counter() - start)
        ctx.report(
            Figure("LRS single-statement POSTs, one client", single_rate, "statements/s", 400.0, higher=True)
        )
        ctx.report(Figure("  … p95", _percentile(samples, 0.95), "ms", 50.0))
        total = Statement.objects.filter(organisation=organisation).count()
        agent = orjson.dumps(
            {"account": {"homePage": "https://hr.bench.example", "name": "E000007"}}
        ).decode()
        query = "/xapi/statements?" + urllib.parse.urlencode({"agent": agent, "limit": "100"})
        times = []
        for _ in range(21):
            t0 = time.perf_counter()
            status, _ = single.request("GET", query)
            times.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"the agent query answered {status}")
        single.close()
        ctx.report(
            Figure(f"LRS one agent's statements, limit=100, among {total} stored, median", statistics.median(times),
                   "ms", 50.0)
        )  # fmt: skip
    raw = _raw_insert_rate(organisation, client, min(20_000, max(acknowledged, 1000)))
    ctx.report(
        Figure("  raw insert of the same rows, 100 a transaction", raw, "rows/s",
               note=f"ingest over HTTP = {rate / raw:.0%} of it; {before} statements before")
    )  # fmt: skip
