"""The journey's block (``learning.hooks`` "journey"): today's questions when there are some,
else — for a person who takes part in micro-learning — the way to its micro-learning page (its
points, its choices to pause or leave), which must not vanish once the day's set is answered."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from . import selectors


def journey_panel(request: Any, person: Any) -> str:
    today = selectors.open_set(person.pk)
    if today is None and selectors.learner_of(person) is None:
        return ""
    return render_to_string("microlearning/_journey_panel.html", {"today": today}, request=request)


def initiative_panel(request: Any, subject: dict[str, Any]) -> str:
    """The initiative page's switch (its lead and project leaders): micro-learning on or off
    for the initiative's completions (ADR 0013)."""
    from kompetenslyft.core.access import access_for

    from .services import initiative_enabled

    initiative = subject["initiative"]
    if not access_for(request.user).manages_initiative(initiative):
        return ""
    return render_to_string(
        "microlearning/_initiative_panel.html",
        {"initiative": initiative, "enabled": initiative_enabled(initiative)},
        request=request,
    )
