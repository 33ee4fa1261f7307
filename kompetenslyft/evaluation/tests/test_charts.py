"""The SVG charts: well-formed, accessible, every label escaped, hidden values never drawn as 0."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kompetenslyft.evaluation import charts

NS = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & "quotes"'


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to prove it is well-formed


def check_accessible(root: ET.Element) -> None:
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def texts(root: ET.Element) -> list[str]:
    """Each text element's words (its lines, ``tspan``s, joined by a space)."""
    return [" ".join(part for part in t.itertext() if part) for t in root.iter(f"{NS}text")]


def test_bar_chart_escapes_every_label_and_writes_values() -> None:
    svg = charts.bar_chart(
        ident="a b<",
        title=EVIL,
        description=EVIL,
        categories=[EVIL, "Hemtjänst"],
        series=[charts.Series(EVIL, [0.5, None]), charts.Series("Män", [0.25, 0.75])],
        percent=True,
        hidden_text="dold",
        targets=[0.8, None],
        target_label=EVIL,
    )
    assert "<script>" not in svg
    root = parse(svg)
    check_accessible(root)
    assert root.find(f"{NS}title").text == EVIL  # type: ignore[union-attr]
    written = texts(root)
    assert "50 %" in written and "75 %" in written
    assert "dold" in written  # the hidden value says so …
    assert written.count("0 %") == 0  # … and is never drawn as 0
    assert len(root.findall(f".//{NS}pattern")) == 2  # a pattern per series, not colour alone


def test_empty_data_says_so() -> None:
    for svg in (
        charts.bar_chart(
            ident="e", title="t", description="d", categories=[], series=[], empty_text="Inga data"
        ),
        charts.line_chart(
            ident="e",
            title="t",
            description="d",
            labels=["2026-01"],
            series=[charts.Series("s", [None])],
            empty_text="Inga data",
        ),
        charts.stacked_bar_chart(
            ident="e", title="t", description="d", categories=[], parts=[], empty_text="Inga data"
        ),
    ):
        root = parse(svg)
        check_accessible(root)
        assert texts(root) == ["Inga data"]


def test_line_chart_breaks_at_hidden_points_and_has_markers() -> None:
    svg = charts.line_chart(
        ident="trend",
        title="Trend",
        description="d",
        labels=["2026-01", "2026-02", "2026-03", EVIL],
        series=[charts.Series(EVIL, [0.5, None, 0.7, 0.8]), charts.Series("b", [0.1, 0.2, 0.3, 0.4])],
    )
    assert "<script>" not in svg
    root = parse(svg)
    check_accessible(root)
    lines = [p for p in root.iter(f"{NS}path") if p.get("fill") == "none"]
    assert len(lines) == 2  # series a: only 0.7 → 0.8 is a line; series b: one line
    assert len(list(root.iter(f"{NS}circle"))) + len(list(root.iter(f"{NS}rect"))) >= 7


def test_stacked_bar_writes_shares_and_hides_whole_bars() -> None:
    svg = charts.stacked_bar_chart(
        ident="levels",
        title="Nivå",
        description="d",
        categories=["M1", EVIL],
        parts=[
            charts.Series("lätt", [0.2, None]),
            charts.Series("rätt", [0.5, None]),
            charts.Series("svår", [0.3, None]),
        ],
        hidden_text="dold",
    )
    root = parse(svg)
    check_accessible(root)
    written = texts(root)
    assert {"20 %", "50 %", "30 %", "dold"} <= set(written)


def test_long_labels_wrap_above_their_bars_and_are_never_cut_at_the_left() -> None:
    name = "Hemtjänstappen för mobil dokumentation i hemtjänsten"
    svg = charts.bar_chart(
        ident="w",
        title="t",
        description="d",
        categories=[name],
        series=[charts.Series("s", [0.5])],
        percent=True,
        maximum=1.0,
    )
    root = parse(svg)
    label = next(t for t in root.iter(f"{NS}text") if "Hemtjänstappen" in "".join(t.itertext()))
    assert label.get("text-anchor") in (None, "start") and float(label.get("x", "0")) >= 0
    assert "".join(label.itertext()) == name  # whole, on two lines (a line ends in its space)
    assert len(label.findall(f"{NS}tspan")) == 2
    width = float(root.get("viewBox", "").split()[2])
    assert width <= 420 and root.get("font-size") == "14"  # ~12 px text at 390 px wide


