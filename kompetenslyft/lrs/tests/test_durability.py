"""An acknowledged statement is stored: gunicorn (2 workers) is SIGKILLed, master and workers
at once, while batches of 100 are in flight; after a restart every acknowledged batch is there
in full and no batch is there in part."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import orjson
import pytest
from django.db import connection

from kompetenslyft.bench.lrs_http import LrsServer, XapiHttp, make_statement
from kompetenslyft.lrs.models import SCOPE_READ_ALL, SCOPE_WRITE, Statement
from kompetenslyft.lrs.services import client_create
from kompetenslyft.org.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

SENDERS = 3
KILL_AFTER = 12  # acknowledged batches before the kill


def test_sigkill_mid_batch_loses_no_acknowledged_statement(settings: Any) -> None:
    organisation = OrganisationFactory(code="durable")
    client, secret = client_create(organisation=organisation, name="t", scopes=[SCOPE_WRITE, SCOPE_READ_ALL])
    batches: list[list[str]] = []
    acknowledged: list[list[str]] = []
    lock = threading.Lock()
    enough = threading.Event()
    killed = threading.Event()
    server = LrsServer(workers=2, threads=2).start()
    try:

        def send() -> None:
            http = XapiHttp(server.port, client.key, secret)
            while not killed.is_set():
                batch = [make_statement(n) for n in range(100)]
                ids = [s["id"] for s in batch]
                with lock:
                    batches.append(ids)
                try:
                    status, body = http.request("POST", "/xapi/statements", orjson.dumps(batch))
                except OSError:
                    return  # the server died under this request: not acknowledged
                if status == 200:
                    assert orjson.loads(body) == ids
                    with lock:
                        acknowledged.append(ids)
                        if len(acknowledged) >= KILL_AFTER:
                            enough.set()

        senders = [threading.Thread(target=send) for _ in range(SENDERS)]
        for thread in senders:
            thread.start()
        assert enough.wait(timeout=120), "the server acknowledged too few batches"
        server.kill()  # SIGKILL, while the other senders' batches are in flight
        killed.set()
        for thread in senders:
            thread.join(timeout=60)
    finally:
        server.kill()
    assert len(batches) > len(acknowledged), "no batch was in flight at the kill"
    connection.close()  # read what is on disk afresh
    stored = set(Statement.objects.filter(organisation=organisation).values_list("statement_id", flat=True))
    for ids in acknowledged:
        assert set(ids) <= stored, "an acknowledged statement is missing"
    for ids in batches:
        present = len(set(ids) & stored)
        assert present in (0, 100), f"a batch is stored in part: {present} of 100"
    # The restarted server serves them all and takes more.
    with LrsServer(workers=1, threads=2) as again:
        http = XapiHttp(again.port, client.key, secret)
        status, body = http.request("GET", f"/xapi/statements?statementId={acknowledged[-1][-1]}")
        assert status == 200
        fresh = {key: value for key, value in make_statement(1).items() if key != "id"}
        status, _ = http.request("PUT", f"/xapi/statements?statementId={uuid.uuid4()}", orjson.dumps(fresh))
        assert status == 204
        http.close()
