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
STATEMENTS_PER_PERSON = 20
RAW_MINIMUM = 5_000


def _client(organisation: Any) -> tuple[Any, str]:
    from kompetenslyft.lrs.models import SCOPE_READ_ALL, SCOPE_WRITE
    from kompetenslyft.lrs.services import client_create

    with transaction.atomic():
        return client_create(organisation=organisation, name="bench", scopes=[SCOPE_WRITE, SCOPE_READ_ALL])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _ingest(port: int, key: str, secret: str, seconds: float, people: int) -> tuple[int, int, float]:
    """Batches of 100 from SENDERS threads for ``seconds``: (acknowledged, failed, elapsed)."""
    acknowledged = [0] * SENDERS
    failed = [0] * SENDERS
    stop = time.perf_counter() + seconds

    def send(slot: int) -> None:
        http_client = XapiHttp(port, key, secret)
        n = slot * 10_000_000
        while time.perf_counter() < stop:
            batch = [make_statement(n + i, people) for i in range(BATCH)]
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


def _singles(port: int, key: str, secret: str, people: int) -> tuple[float, list[float]]:
    """SINGLE_POSTS statements, one a request, from SENDERS clients at once: (rate, ms each)."""
    samples: list[float] = []
    lock = threading.Lock()

    def send(slot: int) -> None:
        http_client = XapiHttp(port, key, secret)
        mine = []
        for n in range(SINGLE_POSTS // SENDERS):
            body = orjson.dumps(make_statement(slot * 1_000_000 + n, people))
            t0 = time.perf_counter()
            status, _ = http_client.request("POST", "/xapi/statements", body)
            mine.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"a single statement POST answered {status}")
        http_client.close()
        with lock:
            samples.extend(mine)

    start = time.perf_counter()
    threads = [threading.Thread(target=send, args=(slot,)) for slot in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(samples) / (time.perf_counter() - start), samples


def _raw_insert_rate(organisation: Any, client: Any, rows: int, people: int) -> float:
    """The same rows (columns and JSON as the LRS stores them) written by core.bulk, 100 a
    transaction, no validation or HTTP: the database's own ceiling for this table and indexes."""
    from kompetenslyft.core.bulk import bulk_insert
    from kompetenslyft.lrs import keys
    from kompetenslyft.lrs.models import Mention, Statement
    from kompetenslyft.lrs.services import authority_of
    from kompetenslyft.lrs.storage import COLUMNS, MENTION_COLUMNS

    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    authority = authority_of(client)
    authority_key = keys.agent_key(authority)
    prepared = []
    mentions: dict[str, set[int]] = {}
    for n in range(rows):
        data = {**make_statement(n, people), "authority": authority}
        agents, activities = keys.related(data)
        actor_key, object_key = keys.agent_key(data["actor"]), data["object"]["id"]
        mentions[data["id"]] = keys.mention_hashes(agents, activities, actor_key, object_key, authority_key)
        prepared.append(
            (
                organisation.pk, client.pk, data["id"], now, "1.0.0", actor_key,
                object_key, data["verb"]["id"], data["context"]["registration"], False,
                keys.joined(agents), keys.joined(activities), orjson.dumps(data).decode(), None,
            )
        )  # fmt: skip
    statements = connection.ops.quote_name(Statement._meta.db_table)
    start = time.perf_counter()
    for offset in range(0, rows, BATCH):
        batch = prepared[offset : offset + BATCH]
        with transaction.atomic():
            bulk_insert(Statement._meta.db_table, COLUMNS, batch)
            # The statements' mentions (lrs.Mention), their ids read back as the LRS does.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT statement_id, id FROM {statements} WHERE organisation_id = %s"  # noqa: S608
                    f" AND statement_id IN ({', '.join(['%s'] * len(batch))})",
                    [organisation.pk, *(row[2] for row in batch)],
                )
                pks = cursor.fetchall()
            bulk_insert(
                Mention._meta.db_table,
                MENTION_COLUMNS,
                [(organisation.pk, hashed, pk) for ident, pk in pks for hashed in mentions[ident]],
            )
    return rows / (time.perf_counter() - start)


