"""`kompetenslyft import` on the command line: exit status, messages, organisation choice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kompetenslyft.org.models import Organisation, Person, Unit


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_import_into_a_new_installation_creates_the_organisation(
    db: Any, tmp_path: Path, capsys: Any
) -> None:
    call_command("import", "units", write(tmp_path, "u.csv", "unit_id,name\nA,Alfa\n"))
    assert Organisation.objects.count() == 1
    assert "new 1" in capsys.readouterr().out
    call_command(
        "import",
        "people",
        write(tmp_path, "p.csv", "employee_id;given_name;family_name;unit_id;role\n1;Ann;Ek;A;lärare\n"),
    )
    assert Person.objects.get().organisation == Organisation.objects.get()


def test_dry_run(db: Any, tmp_path: Path, capsys: Any) -> None:
    call_command("import", "units", write(tmp_path, "u.csv", "unit_id,name\nA,Alfa\n"), "--dry-run")
    assert not Unit.objects.exists()
    assert "dry run" in capsys.readouterr().out


def test_refused_input_exits_2_and_names_the_rows(db: Any, tmp_path: Path, capsys: Any) -> None:
    path = write(tmp_path, "u.csv", "unit_id,name,parent_id\nA,,\nB,Beta,Z\n")
    with pytest.raises(CommandError) as info:
        call_command("import", "units", path)
    assert info.value.returncode == 2
    err = capsys.readouterr().err
    assert "u.csv: row 2, column name: is empty" in err
    assert "u.csv: row 3, column parent_id: 'Z' is neither a unit in the file nor an existing unit" in err


def test_several_organisations_need_a_choice(db: Any, tmp_path: Path) -> None:
    Organisation.objects.create(code="a", name="A")
    Organisation.objects.create(code="b", name="B")
    path = write(tmp_path, "u.csv", "unit_id,name\nA,Alfa\n")
    with pytest.raises(CommandError) as info:
        call_command("import", "units", path)
    assert info.value.returncode == 2 and "--organisation" in str(info.value)
    with pytest.raises(CommandError) as info:
        call_command("import", "units", path, "--organisation", "nope")
    assert "nope" in str(info.value)
    call_command("import", "units", path, "--organisation", "b")
    assert Unit.objects.get().organisation.code == "b"


def test_unknown_kind_and_missing_file(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as info:
        call_command("import", "llamas", write(tmp_path, "x.csv", "a\n1\n"))
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        call_command("import", "units", str(tmp_path / "missing.csv"))
    assert info.value.returncode == 2


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The installed `kompetenslyft` script, on its own SQLite file, as an operator runs it."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "LANG": "C"}
    script = Path(sys.executable).with_name("kompetenslyft")
    subprocess.run([str(script), "migrate", "-v0"], env=env, check=True)
    good = write(tmp_path, "units.csv", "\ufeffunit_id;name;parent_id\nA;Alfa;\nB;Beta;A\n")
    done = subprocess.run([str(script), "import", "units", good], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "new 2" in done.stdout
    bad = write(tmp_path, "bad.csv", "unit_id;name\n;Nameless\n")
    refused = subprocess.run([str(script), "import", "units", bad], env=env, capture_output=True, text=True)
    assert refused.returncode == 2
    assert "row 2, column unit_id: is empty" in refused.stderr
