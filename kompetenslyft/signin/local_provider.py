"""A local OpenID Connect provider (tests/oidc-provider/provider.mjs: the npm package
``oidc-provider``) for the tests, the demo (``make demo-oidc``) and the bench.

Its npm dependencies are installed with ``npm ci`` from the committed lock file into
``$KOMPETENSLYFT_VAR_DIR/oidc-provider`` (again only when the lock file changes), so the
repository holds no node_modules. ``python -m kompetenslyft.signin.local_provider install``
does that step alone (``make test`` runs it).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

SOURCE = Path(__file__).resolve().parents[2] / "tests" / "oidc-provider"
FILES = ("package.json", "package-lock.json", "provider.mjs")
CLIENT_ID = "kompetenslyft"
CLIENT_SECRET = "kompetenslyft-local-secret"  # noqa: S105 (the local test provider's only)


class ProviderUnavailable(RuntimeError):
    """Node or npm is missing, or npm ci failed."""


def workdir() -> Path:
    return Path(settings.VAR_DIR) / "oidc-provider"


def install() -> Path:
    """Copy the provider script next to its node_modules (npm ci when the lock changed)."""
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        raise ProviderUnavailable(
            "node and npm are needed for the local OpenID provider (apt-get install nodejs npm)"
        )
    target = workdir()
    target.mkdir(parents=True, exist_ok=True)
    lock = (SOURCE / "package-lock.json").read_bytes()
    stamp = target / ".lock-sha256"
    digest = hashlib.sha256(lock).hexdigest()
    for name in FILES:
        shutil.copyfile(SOURCE / name, target / name)
    if (
        not (target / "node_modules" / "oidc-provider").is_dir()
        or not stamp.exists()
        or stamp.read_text() != digest
    ):
        result = subprocess.run(  # noqa: S603
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=target,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise ProviderUnavailable(f"npm ci failed: {result.stderr[-2000:]}")
        stamp.write_text(digest)
    return target


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str
    process: Any


@contextmanager
def running_provider(
    *,
    accounts: list[dict[str, Any]],
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] = (),  # type: ignore[assignment]
    port: int | None = None,
    quiet: bool = True,
) -> Iterator[RunningProvider]:
    """Start the provider with these accounts and one client; stop it on leaving."""
    target = install()
    port = port or free_port()
    accounts_file = target / f"accounts-{port}.json"
    accounts_file.write_text(json.dumps(accounts))
    node = shutil.which("node") or "node"
    command = [node, "provider.mjs", "--port", str(port), "--accounts", str(accounts_file)]
    command += ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    for uri in redirect_uris:
        command += ["--redirect-uri", uri]
    for uri in post_logout_redirect_uris:
        command += ["--post-logout-redirect-uri", uri]
    process = subprocess.Popen(  # noqa: S603
        command,
        cwd=target,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        if process.stdout is None:  # pragma: no cover (stdout is a pipe)
            raise ProviderUnavailable("no output from the provider")
        while True:
            line = process.stdout.readline()
            if line.startswith("READY "):
                break
            if not line and process.poll() is not None:
                raise ProviderUnavailable(f"the local OpenID provider stopped (exit {process.returncode})")
            if time.monotonic() > deadline:
                raise ProviderUnavailable("the local OpenID provider did not start in 30 s")
        yield RunningProvider(
            issuer=f"http://127.0.0.1:{port}",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            process=process,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        accounts_file.unlink(missing_ok=True)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompetenslyft.settings")
    django.setup()
    if sys.argv[1:] == ["install"]:
        print(f"local OpenID provider installed in {install()}")
    else:
        print("usage: python -m kompetenslyft.signin.local_provider install", file=sys.stderr)
        sys.exit(2)
