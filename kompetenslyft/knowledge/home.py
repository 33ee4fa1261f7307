"""The knowledge tests' start-page cards (registered in ``KnowledgeConfig.ready``): the tests
an employee has to take, and the question banks of the modules a trainer teaches."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item

from . import selectors

CARD_ITEMS = 5


def employee_card(access: Access, person: Any) -> Card | None:
    if person is None:
        return None
    to_take = [
        s for s in selectors.tests_for_person(person) if not s.passed and (s.can_start or s.open_attempt)
    ]
    if not to_take:
        return None
    return Card(
        "knowledge-tests",
        _("Knowledge tests"),
        items=[
            Item(
                s.test.module.name,
                reverse("knowledge:test", args=[s.test.pk]),
                detail=s.test.get_kind_display(),
            )
            for s in to_take[:CARD_ITEMS]
        ],
    )


def trainer_card(access: Access, person: Any) -> Card | None:
    if person is None:
        return None
    modules = list(
        selectors.modules_trained(access).annotate(
            questions=Count(
                "question_banks__questions",
                filter=Q(
                    question_banks__organisation_id=person.organisation_id,
                    question_banks__questions__retired=False,
                ),
            )
        )[: CARD_ITEMS + 1]
    )
    if not modules:
        return None
    return Card(
        "knowledge-banks",
        _("Question banks of my modules"),
        items=[
            Item(
                m.name,
                reverse("knowledge:module", args=[m.pk]),
                detail=ngettext("%(n)s question", "%(n)s questions", m.questions) % {"n": m.questions},
            )
            for m in modules[:CARD_ITEMS]
        ],
    )
