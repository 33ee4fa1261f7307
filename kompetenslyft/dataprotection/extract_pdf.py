"""The register extract as a readable PDF, with fpdf2 (pure Python, no HTML layout pass).

Text is set in the PDF core fonts, which hold Windows-1252 (Latin-1's å, ä, ö, æ, ø and the
rest of the Nordic letters, and the dashes and quotes); a line with any other letter (Sami ŋ, đ, ž; Finnish š; Polish ł …) is set in
DejaVu Sans or DejaVu Sans Mono, the TrueType fonts of Debian's ``fonts-dejavu-core`` (which
the dashboard's WeasyPrint PDF already needs through fontconfig), embedded in the file. Without
those fonts such letters become "?".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF

from .extract_text import HIDDEN, Presenter

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)


def _unicode_fonts() -> tuple[str, str] | None:
    """The DejaVu Sans and DejaVu Sans Mono files, where the system has them."""
    for folder in FONT_DIRS:
        regular, mono = folder / "DejaVuSans.ttf", folder / "DejaVuSansMono.ttf"
        if regular.exists() and mono.exists():
            return str(regular), str(mono)
    return None


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters, broken at the last space (or mid-word)."""
    lines = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width + 1)
        if cut <= 0:
            cut = width
        lines.append(text[:cut])
        text = text[cut:].lstrip(" ")
    lines.append(text)
    return lines


def _statement_row(row: dict[str, Any], present: Presenter) -> str:
    """A learning record in one line (the full statement is in the JSON file)."""
    statement = row.get("statement") or {}
    if not isinstance(statement, dict):
        return present.text(statement)
    verb = statement.get("verb") or {}
    display = verb.get("display") or {}
    verb_text = next(iter(display.values()), None) if isinstance(display, dict) else None
    target = statement.get("object") or {}
    void = f" ({present.voided})" if row.get("voided") else ""
    # when it happened, local; when the LRS received it only when that was another day
    happened, stored = row.get("timestamp"), row.get("stored")
    when = present.text(happened or stored)
    if happened and stored and present.local(happened).date() != present.local(stored).date():
        when = f"{when} ({present.label('stored')}: {present.text(stored)})"
    return (
        f"{when} · {verb_text or str(verb.get('id', '')).rsplit('/', 1)[-1]} · {target.get('id', '')}{void}"
    )


def _row(row: dict[str, Any], present: Presenter) -> str:
    """A row as "Field: value · Field: value", a code shown by its label."""
    parts = []
    for key, value in row.items():
        if key in HIDDEN or (key.endswith("_label") and key[: -len("_label")] in row):
            continue
        shown = row.get(f"{key}_label", value) if f"{key}_label" in row else value
        parts.append(f"{present.label(key)}: {present.text(shown)}")
    return " · ".join(parts)


class _ExtractPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        # text() rather than cell(): a cell measures and lays out its text, a hundred pages over
        self.set_font("Helvetica", "", 8)
        self.text(self.w / 2 - 2, self.h - 8, str(self.page_no()))


# Text in the PDF core fonts (Helvetica, and Courier for data rows at 7.5 pt: 118 characters fill
# the 190 mm line) needs no embedding and is written fast; a line with a letter outside Latin-1
# is set in the DejaVu font instead, embedded the first time one is needed. Lines are wrapped
# by character count and placed one by one: fpdf2's multi_cell measures every glyph and took
# ten times longer on a five-year history.
DATA_SIZE = 7.5
DATA_WIDTH = 118
LINE = 3.4
TOP, BOTTOM, LEFT = 15.0, 280.0, 10.0


ENCODING = "windows-1252"


def pdf_of(data: dict[str, Any], present: Presenter | None = None) -> bytes:
    """The extract ``data`` (``extract.collect``, its values still Python values) as PDF, in
    the active language."""
    present = present or Presenter()
    pdf = _ExtractPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    unicode_files = _unicode_fonts()
    embedded: set[str] = set()
    person = data["person"]
    title = _("Register extract of %(name)s") % {"name": f"{person['given_name']} {person['family_name']}"}
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(title)
    pdf.add_page()
    y = TOP
    current: tuple[str, float] = ("", 0.0)

    def font_for(text: str, *, mono: bool) -> tuple[str, str]:
        try:
            text.encode(ENCODING)
        except UnicodeEncodeError:
            if unicode_files is None:
                return ("Courier" if mono else "Helvetica"), text.encode(ENCODING, "replace").decode(ENCODING)
            name = "DejaVuMono" if mono else "DejaVu"
            if name not in embedded:
                pdf.add_font(name, "", unicode_files[1] if mono else unicode_files[0])
                embedded.add(name)
            return name, text
        return ("Courier" if mono else "Helvetica"), text

    def lines(text: str, *, size: float, width: int, height: float, mono: bool = False) -> None:
        nonlocal y, current
        font, text = font_for(text, mono=mono)
        for line in _wrap(text, width):
            if y + height > BOTTOM:
                pdf.add_page()
                current = ("", 0.0)
                y = TOP
            if current != (font, size):
                pdf.set_font(font, "", size)
                current = (font, size)
            y += height
            pdf.text(LEFT, y, line)

    lines(_("Register extract"), size=16, width=60, height=8)
    lines(title, size=11, width=90, height=6)
    lines(_("Made %(when)s") % {"when": present.text(data["made_at"])}, size=9, width=110, height=5)
    y += 2
    for key, value in person.items():
        if not key.endswith("_label"):
            lines(
                f"{present.label(key)}: {present.text(person.get(f'{key}_label', value))}",
                size=9,
                width=110,
                height=4.6,
            )
    y += 2
    for sentence in data["not_included"]:
        lines(sentence, size=9, width=110, height=4.6)
    for section in data["sections"]:
        y += 3
        rows = section["rows"]
        lines(f"{section['title']} ({len(rows)})", size=12, width=80, height=6)
        if not rows:
            lines(_("Nothing registered."), size=9, width=110, height=4.6)
            continue
        statements = section["key"] == "statements"
        if statements:
            lines(
                _(
                    "Each record in one line: when, what, which activity. The full records are in the JSON file."
                ),
                size=8,
                width=130,
                height=4,
            )
        for row in rows:
            text = _statement_row(row, present) if statements else _row(row, present)
            lines(text, size=DATA_SIZE, width=DATA_WIDTH, height=LINE, mono=True)
            y += 0.8
    return bytes(pdf.output())
