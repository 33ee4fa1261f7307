"""`kompetenslyft bench run --only homes` times every role's start page, in-process and over
HTTP, each figure beside its target with "met" or "NOT MET"."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_homes_prints_every_roles_start_page(capsys: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    call_command("bench", "seed", "--people", "400", "--units", "40")
    call_command("bench", "run", "--people", "400", "--units", "40", "--only", "homes")
    lines = capsys.readouterr().out.splitlines()
    assert "load average" in lines[0]
    for role in (
        "employee",
        "manager of a department",
        "trainer",
        "lead",
        "project leader",
        "top management",
    ):
        position = next(i for i, line in enumerate(lines) if line.startswith(f"home page of the {role}"))
        assert "(target ≤ 150 ms)" in lines[position]
        assert lines[position].rstrip().endswith(("met", "NOT MET"))
        assert lines[position + 1].lstrip().startswith("… over HTTP, 4 concurrent users, p95")
    summary = next(line for line in lines if " figures, " in line and " with a target: " in line)
    assert " met, " in summary and summary.endswith(" not met")