def op_lrs(ctx: BenchContext) -> None:
    from kompetenslyft.lrs.models import Statement
    from kompetenslyft.org.models import Organisation

    from .runner import settle

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    client, secret = _client(organisation)
    people = ctx.synthetic.people
    # The store the queries run on: STATEMENTS_PER_PERSON per person of the bench (1,000,000 at
    # 50,000 people), written directly — which is also the raw insert rate of the same rows.
    before = Statement.objects.filter(organisation=organisation).count()
    missing = max(STATEMENTS_PER_PERSON * people - before, RAW_MINIMUM)
    raw = _raw_insert_rate(organisation, client, missing, people)
    settle()
    with LrsServer(workers=2, threads=4) as server:
        _ingest(server.port, client.key, secret, 1.0, people)  # warm both workers
        warmed = Statement.objects.filter(organisation=organisation).count()
        acknowledged, failed, elapsed = _ingest(server.port, client.key, secret, INGEST_SECONDS, people)
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
        ctx.report(
            Figure("  raw insert of the same rows, 100 a transaction", raw, "rows/s",
                   note=f"ingest over HTTP = {rate / raw:.0%} of it")
        )  # fmt: skip
        single_rate, samples = _singles(server.port, client.key, secret, people)
        ctx.report(
            Figure(f"LRS single-statement POSTs, {SENDERS} clients", single_rate, "statements/s", 400.0, higher=True,
                   note=f"{single_rate / raw:.0%} of the raw insert rate")
        )  # fmt: skip
        ctx.report(Figure("  … p95", _percentile(samples, 0.95), "ms", 50.0))
        total = Statement.objects.filter(organisation=organisation).count()
        http_client = XapiHttp(server.port, client.key, secret)
        times = []
        for n in range(21):
            name = f"E{(n * 7919) % people:06d}"
            agent = orjson.dumps({"account": {"homePage": "https://hr.bench.example", "name": name}}).decode()
            query = "/xapi/statements?" + urllib.parse.urlencode({"agent": agent, "limit": "100"})
            t0 = time.perf_counter()
            status, _ = http_client.request("GET", query)
            times.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"the agent query answered {status}")
        ctx.report(
            Figure(f"LRS one agent's statements, limit=100, among {total} stored, median", statistics.median(times),
                   "ms", 50.0)
        )  # fmt: skip
        # The related filters: every statement naming the agent or the activity anywhere (beyond
        # actor and object: lrs.Mention), limit=100; a module is the object of 1 % of them.
        related: list[float] = []
        for n in range(11):
            name = f"E{(n * 7919) % people:06d}"
            agent = orjson.dumps({"account": {"homePage": "https://hr.bench.example", "name": name}}).decode()
            query = "/xapi/statements?" + urllib.parse.urlencode(
                {"agent": agent, "related_agents": "true", "limit": "100"}
            )
            t0 = time.perf_counter()
            status, _ = http_client.request("GET", query)
            related.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"the related_agents query answered {status}")
        ctx.report(Figure("  … with related_agents=true, median", statistics.median(related), "ms", 50.0))
        related = []
        for n in range(11):
            activity = f"https://kompetenslyft.example/modules/M{n}"
            query = "/xapi/statements?" + urllib.parse.urlencode(
                {"activity": activity, "related_activities": "true", "limit": "100"}
            )
            t0 = time.perf_counter()
            status, _ = http_client.request("GET", query)
            related.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"the related_activities query answered {status}")
        http_client.close()
        ctx.report(
            Figure("  one activity's statements with related_activities=true, limit=100, median",
                   statistics.median(related), "ms", 50.0)
        )  # fmt: skip
