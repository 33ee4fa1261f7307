"""`kompetenslyft demo` (what `make demo` runs) migrates, loads, prints the logins and serves a
Swedish log-in page on the chosen port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
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
        log.seek(0)
        printed = log.read()
        assert "password: kompetens-2026" in printed
        for username in ("lead", "manager", "employee", "trainer", "top-management", "evaluator"):
            assert f"  {username} " in printed
    finally:
        process.terminate()
        process.wait(timeout=20)
