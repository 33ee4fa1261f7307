"""The learning record store over HTTP for the bench and the durability test: gunicorn in a
process group of its own (so that a test can SIGKILL master and workers at once in the middle of
a batch) but in the caller's session (so that it shares the caller's scheduling group and
priority: a bench run under ``nice`` and a raised autogroup times the server it starts, not the
machine's other work), a keep-alive xAPI client, and realistic valid statements."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings

from .live import database_url


class LrsServer:
    """gunicorn serving the product on a free port of 127.0.0.1, on this process's database."""

    def __init__(self, workers: int = 2, threads: int = 4) -> None:
        self.workers, self.threads = workers, threads
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(settings.VAR_DIR) / "bench" / "lrs-server.log"

    def start(self) -> LrsServer:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "KOMPETENSLYFT_VAR_DIR": str(settings.VAR_DIR),
            "DJANGO_DEBUG": "0",  # as in production: no query log in the workers
        }
        command = [
            sys.executable, "-m", "gunicorn", "kompetenslyft.wsgi:application",
            f"--bind=127.0.0.1:{self.port}", f"--workers={self.workers}", f"--threads={self.threads}",
            "--worker-class=gthread", "--log-level=warning", "--keep-alive=30",
        ]  # fmt: skip
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603
                command, env=env, stdout=output, stderr=output, process_group=0
            )
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the LRS server stopped; see {self.log}")
            try:
                status, _ = XapiHttp(self.port, "", "").request("GET", "/xapi/about")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the LRS server did not answer within 60 s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL to the master and its workers (their process group, which this started)."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def __enter__(self) -> LrsServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class XapiHttp:
    """One keep-alive connection speaking xAPI 1.0.3 as an LRS client."""

    def __init__(self, port: int, key: str, secret: str) -> None:
        self.port = port
        token = base64.b64encode(f"{key}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if attempt == 2 or method != "GET":
                    raise
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def make_statement(n: int, people: int = 2000, activities: int = 100) -> dict[str, Any]:
    """A valid, realistic statement: one of ``people`` actors (by account), a module's activity
    with its definition, a result with score and duration, a registration and a parent."""
    person = n % people
    return {
        "id": str(uuid.uuid4()),
        "actor": {
            "objectType": "Agent",
            "name": f"Person {person}",
            "account": {"homePage": "https://hr.bench.example", "name": f"E{person:06d}"},
        },
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": f"https://kompetenslyft.example/modules/M{n % activities}",
            "definition": {
                "name": {"en-US": f"Module {n % activities}", "sv-SE": f"Modul {n % activities}"},
                "type": "http://adlnet.gov/expapi/activities/module",
            },
        },
        "result": {"score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}, "success": True,
                   "completion": True, "duration": "PT25M30S"},
        "context": {
            # one registration per person and module (an enrolment), as a tool sends it
            "registration": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{person}/{n % activities}")),
            "contextActivities": {"parent": [{"id": "https://kompetenslyft.example/initiatives/I1"}]},
            "platform": "bench",
        },
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }  # fmt: skip
