"""The journey's block: today's questions, when there are some (``learning.hooks`` "journey")."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from . import selectors


def journey_panel(request: Any, person: Any) -> str:
    today = selectors.open_set(person.pk)
    if today is None:
        return ""
    return render_to_string("microlearning/_journey_panel.html", {"today": today}, request=request)
