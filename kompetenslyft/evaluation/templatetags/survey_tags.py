"""The final survey on other apps' pages: the initiative page (create it, see its results) and
the employee's journey ("My learning": answer it while open, "answer received" once answered).
Inclusion tags, so that those pages need one line each and no view of theirs changes."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from kompetenslyft.core.access import access_for
from kompetenslyft.core.numbers import share_text

from ..models import Survey, SurveyRequest

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share 0–1 as a percentage with one decimal, rounded half up (1/7 is 14.3 %), in the
    current language's format (Django's number_format alone would cut the digits off)."""
    return share_text(value, places=1, space=" ")


@register.inclusion_tag("evaluation/_initiative_survey.html", takes_context=True)
def initiative_survey(context: Any, initiative: Any) -> dict[str, Any]:
    access = access_for(context["request"].user)
    survey = Survey.objects.filter(initiative=initiative).first()
    sees_results = (
        survey is not None
        and survey.status != Survey.Status.DRAFT
        and Survey.objects.filter(access.surveys_filter(), pk=survey.pk).exists()
    )
    return {
        "initiative": initiative,
        "survey": survey,
        "manages": access.manages_initiative(initiative),
        "sees_results": sees_results,
    }


@register.inclusion_tag("evaluation/_my_surveys.html", takes_context=True)
def my_surveys(context: Any) -> dict[str, Any]:
    """The person's final surveys while they are open: a link to answer, or "answer received"."""
    access = access_for(context["request"].user)
    today = timezone.localdate()
    found = []
    if access.person_id:
        found = list(
            SurveyRequest.objects.filter(
                person_id=access.person_id,
                survey__status=Survey.Status.SENT,
                survey__opens_on__lte=today,
                survey__closes_on__gte=today,
            )
            .select_related("survey", "survey__initiative")
            .order_by("survey__closes_on")
        )
    return {"requests": found}
