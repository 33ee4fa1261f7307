"""The evaluation's blocks on learning pages (``learning.hooks.add_panel``): the QR code on the
trainer's session page, the evaluations to give on the journey page, and an initiative's added
questions on its page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .forms import QuestionForm
from .models import Question, Request
from .views import session_value

ANSWERED_SHOWN_DAYS = 120


def session_link(session_id: int) -> str:
    """The absolute QR link of a session (from the configured base URL, never the Host header)."""
    return settings.KOMPETENSLYFT_BASE_URL.rstrip("/") + reverse(
        "evaluation:session", args=[session_value(session_id)]
    )


def qr_svg(url: str, label: str, *, large: bool = False) -> str:
    """The QR code as inline SVG, named for assistive technology (the link is written under it).
    ``large``: no fixed size (a viewBox only), so that the page's CSS makes it fill the screen."""
    code = segno.make(url, error="m")
    if large:
        svg = code.svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff")
    else:
        svg = code.svg_inline(scale=6, border=4, dark="#000", light="#fff")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def session_panel(request: Any, subject: dict[str, Any]) -> str:
    session, runs = subject["session"], subject["runs"]
    if not runs or session.attendance_taken_at is None:
        return ""
    url = session_link(session.pk)
    svg = qr_svg(url, _("QR code with the link to the evaluation of this session"))
    return render_to_string(
        "evaluation/_session_panel.html",
        {
            "url": url,
            "qr": mark_safe(svg),  # noqa: S308 - segno's SVG, our escaped label
            "session": session,
            "results": _module_results_link(request, session),
        },
        request=request,
    )


def _module_results_link(request: Any, session: Any) -> str:
    """The results page for the session's module, looked at through the first of the viewer's
    lenses (results_views' ``view``) that holds it in the session's organisation; "" if none."""
    from urllib.parse import urlencode

    from kompetenslyft.core.access import access_for

    from .selectors import lenses_for

    for lens in lenses_for(access_for(request.user)):
        if lens.organisation.pk != session.organisation_id:
            continue
        if lens.module_choices().filter(pk=session.module_id).exists():
            query = urlencode({"view": lens.value, "module": session.module_id})
            return reverse("evaluation:results") + "?" + query
    return ""


def journey_panel(request: Any, person: Any) -> str:
    today = timezone.localdate()
    rows = list(
        Request.objects.filter(person=person, opens_on__lte=today)
        .exclude(answered_on__isnull=True, closes_on__lt=today)
        .exclude(answered_on__lt=today - dt.timedelta(days=ANSWERED_SHOWN_DAYS))
        .select_related("module")
        .order_by("-occurred_on", "module__name")[:30]
    )
    if not rows:
        return ""
    return render_to_string(
        "evaluation/_journey_panel.html",
        {
            "to_give": [r for r in rows if r.answered_on is None],
            "answered": [r for r in rows if r.answered_on is not None],
        },
        request=request,
    )


def initiative_panel(request: Any, subject: dict[str, Any]) -> str:
    initiative, can_edit = subject["initiative"], subject["can_edit"]
    questions = list(
        Question.objects.filter(initiative=initiative, survey__isnull=True).order_by("position", "id")
    )
    if not can_edit and not questions:
        return ""
    return render_to_string(
        "evaluation/_initiative_panel.html",
        {
            "initiative": initiative,
            "questions": questions,
            "can_edit": can_edit,
            "form": QuestionForm(prefix="question"),
        },
        request=request,
    )
