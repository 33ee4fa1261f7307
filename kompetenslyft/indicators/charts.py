"""A line chart of an indicator over months with the training period shaded and the target
as a dashed line: the evaluation's SVG charts (``evaluation/charts.py``: ``role="img"``, a
title and a description, a marker and a dash of its own per series, every label escaped), with
a band and a reference line added."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kompetenslyft.evaluation.charts import (
    COLOURS,
    DASHES,
    WIDTH,
    Series,
    _cut,
    _ident,
    _legend,
    _marker,
    _open,
    empty_chart,
)


def _number(value: float) -> str:
    """A tick or target value in the active language's format (Swedish and Norwegian: "6,2")."""
    if float(value).is_integer():
        return number_format(int(value), use_l10n=True)
    places = 1 if abs(value) >= 10 else 2
    return number_format(round(value, places), decimal_pos=places, use_l10n=True)


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
    ident = _ident(ident)
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not series or not values:
        return empty_chart(ident=ident, title=title, description=description, message=empty_text)
    top = max([*values, target if target is not None else values[0]])
    bottom = min([*values, 0.0])
    span = (top - bottom) or 1.0
    width, left, right = WIDTH, 56, 32
    names = [s.name for s in series]
    legend, legend_h = _legend(ident, names, 6, lines=True)
    plot_top = legend_h + 36
    plot_h = 180
    height = plot_top + plot_h + 44
    plot_w = width - left - right
    step = plot_w / max(1, len(labels) - 1) if len(labels) > 1 else 0.0

    def x_of(j: float) -> float:
        return left + (step * j if len(labels) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return plot_top + plot_h - plot_h * (v - bottom) / span

    out = [_open(ident, width, height, title, description), legend]
    if band is not None:
        x0 = x_of(band[0]) - (step / 2 if band[0] > 0 else 0)
        x1 = x_of(band[1]) + (step / 2 if band[1] < len(labels) - 1 else 0)
        out.append(
            f'<rect x="{x0:.1f}" y="{plot_top}" width="{max(2.0, x1 - x0):.1f}" height="{plot_h}" '
            f'fill="#e8eef5" stroke="#1f4e79" stroke-width="1" stroke-dasharray="3 3"/>'
        )
        out.append(
            f'<text x="{x0 + 4:.1f}" y="{plot_top - 8}" fill="#1a1a1a">{escape(_cut(band_label, 30))}</text>'
        )
    for tick in range(5):
        v = bottom + span * tick / 4
        y = y_of(v)
        out.append(f'<path d="M{left},{y:.1f} H{width - right}" stroke="#ccc" stroke-width="1"/>')
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{escape(_number(v))}</text>'
        )
    if target is not None:
        y = y_of(target)
        out.append(
            f'<path d="M{left},{y:.1f} H{width - right}" stroke="#1a1a1a" stroke-width="2" '
            f'stroke-dasharray="4 2"><title>{escape(target_label)}: {escape(_number(target))}</title></path>'
        )
    every = max(1, -(-len(labels) // 5))
    for j, label in enumerate(labels):
        last = j == len(labels) - 1 and (len(labels) - 1) % every >= every / 2
        if j % every == 0 or last:
            out.append(
                f'<text x="{x_of(j):.1f}" y="{plot_top + plot_h + 18}" text-anchor="middle" fill="#1a1a1a">'
                f"{escape(_cut(label, 12))}</text>"
            )
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[str] = []
        points = []
        for j, value in enumerate(s.values[: len(labels)]):
            if value is None:
                if len(segment) > 1:
                    out.append(
                        f'<path d="M{" L".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
                    )
                segment = []
                continue
            x, y = x_of(j), y_of(value)
            segment.append(f"{x:.1f},{y:.1f}")
            points.append(_marker(i, x, y))
        if len(segment) > 1:
            out.append(
                f'<path d="M{" L".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        out.extend(points)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped
