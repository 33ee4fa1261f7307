"""The person's own follow-up talks on its journey (``learning.hooks`` panel "journey"):
read-only, what its manager recorded."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .models import Hindrance
from .selectors import of_person

SHOWN = 20


def journey_panel(request: Any, person: Any) -> str:
    rows = list(of_person(person.pk)[:SHOWN])
    if not rows:
        return ""
    names = dict(Hindrance.choices)
    for row in rows:
        row.hindrance_labels = [str(names[h]) for h in row.hindrances if h in names]  # type: ignore[attr-defined]
    return render_to_string("followup/_journey_panel.html", {"rows": rows}, request=request)
