"""The indicator chart writes its axis and target in the interface language's number format."""

from __future__ import annotations

from django.utils import translation

from kompetenslyft.evaluation.charts import Series
from kompetenslyft.indicators.charts import period_line_chart


def _chart() -> str:
    return str(
        period_line_chart(
            ident="t",
            title="Tid",
            description="Tid per besök",
            labels=["2026-01", "2026-02"],
            series=[Series("Tränade", [6.2, 8.4])],
            target=6.5,
            target_label="Mål",
        )
    )


def test_the_axis_uses_a_decimal_comma_in_swedish_and_norwegian_and_a_point_in_english() -> None:
    for language in ("sv", "nb"):
        with translation.override(language):
            chart = _chart()
        assert "2,10</text>" in chart and "Mål: 6,50" in chart, language
        assert "2.10</text>" not in chart
    with translation.override("en"):
        chart = _chart()
    assert "2.10</text>" in chart and "Mål: 6.50" in chart
