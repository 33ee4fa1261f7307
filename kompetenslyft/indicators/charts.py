"""A line chart of an indicator over months with the training period shaded and the target
as a dashed line: the evaluation's line chart (``evaluation.charts.line_chart``) with its
band and target line, on a scale of plain numbers."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from kompetenslyft.evaluation.charts import Series, line_chart


def period_line_chart(
    *,
    ident: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    band: tuple[int, int] | None = None,
    band_label: str = "",
    target: float | None = None,
    target_label: str = "",
    empty_text: str = "",
) -> SafeString:
    """One line per series over ``labels``; ``band`` (first and last index) is shaded with
    ``band_label`` above it; ``target`` is a dashed horizontal line. The scale runs from 0 (or
    the lowest value, when below 0) to the highest value or target."""
    return line_chart(
        ident=ident,
        title=title,
        description=description,
        labels=labels,
        series=series,
        percent=False,
        band=band,
        band_label=band_label,
        target=target,
        target_label=target_label,
        empty_text=empty_text,
    )
