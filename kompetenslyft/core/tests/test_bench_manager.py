"""`kompetenslyft bench run --only manager` prints the manager's pages at a small size."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_manager_prints_the_team_and_proposals_pages(capsys: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    call_command("bench", "seed", "--people", "400", "--units", "40")
    call_command("bench", "run", "--people", "400", "--units", "40", "--only", "manager")
    lines = capsys.readouterr().out.splitlines()
    for page in (
        "manager's team, whole subtree",
        "manager's proposals page",
        "lead's team",
        "lead's proposals",
    ):
        position = next(i for i, line in enumerate(lines) if line.startswith(page))
        assert "in-process median" in lines[position]
        assert lines[position + 1].lstrip().startswith("… over HTTP, 1 user, median")
        assert lines[position + 2].lstrip().startswith("… over HTTP, 4 concurrent users, p95")
    proposals = next(line for line in lines if line.startswith("lead's proposals page"))
    counted = re.search(r"\((\d+) people\)", proposals)
    assert counted is not None and 0 < int(counted.group(1)) <= 400
    assert any(line.startswith("manager's team, status 'not started'") for line in lines)
    # Only a latency may miss on a shared test machine.
    assert all(" ms (target" in line for line in lines if "NOT MET" in line)
