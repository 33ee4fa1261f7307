"""The answer page, reached three ways, and the lead's questions of an initiative.

* ``t/<token>/`` — the link in the e-mail: the long random token is the credential (as in survey
  tools), no log-in needed.
* ``<id>/`` — from the journey page: the person's own request, with its log-in.
* ``s/<signed>/`` — the QR code the trainer shows: a signed session id (no model row); with the
  person's log-in it leads to that person's own request for the session.

Nothing here writes who answered when beyond ``Request.answered_on`` (a date), and nothing is
logged or audited on answering (ADR 0005)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import int_or_none
from kompetenslyft.learning.models import Initiative
from kompetenslyft.learning.selectors import initiative_editable, initiatives_visible

from .answering import (
    AlreadyAnswered,
    Closed,
    answer_submit,
    question_add,
    question_move,
    question_remove,
    question_retire,
    questions_for,
)
from .forms import AnswerForm, QuestionForm
from .models import Question, Request

SESSION_SALT = "kompetenslyft.evaluation.session"


def session_value(session_id: int) -> str:
    """The signed value of a session's QR link."""
    return signing.Signer(salt=SESSION_SALT).sign(str(session_id))


def session_from_value(value: str) -> int | None:
    try:
        return int_or_none(signing.Signer(salt=SESSION_SALT).unsign(value))
    except signing.BadSignature:
        return None


def _state(request_row: Request) -> str:
    if request_row.answered_on is not None:
        return "answered"
    today = timezone.localdate()
    if today > request_row.closes_on:
        return "closed"
    if today < request_row.opens_on:
        return "not_open"
    return "open"


def _answer(request: HttpRequest, row: Request) -> HttpResponse:
    """The page for one request: the form, or why there is none."""
    row = Request.objects.select_related("module", "session").get(pk=row.pk)
    state = _state(row)
    questions = questions_for(row)
    form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions)
    status = 200
    if request.method == "POST":
        if state == "open" and form.is_valid():
            try:
                answer_submit(request_id=row.pk, answers=form.answers())
            except AlreadyAnswered:
                state = "already"
            except Closed:
                state = "closed"
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect(request.path + "?sent=1")
        elif state == "answered":
            state = "already"
        if state == "open":
            status = 400
        else:
            status = 409 if state == "already" else 200
    elif state == "answered" and request.GET.get("sent") == "1":
        state = "sent"
    return render(
        request,
        "evaluation/answer.html",
        {"row": row, "state": state, "form": form},
        status=status,
    )


@never_cache
def answer_by_token(request: HttpRequest, token: str) -> HttpResponse:
    row = Request.objects.filter(token=token).first() if 20 <= len(token) <= 64 else None
    if row is None:
        raise Http404
    return _answer(request, row)


@never_cache
@login_required
def answer_mine(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    row = Request.objects.filter(pk=pk, person_id=access.person_id).first() if access.person_id else None
    if row is None:
        raise Http404
    return _answer(request, row)


@never_cache
@login_required
def answer_for_session(request: HttpRequest, signed: str) -> HttpResponse:
    """The QR link: the signed-in person's own request for the session, or a page saying there
    is none."""
    session_id = session_from_value(signed)
    if session_id is None:
        raise Http404
    access = access_for(request.user)
    row = (
        Request.objects.filter(session_id=session_id, person_id=access.person_id)
        .order_by("-occurred_on")
        .first()
        if access.person_id
        else None
    )
    if row is not None:
        return redirect("evaluation:mine", pk=row.pk)
    return render(request, "evaluation/no_request.html")


def _initiative_to_edit(request: HttpRequest, pk: int) -> Initiative:
    """The initiative, for its leads and owners; 404 for anyone else."""
    access = access_for(request.user)
    initiative = initiatives_visible(access).filter(pk=pk).first()
    if initiative is None or not initiative_editable(access, initiative):
        raise Http404
    return initiative


def _added_question(initiative: Initiative, pk: int) -> Question:
    question = Question.objects.filter(initiative=initiative, survey__isnull=True, pk=pk).first()
    if question is None:
        raise Http404
    return question


def _back(initiative: Initiative) -> HttpResponse:
    return redirect(reverse("learning:initiative", args=[initiative.pk]) + "#evaluation-questions")


@require_POST
@login_required
def initiative_question_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a question to the module evaluations of an initiative (its lead and owners)."""
    initiative = _initiative_to_edit(request, pk)
    form = QuestionForm(request.POST, prefix="question")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(initiative)
    try:
        question_add(initiative=initiative, text=form.cleaned_data["text"], kind=form.cleaned_data["kind"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The question was added to the module evaluations."))
    return _back(initiative)


@require_POST
@login_required
def initiative_question_move(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    """``direction`` up or down."""
    initiative = _initiative_to_edit(request, pk)
    found = _added_question(initiative, question)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        raise BadRequest("direction: up or down")
    question_move(question=found, up=direction == "up")
    return _back(initiative)


@require_POST
@login_required
def initiative_question_remove(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    initiative = _initiative_to_edit(request, pk)
    found = _added_question(initiative, question)
    try:
        question_remove(question=found)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The question was removed."))
    return _back(initiative)


def _question_retired(request: HttpRequest, pk: int, question: int, *, retired: bool) -> HttpResponse:
    initiative = _initiative_to_edit(request, pk)
    question_retire(question=_added_question(initiative, question), retired=retired)
    if retired:
        messages.success(request, _("The question is retired: it is no longer asked."))
    else:
        messages.success(request, _("The question is asked again."))
    return _back(initiative)


@require_POST
@login_required
def initiative_question_retire(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    return _question_retired(request, pk, question, retired=True)


@require_POST
@login_required
def initiative_question_restore(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    return _question_retired(request, pk, question, retired=False)


@login_required
def session_qr(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's QR code alone, filling the screen, with its short link: for showing in the
    room. Only for those who run the session (its trainers, a lead of its organisation), after
    the register was taken, as the session page's panel."""
    from kompetenslyft.learning.models import Session

    from .panels import qr_svg, session_link

    access = access_for(request.user)
    session = Session.objects.filter(access.sessions_filter(), pk=pk).select_related("module").first()
    if session is None or not access.runs_session(session) or session.attendance_taken_at is None:
        raise Http404
    url = session_link(session.pk)
    svg = qr_svg(url, _("QR code with the link to the evaluation of this session"), large=True)
    return render(
        request,
        "evaluation/session_qr.html",
        {"session": session, "url": url, "qr": mark_safe(svg)},  # noqa: S308 - segno's SVG, escaped label
    )
