"""The evaluation domain's card on the start page (registered in ``EvaluationConfig.ready``):
the employee's module evaluations to give (open requests not yet answered)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item

from .models import Request


def evaluations_to_give(person_id: int) -> list[Request]:
    today = timezone.localdate()
    return list(
        Request.objects.filter(
            person_id=person_id, answered_on__isnull=True, opens_on__lte=today, closes_on__gte=today
        )
        .select_related("module")
        .order_by("closes_on")[:5]
    )


def employee_card(access: Access, person: Any) -> Card | None:
    if person is None:
        return None
    requests = evaluations_to_give(person.pk)
    if not requests:
        return None
    return Card(
        "evaluations",
        _("Evaluations to give"),
        [
            Item(
                r.module.name,
                reverse("evaluation:mine", args=[r.pk]),
                detail=_("open until %(date)s") % {"date": r.closes_on.isoformat()},
            )
            for r in requests
        ],
    )
