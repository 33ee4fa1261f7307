"""Pages over HTTP for the bench: a live server in the bench's own process (a thread per
request, each with its own database connection, as a threaded app server has) and a small
client that keeps cookies and sends the CSRF token, as a browser would."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from types import TracebackType
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


class LiveServer:
    """``with LiveServer() as server: server.url`` — serves the product on 127.0.0.1."""

    def __init__(self) -> None:
        self.url = ""
        self._httpd: ThreadedWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LiveServer:
        self._httpd = ThreadedWSGIServer(("127.0.0.1", 0), _QuietHandler, allow_reuse_address=False)
        self._httpd.set_app(WSGIHandler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)


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
