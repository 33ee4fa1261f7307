"""Reading pages as a viewer would: a logged-in client and a reader of the dashboard's tables
(written by ``Section.table_html``: caption, header row, one ``<th scope="row">`` per row).
Used by the tests that try to read a person's data off aggregate pages."""

from __future__ import annotations

import html
import re
from typing import Any

from django.test import Client

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


_TABLE = re.compile(r"<table><caption>(.*?)</caption>(.*?)</table>", re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)


def tables(page: str) -> dict[str, list[list[str]]]:
    """caption → rows (each a list of cell texts, the header row first)."""
    found: dict[str, list[list[str]]] = {}
    for caption, body in _TABLE.findall(page):
        rows = [
            [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in _CELL.findall(r)]
            for r in _ROW.findall(body)
        ]
        found.setdefault(html.unescape(caption), rows)
    return found


def number(text: str) -> float:
    """A figure as the page writes it (thin spaces, the minus sign U+2212, a decimal point)."""
    cleaned = text.replace("\u2212", "-").replace("\xa0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.replace("%", "").replace(",", "")
    return float(cleaned)
