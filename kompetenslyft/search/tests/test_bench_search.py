"""`kompetenslyft bench run --only search` at a small size prints the search figures."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_search_prints_median_and_p95(capsys: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    call_command("bench", "run", "--people", "600", "--units", "60", "--only", "search")
    lines = capsys.readouterr().out.splitlines()
    median = next(line for line in lines if line.startswith("search over 300 entries, one page, median"))
    p95 = next(line for line in lines if line.lstrip().startswith("… p95"))
    assert " ms (target ≤ 50 ms)" in median and " ms (target ≤ 50 ms)" in p95
    assert "search: kompetenslyft reindex (300 entries)" in "\n".join(lines)
    # The queries find entries (the figures time real result pages, not empty ones).
    most = int(median.rsplit("–", 1)[1].split()[0])
    assert most > 0
