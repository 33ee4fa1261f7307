"""The success cases' block on an initiative's page (``learning.hooks``), for its lead and
project leaders: how many stories, and the link to the candidates and stories."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kompetenslyft.core.access import access_for

from .selectors import may_work, stories_of


def initiative_panel(request: Any, subject: dict[str, Any]) -> str:
    initiative = subject["initiative"]
    if not may_work(access_for(request.user), initiative):
        return ""
    return render_to_string(
        "successcases/_initiative_panel.html",
        {"initiative": initiative, "count": stories_of(initiative).count()},
        request=request,
    )
