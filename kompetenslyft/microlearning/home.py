"""Start-page cards: today's questions (employee), the team challenge (manager, lead) and
micro-learning per module (lead)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item

from . import selectors


def employee_card(access: Access, person: Any) -> Card | None:
    if person is None:
        return None
    today = selectors.open_set(person.pk)
    if today is None:
        return None
    n = len(today.questions)
    return Card(
        "micro-today",
        _("Questions for you today"),
        [
            Item(
                _("Answer today's questions"),
                reverse("microlearning:set", args=[today.pk]),
                detail=ngettext("%(n)s question, about two minutes", "%(n)s questions, about two minutes", n)
                % {"n": n},
            )
        ],
        links=[Item(_("Micro-learning and team points"), reverse("microlearning:home"))],
    )


def manager_card(access: Access, person: Any) -> Card | None:
    if not access.is_manager:
        return None
    return Card(
        "micro-team",
        _("Team challenge"),
        [Item(_("Team points and streaks"), reverse("microlearning:teams"))],
    )


def lead_card(access: Access, person: Any) -> Card | None:
    if not access.lead_org_ids:
        return None
    return Card(
        "micro-lead",
        _("Micro-learning"),
        [
            Item(_("Micro-learning per module"), reverse("microlearning:modules")),
            Item(_("Team challenge"), reverse("microlearning:teams")),
        ],
    )
