"""Work the bench runs in a process of its own, as the task worker would run it, so that its
time and peak memory are its own and the web threads of the bench do not share its
interpreter. Imports nothing of Django at module level (the child sets Django up itself)."""

from __future__ import annotations

import os
import time
from typing import Any


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent across fork and exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rebuild_in_child(organisation_pk: int, database_name: str) -> dict[str, Any]:
    """Set Django up, rebuild the organisation's gap summary; report time and memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompetenslyft.settings")
    import django

    django.setup()
    from django.db import connections

    # The parent may be on a database other than the settings' (the test database).
    connections["default"].settings_dict["NAME"] = database_name
    from kompetenslyft.assessment import gaps
    from kompetenslyft.org.models import Organisation

    organisation = Organisation.objects.get(pk=organisation_pk)
    before = peak_memory_mb()
    stats = gaps.RebuildStats()
    start = time.perf_counter()
    cells = gaps.rebuild(organisation, stats=stats)
    seconds = time.perf_counter() - start
    connections.close_all()
    return {
        "cells": cells,
        "seconds": seconds,
        "chunks": stats.chunks,
        "written": stats.written,
        "longest_chunk": stats.longest_chunk,
        "longest_chunk_cpu": stats.longest_chunk_cpu,
        "rss_before_mb": before,
        "rss_peak_mb": peak_memory_mb(),
    }
