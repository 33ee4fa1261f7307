"""The indicator_values import: all or nothing, every bad row named, idempotent (a key
already stored is replaced), control characters refused; the command line and the template."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kompetenslyft.core.import_templates import template_rows
from kompetenslyft.core.importing import ImportRefused, import_file
from kompetenslyft.core.models import AuditEntry
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.indicators.services import indicator_archive

pytestmark = pytest.mark.django_db

HEADER = "indicator,unit_id,month,value\n"


def _indicator(org: Any, code: str = "AVV14") -> Indicator:
    return Indicator.objects.create(
        organisation=org, code=code, name=code, measure="percent", better="higher"
    )


def _import(org: Any, text: str, **kwargs: Any) -> Any:
    return import_file(
        kind="indicator_values", content=text.encode(), filename="v.csv", organisation=org, **kwargs
    )


def _stored(indicator: Indicator) -> dict[tuple[str, str], Decimal]:
    return {
        (v.unit.unit_id, v.month.isoformat()[:7]): v.value
        for v in IndicatorValue.objects.filter(indicator=indicator).select_related("unit")
    }


def test_import_writes_values_and_is_idempotent(network: Any) -> None:
    indicator = _indicator(network.org_a)
    text = HEADER + 'AVV14,U1,2026-03,87.5\navv14,U2,2026-03,"90,25"\nAVV14,U1,2026-04,88\n'
    result = _import(network.org_a, text)
    assert result.counts == {"new": 3}
    assert _stored(indicator) == {
        ("U1", "2026-03"): Decimal("87.5"),
        ("U2", "2026-03"): Decimal("90.25"),
        ("U1", "2026-04"): Decimal(88),
    }
    version = Indicator.objects.get(pk=indicator.pk).values_version
    again = _import(network.org_a, text)
    assert again.counts == {"unchanged": 3}
    assert Indicator.objects.get(pk=indicator.pk).values_version == version
    assert IndicatorValue.objects.count() == 3
    changed = _import(network.org_a, HEADER + "AVV14,U1,2026-03,80\n")
    assert changed.counts == {"changed": 1}
    assert _stored(indicator)[("U1", "2026-03")] == Decimal(80)
    assert IndicatorValue.objects.count() == 3
    actions = list(AuditEntry.objects.filter(action="indicator.values").values_list("changes", flat=True))
    assert {"new": 3, "changed": 0, "source": "import"} in actions
    assert {"new": 0, "changed": 1, "source": "import"} in actions


def test_every_bad_row_is_named_and_nothing_is_written(network: Any) -> None:
    _indicator(network.org_a)
    archived = _indicator(network.org_a, "OLD")
    indicator_archive(indicator=archived, actor=None)
    _indicator(network.org_b, "NORSK")
    text = HEADER + (
        "AVV14,U1,2026-03,87\n"  # 2: good
        "NOPE,U1,2026-03,1\n"  # 3: unknown indicator
        "NORSK,U1,2026-03,1\n"  # 4: another organisation's indicator
        "AVV14,B1,2026-03,1\n"  # 5: another organisation's unit
        "AVV14,U1,2026-13,1\n"  # 6: not a month
        "AVV14,U2,2026-03,many\n"  # 7: not a number
        "AVV14,U1,2026-03,88\n"  # 8: the key of row 2 again
        "OLD,U1,2026-03,1\n"  # 9: archived
        "AVV14,,,\n"  # 10: empty cells
        "AVV14,U2,2026-04,12345678901\n"  # 11: too many digits
        "AVV14,U2,2026-05,100.5\n"  # 12: a share over 100 %
        "AVV14,U2,2026-06,-2\n"  # 13: a negative share
    )
    with pytest.raises(ImportRefused) as refused:
        _import(network.org_a, text)
    errors = {(e.row, e.column): e.message for e in refused.value.result.errors}
    assert errors[(3, "indicator")] == "'NOPE' is not an indicator of the organisation"
    assert errors[(4, "indicator")] == "'NORSK' is not an indicator of the organisation"
    assert errors[(5, "unit_id")] == "'B1' is not a unit of the organisation"
    assert errors[(6, "month")] == "'2026-13' is not a month (use YYYY-MM)"
    assert errors[(7, "value")].startswith("'many' is not a number")
    assert errors[(8, "month")] == "the same indicator, unit and month appear again (first in row 2)"
    assert errors[(9, "indicator")] == "'OLD' is archived"
    assert {c for r, c in errors if r == 10} == {"unit_id", "month", "value"}
    assert (11, "value") in errors
    assert (2, "value") not in errors
    assert errors[(12, "value")] == "'100.5' a share must be between 0 and 100 %."
    assert errors[(13, "value")] == "'-2' a share must be between 0 and 100 %."
    assert IndicatorValue.objects.count() == 0


def test_control_characters_are_refused(network: Any) -> None:
    _indicator(network.org_a)
    with pytest.raises(ImportRefused) as refused:
        _import(network.org_a, HEADER + "AVV14,U1\x00,2026-03,1\n")
    errors = refused.value.result.errors
    assert any(
        (e.row, e.column) == (2, "unit_id") and "control character U+0000" in e.message for e in errors
    )
    assert IndicatorValue.objects.count() == 0


def test_a_dry_run_counts_and_writes_nothing(network: Any) -> None:
    _indicator(network.org_a)
    result = _import(network.org_a, HEADER + "AVV14,U1,2026-03,1\n", dry_run=True)
    assert result.counts == {"new": 1}
    assert IndicatorValue.objects.count() == 0


def test_an_xlsx_file_with_months_as_dates(network: Any) -> None:
    from openpyxl import Workbook

    indicator = _indicator(network.org_a)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["indicator", "unit_id", "month", "value"])
    sheet.append(["AVV14", "U3", "2026-05", 12.5])
    sheet.append(["AVV14", "U3", dt.datetime(2026, 6, 1), 13])  # noqa: DTZ001 - a spreadsheet date
    out = io.BytesIO()
    book.save(out)
    import_file(
        kind="indicator_values", content=out.getvalue(), filename="v.xlsx", organisation=network.org_a
    )
    assert _stored(indicator) == {("U3", "2026-05"): Decimal("12.5"), ("U3", "2026-06"): Decimal(13)}


def test_the_command_line_imports_and_refuses(network: Any, tmp_path: Any, capsys: Any) -> None:
    indicator = _indicator(network.org_a)
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "AVV14,U1,2026-03,87\n", encoding="utf-8")
    call_command("import", "indicator_values", str(good), "--organisation", "alpha")
    assert _stored(indicator) == {("U1", "2026-03"): Decimal(87)}
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "AVV14,NOWHERE,2026-03,87\n", encoding="utf-8")
    with pytest.raises((CommandError, SystemExit)) as exited:
        call_command("import", "indicator_values", str(bad), "--organisation", "alpha")
    code = getattr(exited.value, "returncode", getattr(exited.value, "code", None))
    assert code == 2
    assert "NOWHERE" in capsys.readouterr().err


def test_the_template_has_the_columns_and_an_example(network: Any) -> None:
    header, example = template_rows("indicator_values")
    assert header == ["indicator", "unit_id", "month", "value"]
    assert example[2] == "2025-04"
