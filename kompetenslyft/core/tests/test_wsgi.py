"""A server process loads the application and then moves what it loaded for good (modules, URL
patterns, catalogues) out of the garbage collector's generations, so full collections during
requests do not walk it."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_wsgi_application_freezes_its_startup_objects() -> None:
    code = (
        "import gc, kompetenslyft.wsgi as w; "
        "from django.urls import get_resolver; "
        "print(gc.get_freeze_count(), callable(w.application), len(get_resolver().url_patterns))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ), check=True
    ).stdout.split()
    frozen, callable_app, patterns = int(out[0]), out[1], int(out[2])
    assert callable_app == "True" and patterns > 10
    assert frozen > 50_000  # Django, the apps' modules and views, the catalogues
