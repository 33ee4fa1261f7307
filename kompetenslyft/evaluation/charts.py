"""Charts drawn on the server as SVG text: no JavaScript, no charting library.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` it is labelled by, scales
with its container (``viewBox``, ``width="100%"``), and never relies on colour alone: each
series has its own pattern (bars) or marker and dash (lines), a legend that shows them, and
the value written beside each bar. A value that is hidden (``None``) is drawn as no bar with
the text the caller gives (e.g. "fewer than 5"), never as 0. Every piece of text — labels
come from users: module names, unit names — is escaped here.

Every chart is drawn 420 units wide with 14-unit text and category labels on their own lines
above their bars (wrapped, never cut at the left), so that it reads on a 390 px phone (about
12 px text) as on a desktop, where the page keeps it under 560 px wide, and in a PDF.

The page puts the chart's data table with it; the chart is a picture of that table.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
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
    blank: Sequence[bool] = ()  # a None value marked here has no figure (a dash), not a hidden one


def _ident(ident: str) -> str:
    clean = _ID.sub("-", ident) or "chart"
    return clean if clean[0].isalpha() else f"c-{clean}"


def _fmt(value: float, percent: bool) -> str:
    """A value written beside its bar, in the active language's number format (Swedish and
    Norwegian "845,6" and "1 250"), as the table beside the chart writes it."""
    if percent:
        return minus_sign(number_format(round(value * 100), use_l10n=True) + " %")
    if float(value).is_integer():
        return minus_sign(number_format(int(value), use_l10n=True, force_grouping=True))
    return minus_sign(number_format(round(value, 1), decimal_pos=1, use_l10n=True, force_grouping=True))


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


WIDTH = 420
FONT = 14
LINE = 18  # a line of text
WRAP = 46  # characters on a line of a category label (14-unit text is ~7.5 units a character)


def _open(ident: str, width: int, height: int, title: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="{FONT}">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>'
    )


def _wrap(text: str, width: int = WRAP, lines: int = 2) -> list[str]:
    """At most ``lines`` lines of at most ``width`` characters, broken between words where it
    can be (a word longer than a line is broken inside), the last one ending in "…" when the
    text is longer."""
    words = text.split()
    out: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                out.append(current)
                current = ""
            out.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _cut(out[-1] + " …", width) if len(out[-1]) < width else out[-1][: width - 1] + "…"
    return out or [""]


def _label(x: float, y: float, lines: list[str]) -> str:
    """Lines of text whose first baseline is at ``y``. Each line but the last ends in a space,
    so that the text read as a whole (a screen reader, a copy, a search) keeps the space the
    wrapping took: "utan namn, för", not "utan namn,för"."""
    last = len(lines) - 1
    spans = "".join(
        f'<tspan x="{x}" dy="{0 if i == 0 else LINE}">{escape(line)}{" " if i < last else ""}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x}" y="{y}" fill="#1a1a1a">{spans}</text>'


def _tagged(x: float, y: float, text: str, *, anchor: str = "middle") -> str:
    """A value on a patterned bar: dark text on a white box, readable on any pattern (in the
    PDF too, which knows no ``paint-order``)."""
    w = 8 + 8 * len(text)
    left = x - w / 2 if anchor == "middle" else x
    return (
        f'<rect x="{left:.1f}" y="{y - 13:.1f}" width="{w:.1f}" height="17" rx="3" fill="#fff"/>'
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="#1a1a1a">{escape(text)}</text>'
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
        parts.append(f'<text x="30" y="{top + 12}" fill="#1a1a1a">{escape(_cut(name, WRAP - 4))}</text>')
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
    lines = _wrap(message, WRAP + 6, lines=4)
    svg = _open(ident, WIDTH, 16 + LINE * len(lines), title, description) + _label(8, 26, lines) + "</svg>"
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
    blank_text: str = "",
    blank: Sequence[bool] | None = None,
) -> SafeString:
    """Horizontal bars, one group per category (its label above it), one bar per series, the
    value written at the end of each bar. ``targets`` (one per category) draws a dashed mark
    with its label. A category marked in ``blank`` has no figure to draw (e.g. no answers):
    ``blank_text`` is written in its place."""
    ident = _ident(ident)
    values = [v for s in series for v in s.values if v is not None]
    if not categories or not series or not values and not hidden_text and not any(blank or []):
        return empty_chart(ident=ident, title=title, description=description, message=empty_text)
    top = max([*values, *(t for t in targets or [] if t is not None), 0.0])
    scale_max = maximum if maximum is not None else (top or 1.0)
    width, left, right = WIDTH, 4, 60
    plot_w = width - left - right
    bar_h = 18
    legend, legend_h = _legend(ident, [s.name for s in series], 6)
    y = legend_h + 14
    parts = [_defs(ident, len(series)), legend]
    for c, category in enumerate(categories):
        lines = _wrap(category)
        parts.append(_label(left, y + FONT, lines))
        y += LINE * len(lines) + 4
        group_top = y
        if blank is not None and c < len(blank) and blank[c]:
            parts.append(
                f'<text x="{left + 6}" y="{y + 13}" fill="#1a1a1a" font-style="italic">{escape(blank_text)}</text>'
            )
            y += bar_h + 14
            continue
        for i, s in enumerate(series):
            value = s.values[c] if c < len(s.values) else None
            if value is None and c < len(s.blank) and s.blank[c]:
                parts.append(f'<text x="{left + 6}" y="{y + 13}" fill="#1a1a1a">–</text>')
            elif value is None:
                parts.append(
                    f'<text x="{left + 6}" y="{y + 13}" fill="#1a1a1a" font-style="italic">'
                    f"{escape(hidden_text)}</text>"
                )
            else:
                w = max(0.0, min(1.0, value / scale_max)) * plot_w if scale_max else 0.0
                parts.append(
                    f'<rect x="{left}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 3}" {_fill(ident, i)}/>'
                )
                parts.append(
                    f'<text x="{left + w + 5:.1f}" y="{y + 13}" fill="#1a1a1a">{escape(_fmt(value, percent))}</text>'
                )
            y += bar_h
        target = targets[c] if targets and c < len(targets) else None
        if target is not None and scale_max:
            tx = left + min(1.0, target / scale_max) * plot_w
            parts.append(
                f'<path d="M{tx:.1f},{group_top - 3} V{y + 1}" stroke="#1a1a1a" '
                f'stroke-width="2" stroke-dasharray="4 2"><title>{escape(target_label)}: '
                f"{escape(_fmt(target, percent))}</title></path>"
            )
        y += 12
    parts.append(f'<path d="M{left},{legend_h + 14} V{y - 8}" stroke="#555" stroke-width="1"/>')
    parts.append("</svg>")
    return mark_safe(_open(ident, width, y, title, description) + "".join(parts))  # noqa: S308 - every piece of text above is escaped


def stacked_bar_chart(
    *,
    ident: str,
    title: str,
    description: str,
    categories: Sequence[str],
    parts: Sequence[Series],
    hidden_text: str = "",
    empty_text: str = "",
    blank_text: str = "",
    blank: Sequence[bool] | None = None,
) -> SafeString:
    """One horizontal bar per category (its label above it) split into shares (each part's
    values are fractions 0–1 of the category), each part in its pattern with its percentage
    on a white box inside it when it is wide enough (the table has every value). A category
    marked in ``blank`` has nothing to split (no answers): ``blank_text`` is written."""
    ident = _ident(ident)
    if not categories or not parts:
        return empty_chart(ident=ident, title=title, description=description, message=empty_text)
    width, left, right = WIDTH, 4, 8
    plot_w = width - left - right
    bar_h = 24
    legend, legend_h = _legend(ident, [p.name for p in parts], 6)
    y = legend_h + 14
    out = [_defs(ident, len(parts)), legend]
    for c, category in enumerate(categories):
        lines = _wrap(category)
        out.append(_label(left, y + FONT, lines))
        y += LINE * len(lines) + 4
        shares = [p.values[c] if c < len(p.values) else None for p in parts]
        if blank is not None and c < len(blank) and blank[c]:
            out.append(
                f'<text x="{left + 6}" y="{y + 16}" fill="#1a1a1a" font-style="italic">{escape(blank_text)}</text>'
            )
        elif any(s is None for s in shares):
            out.append(
                f'<text x="{left + 6}" y="{y + 16}" fill="#1a1a1a" font-style="italic">{escape(hidden_text)}</text>'
            )
        else:
            x = float(left)
            for i, share in enumerate(shares):
                w = max(0.0, min(1.0, float(share or 0))) * plot_w
                if w <= 0:
                    continue
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" {_fill(ident, i)}/>')
                text = _fmt(float(share or 0), True)
                if w >= 16 + 8 * len(text):
                    out.append(_tagged(x + w / 2, y + 17, text))
                x += w
        y += bar_h + 12
    out.append("</svg>")
    return mark_safe(_open(ident, width, y, title, description) + "".join(out))  # noqa: S308 - every piece of text above is escaped


def _number(value: float) -> str:
    """A scale label of plain numbers in the active language's format (Swedish and Norwegian
    "6,2"): whole numbers as such, else one or two decimals."""
    if float(value).is_integer():
        return minus_sign(number_format(int(value), use_l10n=True))
    places = 1 if abs(value) >= 10 else 2
    return minus_sign(number_format(round(value, places), decimal_pos=places, use_l10n=True))


def minus_sign(text: str) -> str:
    """A negative number written with the minus sign (U+2212), as typography wants, not the
    hyphen-minus."""
    return "\u2212" + text[1:] if text.startswith("-") else text


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
    band: tuple[int, int] | None = None,
    band_label: str = "",
    target: float | None = None,
    target_label: str = "",
) -> SafeString:
    """A trend: one line per series over ``labels`` (months, measurement points), a marker of
    its own at each point. A hidden value (``None``) breaks the line: no point is drawn.
    Optionally ``band`` (first and last index, e.g. a training period) is shaded with
    ``band_label`` above it, and ``target`` is a dashed horizontal line. Shares run from 0 to
    ``maximum`` (100 %); plain numbers from 0 (or the lowest value, when below 0) to the highest
    value or target."""
    ident = _ident(ident)
    values = [v for s in series for v in s.values if v is not None]
    if not labels or not series or not values:
        return empty_chart(ident=ident, title=title, description=description, message=empty_text)
    with_target = [*values, *([target] if target is not None else [])]
    top = maximum if maximum is not None else (1.0 if percent else max(with_target) or 1.0)
    bottom = 0.0 if percent else min([*values, 0.0])
    span = (top - bottom) or 1.0
    width, left, right = WIDTH, (50 if percent else 56), 32
    legend, legend_h = _legend(ident, [s.name for s in series], 6, lines=True)
    plot_top = legend_h + (36 if band is not None else 18)
    plot_h = 180
    height = plot_top + plot_h + 44
    plot_w = width - left - right
    step = plot_w / max(1, len(labels) - 1) if len(labels) > 1 else 0.0

    def x_of(j: float) -> float:
        return left + (step * j if len(labels) > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return plot_top + plot_h - plot_h * max(0.0, min(1.0, (v - bottom) / span))

    def label_of(v: float) -> str:
        return _fmt(v, percent) if percent else _number(v)

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
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#1a1a1a">{escape(label_of(v))}</text>'
        )
    if target is not None:
        y = y_of(target)
        out.append(
            f'<path d="M{left},{y:.1f} H{width - right}" stroke="#1a1a1a" stroke-width="2" '
            f'stroke-dasharray="4 2"><title>{escape(target_label)}: {escape(label_of(target))}</title></path>'
        )
    every = max(1, -(-len(labels) // 5))  # at most five labels (a month is ~55 units wide)
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
