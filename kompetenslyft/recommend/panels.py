"""The suggestions' block on the person's journey (``learning.hooks`` panel "journey")."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .selectors import suggestions


def journey_panel(request: Any, person: Any) -> str:
    found = suggestions(person)
    if not found:
        return ""
    return render_to_string("recommend/_journey_panel.html", {"suggestions": found}, request=request)
