"""Pages over HTTP for the bench: the product served by gunicorn in processes of its own (so
that the bench's clients share no interpreter with it), and a small client that keeps cookies
and sends the CSRF token, as a browser would."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from django.conf import settings
from django.db import connection

from kompetenslyft.bench import sampling


def database_url() -> str:
    """DATABASE_URL of the database this process uses (the test database under pytest)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    user = urllib.parse.quote(db.get("USER") or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


class LiveServer:
    """``with LiveServer() as server: server.url`` — the product served by gunicorn on
    127.0.0.1, as in production (worker processes with threads, their own connections), on the
    database this process uses."""

    def __init__(self, workers: int = 2, threads: int = 4) -> None:
        self.url = ""
        self.workers, self.threads = workers, threads
        self._process: subprocess.Popen[bytes] | None = None
        self.access_log = Path(settings.VAR_DIR) / "bench" / "access.log"

    def __enter__(self) -> LiveServer:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log = Path(settings.VAR_DIR) / "bench" / "server.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.access_log.unlink(missing_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "KOMPETENSLYFT_VAR_DIR": str(settings.VAR_DIR),
            "DJANGO_DEBUG": "0",  # as in production: no query log, no template debug info
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "kompetenslyft.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--log-level=warning",
            # Which worker answered each request (pid, path and query): see :meth:`warm`.
            f"--access-logfile={self.access_log}",
            "--access-logformat=%(p)s %(U)s?%(q)s",
        ]
        with log.open("ab") as output:
            self._process = subprocess.Popen(command, env=env, stdout=output, stderr=output)  # noqa: S603
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the bench's server stopped; see {log}")
            status, _body, _seconds = HttpUser(self.url).request("/healthz")
            if status == 200:
                return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"the bench's server did not answer within 60 s; see {log}")

    def served_by(self, path: str) -> set[str]:
        """The workers (pids) that have answered ``path``."""
        base, _, query = path.partition("?")
        wanted = f"{base}?{query}"
        try:
            lines = self.access_log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return set()
        return {pid for pid, _, served in (line.partition(" ") for line in lines) if served == wanted}

    def warm(self, users: list[HttpUser], path: str, rounds: int = 20) -> int:
        """Send ``path`` until every worker has answered it once (each worker process has its
        own memo and reads the summaries' files once): concurrent requests, one per user, so
        that a busy worker leaves the next to another. Returns the requests sent."""
        import threading

        sent = 0
        for _ in range(sampling.count(rounds)):
            threads = [threading.Thread(target=u.request, args=(path,)) for u in users[: self.workers]]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            sent += len(threads)
            time.sleep(0.05)  # the access log is written after the answer
            if len(self.served_by(path)) >= self.workers:
                break
        return sent

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpUser:
    """One browser: cookies kept, redirects not followed (a 302 after a log-in is success)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(
        self, path: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, float]:
        """(status, body, seconds); a connection failure is status 0."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                text = response.read().decode("utf-8", "replace")
                status = response.status
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            status = exc.code
        except OSError as exc:
            text, status = str(exc), 0
        return status, text, time.perf_counter() - start

    def csrf_token(self) -> str:
        return next((c.value or "" for c in self.jar if c.name == "csrftoken"), "")

    def set_cookie(self, name: str, value: str) -> None:
        host = urllib.parse.urlsplit(self.base).hostname or "127.0.0.1"
        self.jar.set_cookie(
            http.cookiejar.Cookie(
                0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {}
            )
        )

    def log_in(self, login_path: str, username: str, password: str) -> tuple[bool, float, str]:
        """GET the log-in page, POST the form: (succeeded, seconds of the POST, what failed)."""
        status, body, _seconds = self.request(login_path)
        if status != 200:
            return False, 0.0, f"GET {login_path}: {status}"
        match = CSRF_INPUT.search(body)
        token = match.group(1) if match else self.csrf_token()
        status, body, seconds = self.request(
            login_path, {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        if status != 302:
            return False, seconds, f"POST {login_path}: {status} {body[:120]!r}"
        return True, seconds, ""

    def post_fetch(self, path: str, data: dict[str, Any]) -> tuple[int, str, float]:
        """A POST as the page's own script sends it (the answer form saves as it goes)."""
        if not self.csrf_token():
            self.request(path)
        return self.request(
            path,
            {"csrfmiddlewaretoken": self.csrf_token(), **data},
            {"X-Requested-With": "fetch", "X-CSRFToken": self.csrf_token()},
        )
