"""What an uploaded file is, by its content (not its name): an import reads CSV text or an
Excel workbook (.xlsx) and nothing else, and a file that is neither is told so, naming what
was found (a PDF, an old .xls, a Word document …) instead of failing later on a missing header."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

SNIFF_BYTES = 8192


def _zip_kind(content: bytes) -> str | None:
    """None for an .xlsx workbook; otherwise what the ZIP archive holds."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return None
            if "xl/workbook.bin" in names:
                return _("an Excel binary workbook (.xlsb)")
            if "word/document.xml" in names:
                return _("a Word document (.docx)")
            if any(name.startswith("ppt/") for name in names):
                return _("a PowerPoint presentation (.pptx)")
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in mimetype:
                    return _("an OpenDocument spreadsheet (.ods)")
                return _("an OpenDocument file")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        # A damaged workbook is named by the workbook reader itself, with its own message.
        return None
    return _("a ZIP archive")


def _other_kind(head: bytes) -> str | None:
    """What a file that is not a ZIP archive is, when it is clearly not CSV text."""
    lowered = head[:512].lstrip().lower()
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("an Excel 97–2003 workbook (.xls) or another old Office file")
    if head.startswith(b"%PDF"):
        return _("a PDF document")
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")):
        return _("an image")
    if head.startswith(b"{\\rtf"):
        return _("an RTF document")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _("text in UTF-16 (Excel's “Unicode text”)")
    if lowered.startswith((b"<!doctype html", b"<html")):
        return _("a web page (HTML)")
    if lowered.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return _("an Excel 2003 XML spreadsheet")
        return _("an XML document")
    # A text file may hold a stray control character in a cell (named there, row and column);
    # a binary file has them in its first line or all over.
    first_line = head.split(b"\n", 1)[0]
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
    if b"\x00" in first_line or controls * 10 > len(head):
        return _("a binary file, not text")
    return None


def not_a_table(content: bytes, filename: str = "") -> str | None:
    """None when ``content`` is CSV text or an .xlsx workbook; otherwise the message that tells
    the person what the file is and what to do."""
    head = content[:SNIFF_BYTES]
    if head.startswith(b"PK\x03\x04"):
        found = _zip_kind(content)
    else:
        found = _other_kind(head)
        if found is None and filename.lower().endswith(".xlsx"):
            found = _("text, not an Excel workbook, although it is named .xlsx")
    if found is None:
        return None
    return _(
        "The file is neither CSV nor Excel (.xlsx): it is %(found)s. Save it as “CSV UTF-8” or as "
        "an Excel workbook (.xlsx) and upload it again."
    ) % {"found": found}