def test_stacked_shares_are_written_on_a_white_box() -> None:
    svg = charts.stacked_bar_chart(
        ident="s",
        title="t",
        description="d",
        categories=["M1"],
        parts=[charts.Series("a", [0.6]), charts.Series("b", [0.4])],
    )
    root = parse(svg)
    values = [t for t in root.iter(f"{NS}text") if (t.text or "").endswith("%")]
    assert [t.text for t in values] == ["60 %", "40 %"]
    for t in values:
        assert t.get("fill") == "#1a1a1a" and t.get("stroke") is None
    boxes = [r for r in root.iter(f"{NS}rect") if r.get("fill") == "#fff" and r.get("rx") == "3"]
    assert len(boxes) == 2


def test_a_category_without_answers_says_so_not_zero() -> None:
    svg = charts.bar_chart(
        ident="b",
        title="t",
        description="d",
        categories=["M1", "M2"],
        series=[charts.Series("s", [0.5, None])],
        percent=True,
        maximum=1.0,
        hidden_text="dold*",
        blank_text="inga svar",
        blank=[False, True],
    )
    words = texts(parse(svg))
    assert "inga svar" in words and "0 %" not in words and "dold*" not in words


def test_a_line_chart_can_shade_a_period_and_draw_a_target_line() -> None:
    svg = charts.line_chart(
        ident="indicator",
        title="Avvikelser",
        description="Per månad",
        labels=["2025-01", "2025-02", "2025-03", "2025-04"],
        series=[charts.Series("Enheten", [12.0, -2.0, 8.0, None])],
        percent=False,
        band=(1, 2),
        band_label="Utbildningen <pågår>",
        target=20.0,
        target_label="Mål",
    )
    assert '<rect x="' in svg and "Utbildningen &lt;pågår&gt;" in svg  # the period, escaped
    assert 'stroke-dasharray="4 2"><title>Mål: 20</title>' in svg  # the target line
    assert ">\u22122</text>" in svg  # below 0 when a value is, with the minus sign (U+2212)
    plain = charts.line_chart(
        ident="x", title="t", description="d", labels=["a", "b"], series=[charts.Series("s", [0.5, 0.7])]
    )
    assert 'fill="#e8eef5"' not in plain and 'stroke-dasharray="4 2"><title>' not in plain


def test_wrapped_text_keeps_its_spaces_when_read_as_a_whole() -> None:
    """A message wrapped over two lines reads "utan namn, för", never "utan namn,för" (the
    text as a screen reader or a copy takes it: the tspans' text run together)."""
    message = (
        "Skrivet av chefer i uppföljningssamtal, utan namn, för moduler med 5 eller fler registrerade samtal."
    )
    root = parse(charts.empty_chart(ident="t", title="T", description="", message=message))
    (text,) = [t for t in root.iter(f"{NS}text")]
    whole = "".join(text.itertext())
    assert len(list(text)) >= 2  # wrapped
    assert " ".join(whole.split()) == message


def test_values_beside_bars_use_the_languages_number_format() -> None:
    from django.utils import translation

    with translation.override("sv"):
        svg = charts.bar_chart(
            ident="c",
            title="Kostnad",
            description="",
            categories=["på plats", "e-utbildning"],
            series=[charts.Series("Kostnad per deltagare", [845.61, 1250.0])],
            hidden_text="dold",
            empty_text="inga",
        )
    words = " ".join(texts(parse(svg)))
    assert "845,6" in words and "845.6" not in words
    assert "1\xa0250" in words or "1 250" in words
    with translation.override("en"):
        svg = charts.bar_chart(
            ident="c",
            title="Cost",
            description="",
            categories=["onsite"],
            series=[charts.Series("Cost per participant", [845.61])],
            hidden_text="hidden",
            empty_text="none",
        )
    assert "845.6" in " ".join(texts(parse(svg)))
