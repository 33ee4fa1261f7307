"""`kompetenslyft bench` runs every operation on a small synthetic organisation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kompetenslyft.bench.synthetic import write_synthetic


def test_synthetic_shape(tmp_path: Any) -> None:
    s = write_synthetic(tmp_path, people=3000, units=600)
    assert s.administrations == 2
    assert s.units == 600
    assert s.people == 3000
    assert s.units_file.read_text(encoding="utf-8").startswith("unit_id,name,parent_id,manager_employee_id")


@pytest.mark.django_db(transaction=True)
def test_bench_run_prints_every_figure(capsys: Any, settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path
    call_command("bench", "run", "--people", "600", "--units", "60")
    out = capsys.readouterr().out
    assert "import 600 people + 60 units (fresh)" in out
    assert "re-import of the unchanged files" in out
    assert "people list of a manager" in out
    assert "0 missed" in out, out
