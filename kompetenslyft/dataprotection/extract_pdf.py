"""The register extract as a readable PDF, with fpdf2 (pure Python, no HTML layout pass).

Text is set in DejaVu Sans and data rows in DejaVu Sans Mono: the TrueType fonts of Debian's
``fonts-dejavu-core`` (which the dashboard's WeasyPrint PDF already needs through fontconfig),
embedded in the file, so Swedish, Norwegian, Sami and other Latin letters render. Without
those fonts the PDF falls back to the core fonts Helvetica and Courier, which hold Latin-1
(å, ä, ö, æ, ø): other letters become "?".
"""

from __future__ import annotations

import textwrap
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


def _fonts(pdf: FPDF) -> tuple[str, str]:
    """(text font, data font): DejaVu Sans and DejaVu Sans Mono embedded, else Helvetica and
    Courier (Latin-1 only). Two fonts, no bold: each embedded font is subset when the file is
    written, the largest fixed cost of a small extract."""
    for folder in FONT_DIRS:
        regular, bold, mono = (
            folder / name for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")
        )
        if regular.exists() and bold.exists() and mono.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            pdf.add_font("DejaVuMono", "", str(mono))
            return "DejaVu", "DejaVuMono"
    return "Helvetica", "Courier"


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


class _ExtractPDF(FPDF):
    footer_text = ""
    font_name = "Helvetica"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.font_name, "", 8)
        self.cell(0, 6, self.safe(f"{self.footer_text} – {self.page_no()}"), align="C")

    def safe(self, text: str) -> str:
        if self.font_name == "Helvetica":
            return text.encode("latin-1", "replace").decode("latin-1")
        return text


# Data rows are set in a monospaced font at 7.5 pt, wrapped by character count (118 characters
# fill the 190 mm line) and placed line by line: ~20 times faster than fpdf2's multi_cell, so a
# history of thousands of rows takes well under a second.
DATA_SIZE = 7.5
DATA_WIDTH = 118
LINE = 3.4
TOP, BOTTOM, LEFT = 15.0, 280.0, 10.0


def pdf_of(data: dict[str, Any]) -> bytes:
    """The extract ``data`` (``extract.build``) as PDF."""
    pdf = _ExtractPDF(format="A4")
    text_font, data_font = _fonts(pdf)
    pdf.font_name = text_font
    person = data["person"]
    pdf.footer_text = _("Register extract of %(name)s") % {
        "name": f"{person['given_name']} {person['family_name']}"
    }
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(pdf.footer_text)
    pdf.add_page()
    y = TOP

    def lines(text: str, *, font: str, size: float, width: int, height: float) -> None:
        nonlocal y
        pdf.set_font(font, "", size)
        for line in textwrap.wrap(pdf.safe(text), width, break_long_words=True, break_on_hyphens=False) or [
            ""
        ]:
            if y + height > BOTTOM:
                pdf.add_page()
                pdf.set_font(font, "", size)
                y = TOP
            y += height
            pdf.text(LEFT, y, line)

    lines(_("Register extract"), font=text_font, size=16, width=60, height=8)
    lines(pdf.footer_text, font=text_font, size=11, width=90, height=6)
    made = _("Made %(when)s") % {"when": data["made_at"][:16].replace("T", " ")}
    lines(made, font=text_font, size=9, width=110, height=5)
    y += 2
    for key, value in person.items():
        lines(f"{label(key)}: {_text(value)}", font=text_font, size=9, width=110, height=4.6)
    y += 2
    for sentence in data["not_included"]:
        lines(sentence, font=text_font, size=9, width=110, height=4.6)
    for section in data["sections"]:
        y += 3
        rows = section["rows"]
        lines(f"{section['title']} ({len(rows)})", font=text_font, size=12, width=80, height=6)
        if not rows:
            lines(_("Nothing registered."), font=text_font, size=9, width=110, height=4.6)
            continue
        for row in rows:
            text = " · ".join(f"{label(key)}: {_text(value)}" for key, value in row.items())
            lines(text, font=data_font, size=DATA_SIZE, width=DATA_WIDTH, height=LINE)
            y += 0.8
    return bytes(pdf.output())
