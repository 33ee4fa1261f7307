"""The costs' block on an initiative's page (``learning.hooks.add_panel("initiative", …)``):
the total and the cost per participant, and the link to the costs page, for those who enter
costs (its lead and project leaders)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kompetenslyft.core.access import access_for

from .figures import cost_figures
from .selectors import cost_view


def initiative_panel(request: Any, subject: dict[str, Any]) -> str:
    initiative = subject["initiative"]
    view = cost_view(access_for(request.user), initiative)
    if view is None or not view.edits:
        return ""
    return render_to_string(
        "costs/_initiative_panel.html",
        {
            "initiative": initiative,
            "figures": cost_figures(initiative, exact=view.exact),
            "currency": initiative.organisation.currency,
        },
        request=request,
    )
