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
    return [t.text or "" for t in root.iter(f"{NS}text")]


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
