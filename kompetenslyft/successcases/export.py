"""The stories in the funder (final) report: a "Success cases" table on the page, a sheet in
Excel and a section in the PDF (``learning.funder_export.register_funder_sheets``), for the
chosen initiative, to everyone who sees that report (the stories are anonymised)."""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kompetenslyft.learning.funder_export import ExtraSheet

from .models import Story
from .selectors import stories_of


def funder_sheets(request: Any, context: dict[str, Any]) -> list[ExtraSheet]:
    initiative = context.get("initiative")
    if initiative is None:
        # "All initiatives": the stories of every initiative the report offers, each named.
        initiatives = list(context.get("initiatives") or [])
        stories = list(
            Story.objects.filter(initiative__in=initiatives)
            .select_related("initiative")
            .order_by("initiative__name", "pk")
        )
    else:
        stories = list(stories_of(initiative))
    if not stories:
        return []
    every = initiative is None
    rows = [
        [
            *([s.initiative.name] if every else []),
            s.title,
            str(capfirst(s.get_kind_display())),
            s.what_was_done,
            s.result,
            s.helped,
            s.hindered,
            s.group,
        ]
        for s in stories
    ]
    return [
        ExtraSheet(
            title=_("Success cases"),
            header=[
                *([_("Initiative")] if every else []),
                _("Title"),
                _("Kind"),
                _("What was done"),
                _("The result"),
                _("What helped"),
                _("What hindered"),
                _("The group the interviews came from"),
            ],
            rows=rows,
            note=_("Stories from interviews (Brinkerhoff's success case method), anonymised."),
        )
    ]
