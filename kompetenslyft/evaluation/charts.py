"""Charts drawn on the server as SVG text: no JavaScript, no charting library.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` it is labelled by, scales
with its container (``viewBox``, ``width="100%"``), and never relies on colour alone: each
series has its own pattern (bars) or marker and dash (lines), a legend that shows them, and
the value written beside each bar. A value that is hidden (``None``) is drawn as no bar with
the text the caller gives (e.g. "fewer than 5"), never as 0. Every piece of text — labels
come from users: module names, unit names — is escaped here.

The page puts the chart's data table beside it; the chart is a picture of that table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Dark enough for 4.5:1 against white (text in the same colour stays readable) and apart in
# lightness, so that they differ in grey too; the patterns tell them apart without colour.
COLOURS = ("#1f4e79", "#a34700", "#2d6a3f", "#6b3d8f", "#7a5b00", "#8a1538")
PATTERNS = ("solid", "hatch", "dots", "cross", "vertical", "grid")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3")

_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _ident(ident: str) -> str:
    clean = _ID.sub("-", ident) or "chart"
    return clean if clean[0].isalpha() else f"c-{clean}"


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f} %"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}"


def _defs(ident: str, n: int) -> str:
    parts = []
    for i in range(n):
        colour = COLOURS[i % len(COLOURS)]
        kind = PATTERNS[i % len(PATTERNS)]
        pid = f"{ident}-p{i}"
        inner = {
            "solid": f'<rect width="8" height="8" fill="{colour}"/>',
            "hatch": f'<rect width="8" height="8" fill="#fff"/><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" '
            f'stroke="{colour}" stroke-width="2.5"/>',
            "dots": f'<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="2.6" fill="{colour}"/>',
            "cross": f'<rect width="8" height="8" fill="#fff"/><path d="M0,0 l8,8 M8,0 l-8,8" '
            f'stroke="{colour}" stroke-width="2"/>',
            "vertical": f'<rect width="8" height="8" fill="#fff"/><path d="M2,0 v8 M6,0 v8" '
            f'stroke="{colour}" stroke-width="2"/>',
            "grid": f'<rect width="8" height="8" fill="#fff"/><path d="M0,4 h8 M4,0 v8" '
            f'stroke="{colour}" stroke-width="2"/>',
        }[kind]
        parts.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">{inner}</pattern>'
        )
    return "<defs>" + "".join(parts) + "</defs>"


def _fill(ident: str, i: int) -> str:
    return f'fill="url(#{ident}-p{i})" stroke="{COLOURS[i % len(COLOURS)]}" stroke-width="1.5"'


def _open(ident: str, width: int, height: int, title: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="13">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>'
    )


def _legend(ident: str, names: Sequence[str], y: int, *, lines: bool = False) -> tuple[str, int]:
    """One row per series (long names stay readable on a phone); returns (svg, height)."""
    parts = []
    for i, name in enumerate(names):
        top = y + i * 20
        if lines:
            parts.append(_marker(i, 12, top + 7) + _line_sample(i, top + 7))
        else:
            parts.append(f'<rect x="4" y="{top}" width="16" height="14" {_fill(ident, i)}/>')
        parts.append(f'<text x="30" y="{top + 11}" fill="#1a1a1a">{escape(_cut(name, 70))}</text>')
    return "".join(parts), 20 * len(names)


def _line_sample(i: int, y: int) -> str:
    dash = DASHES[i % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    colour = COLOURS[i % len(COLOURS)]
    return f'<path d="M0,{y} h24" stroke="{colour}" stroke-width="2"{dash_attr}/>'


def _marker(i: int, x: float, y: float) -> str:
    colour = COLOURS[i % len(COLOURS)]
    kind = MARKERS[i % len(MARKERS)]
    filled = i < len(MARKERS) / 2
    fill = colour if filled else "#fff"
    common = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" {common}/>'
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {common}/>'
    if kind == "triangle":
        return f'<path d="M{x:.1f},{y - 5:.1f} l5,9 h-10 z" {common}/>'
    return f'<path d="M{x:.1f},{y - 5.5:.1f} l5.5,5.5 l-5.5,5.5 l-5.5,-5.5 z" {common}/>'


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def empty_chart(*, ident: str, title: str, description: str, message: str) -> SafeString:
    ident = _ident(ident)
    svg = (
        _open(ident, 600, 60, title, description)
        + f'<text x="8" y="34" fill="#1a1a1a">{escape(message)}</text></svg>'
    )
    return mark_safe(svg)  # noqa: S308 - every piece of text above is escaped


def bar_chart(
    *,
    ident: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    percent: bool = False,
    maximum: float | None = None,
    hidden_text: str = "",
    empty_text: str = "",
    targets: Sequence[float | None] | None = None,
    target_label: str = "",
) -> SafeString:
    """Horizontal bars, one group per category, one bar per series, the value written at the
    end of each bar. ``targets`` (one per category) draws a dashed mark with its label."""
    ident = _ident(ident)
    values = [v for s in series for v in s.values if v is not None]
    if not categories or not series or not values and not hidden_text:
        return empty_chart(ident=ident, title=title, description=description, message=empty_text)
    top = max([*values, *(t for t in targets or [] if t is not None), 0.0])
    scale_max = maximum if maximum is not None else (top or 1.0)
    width, label_w, right = 640, 200, 90
    plot_w = width - label_w - right
    bar_h, gap = 16, 12
    group_h = bar_h * len(series) + gap
    legend, legend_h = _legend(ident, [s.name for s in series], 6)
    y0 = legend_h + 16
    height = y0 + group_h * len(categories) + 8
    parts = [_open(ident, width, height, title, description), _defs(ident, len(series)), legend]
    parts.append(f'<path d="M{label_w},{y0 - 4} V{height - 4}" stroke="#555" stroke-width="1"/>')
    for c, category in enumerate(categories):
        gy = y0 + c * group_h
        mid = gy + bar_h * len(series) / 2
        parts.append(
            f'<text x="{label_w - 8}" y="{mid + 4:.1f}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(_cut(category, 28))}</text>"
        )
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else None
            y = gy + i * bar_h
            if value is None:
                parts.append(
                    f'<text x="{label_w + 6}" y="{y + 12}" fill="#1a1a1a" font-style="italic">'
                    f"{escape(hidden_text)}</text>"
                )
                continue
            w = max(0.0, min(1.0, value / scale_max)) * plot_w if scale_max else 0.0
            parts.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 3}" {_fill(ident, i)}/>'
            )
            parts.append(
                f'<text x="{label_w + w + 5:.1f}" y="{y + 12}" fill="#1a1a1a">{escape(_fmt(value, percent))}</text>'
            )
        target = targets[c] if targets and c < len(targets) else None
        if target is not None and scale_max:
            tx = label_w + min(1.0, target / scale_max) * plot_w
            parts.append(
                f'<path d="M{tx:.1f},{gy - 3} V{gy + bar_h * len(series) + 1}" stroke="#1a1a1a" '
                f'stroke-width="2" stroke-dasharray="4 2"><title>{escape(target_label)}: '
                f"{escape(_fmt(target, percent))}</title></path>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def stacked_bar_chart(
    *,
    ident: str,
    title: str,
    description: str,
    categories: Sequence[str],
    parts: Sequence[Series],
    hidden_text: str = "",
    empty_text: str = "",
) -> SafeString:
    """One horizontal bar per category split into shares (each part's values are fractions
    0–1 of the category), each part in its pattern with its percentage written inside when
    it is wide enough."""
    ident = _ident(ident)
    if not categories or not parts:
        return empty_chart(ident=ident, title=title, description=description, message=empty_text)
    width, label_w, right = 640, 200, 16
    plot_w = width - label_w - right
    bar_h, gap = 22, 10
    legend, legend_h = _legend(ident, [p.name for p in parts], 6)
    y0 = legend_h + 14
    height = y0 + (bar_h + gap) * len(categories) + 6
    out = [_open(ident, width, height, title, description), _defs(ident, len(parts)), legend]
    for c, category in enumerate(categories):
        y = y0 + c * (bar_h + gap)
        out.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="#1a1a1a">'
            f"{escape(_cut(category, 28))}</text>"
        )
        shares = [p.values[c] if c < len(p.values) else None for p in parts]
        if any(s is None for s in shares):
            out.append(
                f'<text x="{label_w + 6}" y="{y + 15}" fill="#1a1a1a" font-style="italic">{escape(hidden_text)}</text>'
            )
            continue
        x = float(label_w)
        for i, share in enumerate(shares):
            w = max(0.0, min(1.0, float(share or 0))) * plot_w
            if w <= 0:
                continue
            out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" {_fill(ident, i)}/>')
            if w >= 44:
                out.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 15}" text-anchor="middle" fill="#1a1a1a" '
                    f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(_fmt(float(share or 0), True))}</text>'
                )
            x += w
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped


def line_chart(
    *,
    ident: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    percent: bool = True,
    maximum: float | None = None,
    empty_text: str = "",
) -> SafeString:
    """A trend: one line per series over ``labels`` (months, measurement points), a marker of
    its own at each point. A hidden value (``None``) breaks the line: no point is drawn."""
    ident = _ident(ident)
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not series or not values:
        return empty_chart(ident=ident, title=title, description=description, message=empty_text)
    top = maximum if maximum is not None else (1.0 if percent else max(values) or 1.0)
    width, left, right = 640, 56, 24
    legend, legend_h = _legend(ident, [s.name for s in series], 6, lines=True)
    plot_top = legend_h + 18
    plot_h = 200
    height = plot_top + plot_h + 44
    plot_w = width - left - right
    step = plot_w / max(1, len(labels) - 1) if len(labels) > 1 else 0.0
    out = [_open(ident, width, height, title, description), legend]
    for tick in range(5):
        v = top * tick / 4
        y = plot_top + plot_h - plot_h * tick / 4
        out.append(f'<path d="M{left},{y:.1f} H{width - right}" stroke="#ccc" stroke-width="1"/>')
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{escape(_fmt(v, percent))}</text>'
        )
    every = max(1, len(labels) // 8)
    for j, label in enumerate(labels):
        x = left + (step * j if len(labels) > 1 else plot_w / 2)
        if j % every == 0 or j == len(labels) - 1:
            out.append(
                f'<text x="{x:.1f}" y="{plot_top + plot_h + 18}" text-anchor="middle" fill="#1a1a1a">'
                f"{escape(_cut(label, 12))}</text>"
            )
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        segment: list[str] = []
        points = []
        for j, value in enumerate(s.values[: len(labels)]):
            x = left + (step * j if len(labels) > 1 else plot_w / 2)
            if value is None:
                if len(segment) > 1:
                    out.append(
                        f'<path d="M{" L".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
                    )
                segment = []
                continue
            y = plot_top + plot_h - plot_h * max(0.0, min(1.0, value / top if top else 0.0))
            segment.append(f"{x:.1f},{y:.1f}")
            points.append(_marker(i, x, y))
        if len(segment) > 1:
            out.append(
                f'<path d="M{" L".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
            )
        out.extend(points)
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text above is escaped
