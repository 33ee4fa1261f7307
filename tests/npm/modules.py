"""The npm packages of tests/npm (package.json + package-lock.json, committed; node_modules
never): ``make test`` runs ``npm ci`` here; a test run without it installs them once into
``$KOMPETENSLYFT_VAR_DIR/npm`` (kept as a cache, installed again when the lock changes)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent
LOCK = HERE / "package-lock.json"


def _fresh(root: Path) -> bool:
    stamp = root / "node_modules" / ".package-lock.json"
    return (
        stamp.exists()
        and (root / "package-lock.json").exists()
        and ((root / "package-lock.json").read_bytes() == LOCK.read_bytes())
    )


def node_modules() -> Path:
    """A node_modules directory holding exactly the locked packages (installed if missing)."""
    if _fresh(HERE):
        return HERE / "node_modules"
    var = Path(os.environ.get("KOMPETENSLYFT_VAR_DIR", HERE.parents[1] / "var"))
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]
    root = var / "npm" / digest
    if not _fresh(root):
        root.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(HERE / name, root / name)
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed (Node 20 with npm is needed for the LRS client tests)")
        subprocess.run(  # noqa: S603 - our own fixed command
            [npm, "ci", "--no-audit", "--no-fund", "--cache", str(var / "npm" / "cache")],
            cwd=root,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return root / "node_modules"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise RuntimeError("node is not installed (Node 20 is needed for the LRS client tests)")
    return found
