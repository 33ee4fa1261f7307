"""One way to read ids and numbers from a request (query string, form fields).

Python's ``str.isdigit`` accepts "²" and "٣", which ``int`` then refuses, and ``int`` accepts
" 12", "+1", "1_000" and numbers no database column holds. Every view reads ids and numbers
through these helpers instead: ASCII digits only, at most 18 of them (below 2**63), else the
request is refused with 400 (``BadRequest``), which the product shows as its own error page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import BadRequest

_DIGITS = re.compile(r"[0-9]{1,18}")


def int_or_none(value: object) -> int | None:
    """The whole number ``value`` spells in ASCII digits (at most 18), else None."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


def parse_id(value: object, *, name: str = "id") -> int:
    """A database id; anything but 1–18 ASCII digits is a bad request."""
    number = int_or_none(value)
    if number is None:
        raise BadRequest(f"{name}: not an id")
    return number


def optional_id(value: object, *, name: str = "id") -> int | None:
    """An id that may be left out (missing or empty gives None); anything else as ``parse_id``."""
    if value is None or value == "":
        return None
    return parse_id(value, name=name)


def id_list(values: Iterable[object], *, name: str = "id") -> list[int]:
    """Several ids (e.g. ``request.POST.getlist("present")``); one bad one refuses them all."""
    return [parse_id(value, name=name) for value in values]


def parse_int(
    value: object, *, default: int, minimum: int = 0, maximum: int = 10**9, name: str = "number"
) -> int:
    """A whole number within [minimum, maximum]; missing or empty gives ``default``."""
    if value is None or value == "":
        return default
    number = int_or_none(value)
    if number is None or not minimum <= number <= maximum:
        raise BadRequest(f"{name}: not a whole number from {minimum} to {maximum}")
    return number


def parse_date(value: object, *, name: str = "date") -> dt.date | None:
    """A date written YYYY-MM-DD; missing or empty gives None."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise BadRequest(f"{name}: not a date (YYYY-MM-DD)")


class IdConverter:
    """``<id:pk>`` in URL patterns: 1–18 ASCII digits, so that an id beyond any database
    column is "no such page" (404) rather than an overflow in the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)
