"""Where higher apps (evaluation) plug into the learning domain without learning importing them.

* **Attendance listeners** are called inside ``services.attendance_take``'s transaction with the
  session, the day and the register as taken (the people present, the people marked absent);
  they should write their own rows and enqueue side effects with ``transaction.on_commit``.
* **Panels** are blocks of HTML that another app adds to a learning page (the trainer's session
  page, the employee's journey, an initiative's page, a module's page). Each is a function of the request and
  the page's object that returns safe HTML, or "" for nothing.

Apps register in their ``AppConfig.ready``; registering twice is harmless."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Register:
    """The register of one session as just taken."""

    session: Any
    day: dt.date
    present: frozenset[int]  # person ids marked present
    absent: frozenset[int]  # person ids on the register marked absent


AttendanceListener = Callable[[Register], None]
Panel = Callable[[Any, Any], str]

_attendance_listeners: list[AttendanceListener] = []
_panels: dict[str, list[Panel]] = {}

PANEL_PLACES = ("session", "journey", "initiative", "module")


def on_attendance(listener: AttendanceListener) -> None:
    if listener not in _attendance_listeners:
        _attendance_listeners.append(listener)


def attendance_taken(register: Register) -> None:
    for listener in _attendance_listeners:
        listener(register)


def add_panel(place: str, panel: Panel) -> None:
    if place not in PANEL_PLACES:
        raise ValueError(f"no panel place {place!r}")
    if panel not in _panels.setdefault(place, []):
        _panels[place].append(panel)


def panels(place: str, request: Any, subject: Any) -> SafeString:
    """The panels of ``place`` for this request and page object, joined."""
    rendered = [html for panel in _panels.get(place, []) if (html := panel(request, subject))]
    return format_html_join("", "{}", ((html,) for html in rendered))


# --- Providers: a named function another app lends to learning's pages -------------------------
_providers: dict[str, Callable[..., Any]] = {}


def provide(name: str, function: Callable[..., Any]) -> None:
    """E.g. ``provide("checklist_evaluation", f)``: f(initiative, plan) → (entry pk, status)."""
    _providers[name] = function


def provided(name: str) -> Callable[..., Any] | None:
    return _providers.get(name)
