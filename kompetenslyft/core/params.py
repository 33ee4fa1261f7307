"""One way to read ids and numbers from a request (query string, form fields).

Python's ``str.isdigit`` accepts "²" and "٣", which ``int`` then refuses, and ``int`` accepts
" 12", "+1", "1_000" and numbers no database column holds. Every view reads ids and numbers
through these helpers instead: ASCII digits only, at most 18 of them (below 2**63), else the
request is refused with 400 (``ParameterError``, a ``BadRequest``), which the product shows as its
own error page naming the parameter. A well-formed id that names nothing in the viewer's scope is
"no such page" (404), as for one that does not exist. Filter forms read from a query string go
through :func:`check_filter_form`, so that a bad value is never silently dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import Http404
from django.utils.translation import gettext as _

_DIGITS = re.compile(r"[0-9]{1,18}")


class ParameterError(BadRequest):
    """A request parameter that is not what the page expects (400); its message names the
    parameter (never echoes the value) and is shown on the error page."""


def int_or_none(value: object) -> int | None:
    """The whole number ``value`` spells in ASCII digits (at most 18), else None."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


def parse_id(value: object, *, name: str = "id") -> int:
    """A database id; anything but 1–18 ASCII digits is a bad request."""
    number = int_or_none(value)
    if number is None:
        raise ParameterError(_("%(name)s: not an id") % {"name": name})
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
        raise ParameterError(
            _("%(name)s: not a whole number from %(minimum)s to %(maximum)s")
            % {"name": name, "minimum": minimum, "maximum": maximum}
        )
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
    raise ParameterError(_("%(name)s: not a date (YYYY-MM-DD)") % {"name": name})


def parse_choice(value: object, choices: Iterable[str], *, name: str) -> str | None:
    """One of ``choices``; missing or empty gives None; anything else is a bad request."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value in set(choices):
        return value
    raise ParameterError(_("%(name)s: not one of the choices") % {"name": name})


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_text(value: object, *, name: str, max_length: int = 200) -> str:
    """A short text from a query string (a search, a code); missing gives "". Control
    characters (a NUL no PostgreSQL text holds) and over-long values are a bad request."""
    if value is None:
        return ""
    if not isinstance(value, str) or _CONTROL.search(value) or len(value) > max_length:
        raise ParameterError(_("%(name)s: not a valid text") % {"name": name})
    return value


def parse_page(value: object) -> int:
    """A page number of a paged list (1 when missing); a page past the end shows the last."""
    return parse_int(value, default=1, minimum=1, maximum=10**9, name="page")


def check_filter_form(form: Any, *, ids: Iterable[str] = ()) -> None:
    """A bound filter form read from the query string: valid, or refused — a well-formed id
    (a field named in ``ids``) that is not among the choices the viewer may pick is a 404 (out of
    scope, or no such thing); any other bad value is a 400 naming the field."""
    if not form.is_bound or form.is_valid():
        return
    scoped = set(ids)
    for name in form.errors:
        value = form.data.get(form.add_prefix(name)) if name in form.fields else None
        if name in scoped and int_or_none(value) is not None:
            raise Http404
    name = next(iter(form.errors))
    raise ParameterError(_("%(name)s: not a valid value") % {"name": form.add_prefix(name)})


class IdConverter:
    """``<id:pk>`` in URL patterns: 1–18 ASCII digits, so that an id beyond any database
    column is "no such page" (404) rather than an overflow in the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        return str(value)
