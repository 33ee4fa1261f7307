"""`kompetenslyft demo` (what `make demo` runs) migrates, loads, prints the logins and serves a
Swedish log-in page on the chosen port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_serves_a_swedish_login_page(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "KOMPETENSLYFT_VAR_DIR": str(tmp_path),
        "LANG": "C",
    }
    script = Path(sys.executable).with_name("kompetenslyft")
    log = (tmp_path / "demo.log").open("w+")
    process = subprocess.Popen(
        [str(script), "demo", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 90
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as answer:  # noqa: S310
                    page = answer.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert '<html lang="sv">' in page and "Logga in" in page
        # DEBUG is off, yet the stylesheet and script load (WhiteNoise serves them) …
        for asset, kind in (("site.css", "text/css"), ("autosave.js", "javascript")):
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/static/kompetenslyft/{asset}", timeout=5
            ) as answer:  # noqa: S310
                assert answer.status == 200 and kind in answer.headers["Content-Type"]
        # … and a dead address gives the product's Swedish page, not Django's URL listing.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no/such/page/", timeout=5)  # noqa: S310
            raise AssertionError("expected 404")
        except urllib.error.HTTPError as error:
            assert error.code == 404
            missing = error.read().decode()
        assert "Sidan finns inte" in missing and "URLconf" not in missing
        log.seek(0)
        printed = log.read()
        assert "password: kompetens-2026" in printed
        for username in ("lead", "manager", "employee", "trainer", "top-management", "evaluator"):
            assert f"  {username} " in printed
    finally:
        process.terminate()
        process.wait(timeout=20)
