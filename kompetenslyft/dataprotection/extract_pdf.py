"""The register extract as a readable PDF, with fpdf2 (pure Python, no HTML layout pass).

Text is set in the PDF core fonts, which hold Latin-1 (å, ä, ö, æ, ø and the rest of the
Nordic letters); a line with any other letter (Sami ŋ, đ, ž; Finnish š; Polish ł …) is set in
DejaVu Sans or DejaVu Sans Mono, the TrueType fonts of Debian's ``fonts-dejavu-core`` (which
the dashboard's WeasyPrint PDF already needs through fontconfig), embedded in the file. Without
those fonts such letters become "?".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)

# The extract's field names in the reader's language (the JSON keeps the English keys).
LABELS = {
    "organisation": gettext_lazy("Organisation"),
    "employee_id": gettext_lazy("Employee id"),
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "email": gettext_lazy("E-mail"),
    "gender": gettext_lazy("Gender"),
    "language": gettext_lazy("Language"),
    "start_date": gettext_lazy("Start date"),
    "unit": gettext_lazy("Unit"),
    "role": gettext_lazy("Role"),
    "active": gettext_lazy("Active"),
    "deactivated_on": gettext_lazy("Deactivated on"),
    "username": gettext_lazy("User name"),
    "has_password": gettext_lazy("Has a password"),
    "date_joined": gettext_lazy("Account created"),
    "last_login": gettext_lazy("Last log-in"),
    "product_roles": gettext_lazy("Roles in the product"),
    "module": gettext_lazy("Module"),
    "initiative": gettext_lazy("Initiative"),
    "status": gettext_lazy("Status"),
    "created_at": gettext_lazy("Created"),
    "reason": gettext_lazy("Reason"),
}


def _unicode_fonts() -> tuple[str, str] | None:
    """The DejaVu Sans and DejaVu Sans Mono files, where the system has them."""
    for folder in FONT_DIRS:
        regular, mono = folder / "DejaVuSans.ttf", folder / "DejaVuSansMono.ttf"
        if regular.exists() and mono.exists():
            return str(regular), str(mono)
    return None


def label(key: str) -> str:
    text = LABELS.get(key)
    return str(text) if text is not None else key.replace("_", " ").capitalize()


def _text(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


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


def _statement_row(row: dict[str, Any]) -> str:
    """A learning record in one line (the full statement is in the JSON file)."""
    statement = row.get("statement") or {}
    if not isinstance(statement, dict):
        return _text(statement)
    verb = statement.get("verb") or {}
    display = verb.get("display") or {}
    verb_text = next(iter(display.values()), None) if isinstance(display, dict) else None
    target = statement.get("object") or {}
    void = f" ({_('voided')})" if row.get("voided") else ""
    return f"{row.get('stored', '')[:19]} · {verb_text or str(verb.get('id', '')).rsplit('/', 1)[-1]} · {target.get('id', '')}{void}"


class _ExtractPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, f"{self.page_no()}", align="C")


# Text in the PDF core fonts (Helvetica, and Courier for data rows at 7.5 pt: 118 characters fill
# the 190 mm line) needs no embedding and is written fast; a line with a letter outside Latin-1
# is set in the DejaVu font instead, embedded the first time one is needed. Lines are wrapped
# by character count and placed one by one: fpdf2's multi_cell measures every glyph and took
# ten times longer on a five-year history.
DATA_SIZE = 7.5
DATA_WIDTH = 118
LINE = 3.4
TOP, BOTTOM, LEFT = 15.0, 280.0, 10.0


def pdf_of(data: dict[str, Any]) -> bytes:
    """The extract ``data`` (``extract.build``) as PDF."""
    pdf = _ExtractPDF(format="A4")
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
            text.encode("latin-1")
        except UnicodeEncodeError:
            if unicode_files is None:
                return ("Courier" if mono else "Helvetica"), text.encode("latin-1", "replace").decode(
                    "latin-1"
                )
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
    lines(_("Made %(when)s") % {"when": data["made_at"][:16].replace("T", " ")}, size=9, width=110, height=5)
    y += 2
    for key, value in person.items():
        lines(f"{label(key)}: {_text(value)}", size=9, width=110, height=4.6)
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
        if section["key"] == "statements":
            lines(
                _(
                    "Each record in one line: when, what, which activity. The full records are in the JSON file."
                ),
                size=8,
                width=130,
                height=4,
            )
        for row in rows:
            if section["key"] == "statements":
                text = _statement_row(row)
            else:
                text = " · ".join(f"{label(key)}: {_text(value)}" for key, value in row.items())
            lines(text, size=DATA_SIZE, width=DATA_WIDTH, height=LINE, mono=True)
            y += 0.8
    return bytes(pdf.output())
