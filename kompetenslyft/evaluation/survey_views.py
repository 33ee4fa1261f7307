"""Pages of an initiative's final survey: creating, editing and sending it (the lead and the
initiative's owners), answering it (the link in the e-mail or on the journey page, a small page
for a phone, no JavaScript), its results under the disclosure control and their Excel export
(the lead, owners and steering group, top management and external evaluators)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import optional_id, parse_choice
from kompetenslyft.core.spreadsheet import append_row, download_name
from kompetenslyft.learning.models import Initiative
from kompetenslyft.learning.selectors import initiatives_visible
from kompetenslyft.org.models import Role, Unit

from . import surveys
from .forms import SurveyForm, SurveyQuestionForm
from .models import Question, Survey, SurveyRequest
from .survey_results import SurveyScope, survey_results

GENDER_LABELS = {"woman": "women", "man": "men", "other": "other or unspecified"}
FILTER_UNIT_DEPTH = 2  # administrations, their departments and the units right below


def _managed_initiative(request: HttpRequest, pk: int) -> Initiative:
    access = access_for(request.user)
    initiative = initiatives_visible(access).filter(pk=pk).select_related("organisation").first()
    if initiative is None or not access.manages_initiative(initiative):
        raise Http404
    return initiative


def _initial(initiative: Initiative, survey: Survey | None) -> dict[str, Any]:
    if survey is not None:
        return {
            "title": survey.title,
            "introduction": survey.introduction,
            "opens_on": survey.opens_on,
            "closes_on": survey.closes_on,
        }
    return {
        "title": _("Final survey: %(name)s") % {"name": initiative.name},
        "introduction": _(
            "You took part in the initiative. Tell us what it gave you. Your answers are anonymous: "
            "they are stored apart from your name, and results are shown only for groups large "
            "enough that no one can be singled out."
        ),
        "opens_on": timezone.localdate(),
        "closes_on": timezone.localdate() + dt.timedelta(days=14),
    }


def _manage_page(
    request: HttpRequest,
    initiative: Initiative,
    survey: Survey | None,
    *,
    form: SurveyForm | None = None,
    question_form: SurveyQuestionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "initiative": initiative,
        "survey": survey,
        "form": form or SurveyForm(initial=_initial(initiative, survey)),
        "question_form": question_form or SurveyQuestionForm(),
        "defaults": surveys.default_questions(),
        "participants": surveys.participants(initiative).count()
        if survey is None or survey.status == "draft"
        else None,
        "questions": list(survey.questions.all()) if survey else [],
        "kinds": Question.Kind.choices,
        "is_open": survey is not None and surveys.survey_is_open(survey),
        "remind_days": surveys.REMIND_DAYS_BEFORE,
    }
    return render(request, "evaluation/survey_manage.html", context, status=status)


def _survey_of(request: HttpRequest, pk: int) -> tuple[Initiative, Survey]:
    initiative = _managed_initiative(request, pk)
    survey = Survey.objects.filter(initiative=initiative).first()
    if survey is None:
        raise Http404
    return initiative, survey


def _question_of(survey: Survey, question: int) -> Question:
    found = survey.questions.filter(pk=question).first()
    if found is None:
        raise Http404
    return found


def _refused(
    request: HttpRequest, initiative: Initiative, survey: Survey, exc: ValidationError
) -> HttpResponse:
    messages.error(request, " ".join(exc.messages))
    return _manage_page(request, initiative, survey, status=400)


@login_required
def survey_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The initiative's final survey: create it (Solna's questions offered) or save its title,
    introduction and dates; the page links every other step (one view per action below)."""
    initiative = _managed_initiative(request, pk)
    survey = Survey.objects.filter(initiative=initiative).first()
    if request.method != "POST":
        return _manage_page(request, initiative, survey)
    form = SurveyForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, initiative, survey, form=form, status=400)
    try:
        if survey is None:
            surveys.survey_create(
                initiative=initiative,
                actor=request.user,
                questions=None if request.POST.get("defaults") else [],
                **form.cleaned_data,
            )
            messages.success(request, _("The survey was created."))
        else:
            surveys.survey_update(survey=survey, **form.cleaned_data)
            messages.success(request, _("The survey was saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _manage_page(request, initiative, survey, form=form, status=400)
    return redirect(request.path)


@login_required
@require_POST
def survey_question_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, survey = _survey_of(request, pk)
    question_form = SurveyQuestionForm(request.POST)
    if not question_form.is_valid():
        return _manage_page(request, initiative, survey, question_form=question_form, status=400)
    try:
        surveys.question_add(survey=survey, **question_form.cleaned_data)
    except ValidationError as exc:
        return _refused(request, initiative, survey, exc)
    messages.success(request, _("The question was added."))
    return redirect(reverse("evaluation:survey_manage", args=[pk]) + "#questions")


@login_required
@require_POST
def survey_question_edit(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    initiative, survey = _survey_of(request, pk)
    found = _question_of(survey, question)
    try:
        surveys.question_edit(
            question=found, text=request.POST.get("text", ""), kind=request.POST.get("kind", "")
        )
    except ValidationError as exc:
        return _refused(request, initiative, survey, exc)
    messages.success(request, _("The question was saved."))
    return redirect(reverse("evaluation:survey_manage", args=[pk]) + "#questions")


@login_required
@require_POST
def survey_question_remove(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    initiative, survey = _survey_of(request, pk)
    found = _question_of(survey, question)
    try:
        surveys.question_remove(question=found)
    except ValidationError as exc:
        return _refused(request, initiative, survey, exc)
    messages.success(request, _("The question was removed."))
    return redirect(reverse("evaluation:survey_manage", args=[pk]) + "#questions")


@login_required
@require_POST
def survey_question_move(request: HttpRequest, pk: int, question: int) -> HttpResponse:
    """``direction`` up or down."""
    initiative, survey = _survey_of(request, pk)
    found = _question_of(survey, question)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        raise BadRequest("direction: up or down")
    try:
        surveys.question_move(question=found, up=direction == "up")
    except ValidationError as exc:
        return _refused(request, initiative, survey, exc)
    return redirect(reverse("evaluation:survey_manage", args=[pk]) + "#questions")


@login_required
@require_POST
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, survey = _survey_of(request, pk)
    try:
        surveys.survey_send(survey=survey, actor=request.user)
    except ValidationError as exc:
        return _refused(request, initiative, survey, exc)
    messages.success(request, _("The survey is being sent to everyone who took part."))
    return redirect("evaluation:survey_manage", pk)


@login_required
@require_POST
def survey_remind(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, survey = _survey_of(request, pk)
    try:
        surveys.survey_remind(survey=survey, actor=request.user)
    except ValidationError as exc:
        return _refused(request, initiative, survey, exc)
    messages.success(request, _("A reminder goes to everyone who has not answered yet."))
    return redirect("evaluation:survey_manage", pk)


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    """The final surveys whose results this account sees."""
    access = access_for(request.user)
    found = (
        Survey.objects.filter(access.surveys_filter())
        .exclude(status=Survey.Status.DRAFT)
        .select_related("initiative", "organisation")
        .order_by("-sent_on", "title")
    )
    if not (access.is_superuser or access.aggregate_org_ids or access.project_leader or found.exists()):
        raise Http404
    # a project leader (or steering group member) sees only its own initiatives' surveys
    own_only = not (access.is_superuser or access.aggregate_org_ids)
    return render(request, "evaluation/survey_list.html", {"surveys": found[:200], "own_only": own_only})


def _scope(request: HttpRequest, survey: Survey) -> tuple[SurveyScope, dict[str, Any]]:
    unit_id = optional_id(request.GET.get("unit"), name="unit")
    role_id = optional_id(request.GET.get("role"), name="role")
    gender = request.GET.get("gender") or None
    if gender is not None and gender not in GENDER_LABELS:
        raise BadRequest("gender: one of woman, man, other")
    units = Unit.objects.filter(
        organisation_id=survey.organisation_id, depth__lte=FILTER_UNIT_DEPTH
    ).order_by("path")
    roles = Role.objects.filter(organisation_id=survey.organisation_id).order_by("name")
    unit = units.filter(pk=unit_id).first() if unit_id is not None else None
    role = roles.filter(pk=role_id).first() if role_id is not None else None
    if (unit_id is not None and unit is None) or (role_id is not None and role is None):
        raise Http404
    return SurveyScope(unit.pk if unit else None, role.pk if role else None, gender), {
        "unit_choices": [(u.pk, "\u00a0\u00a0" * u.depth + u.name) for u in units],
        "roles": roles,
        "unit": unit,
        "role": role,
        "gender": gender,
        "genders": [("woman", _("women")), ("man", _("men")), ("other", _("other or unspecified"))],
    }


@login_required
def survey_results_view(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    survey = (
        Survey.objects.filter(access.surveys_filter(), pk=pk)
        .select_related("initiative", "organisation")
        .first()
    )
    if survey is None or survey.status == Survey.Status.DRAFT:
        raise Http404
    scope, filters = _scope(request, survey)
    results = survey_results(survey, scope)
    free_text = access.sees_survey_free_text(survey)
    if not free_text:
        for question in results["questions"]:
            if question["kind"] == Question.Kind.TEXT:
                question["texts"] = None
    words = surveys.scale_words()
    for question in results["questions"]:
        if question["kind"] == Question.Kind.SCALE:
            shares = question["distribution"] or [None] * len(surveys.SCALE)
            question["steps"] = [
                (f"{v} {words[v]}", share) for v, share in zip(surveys.SCALE, shares, strict=True)
            ]
    if parse_choice(request.GET.get("format"), ("xlsx",), name="format") == "xlsx":
        response = HttpResponse(
            _workbook(survey, results, filters, free_text=free_text),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = download_name(_("survey-results"), survey.organisation.code, survey.pk, extension="xlsx")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(
        request,
        "evaluation/survey_results.html",
        {
            "survey": survey,
            "results": results,
            "query": request.GET.urlencode(),
            "can_manage": access.manages_initiative(survey.initiative),
            "scale": surveys.scale_words(),
            "free_text": free_text,
            "shown_when": "" if results["released"] else _shown_when(survey),
            **filters,
        },
    )


def _sheet_title(text: str) -> str:
    """A sheet name Excel accepts: the characters it refuses become spaces, runs of spaces one
    ("Slutenkät: Digitalt lyft" is "Slutenkät Digitalt lyft"), at most 31 characters."""
    cleaned = re.sub(r"\s+", " ", re.sub(r"[\[\]:*?/\\]", " ", text)).strip()
    return cleaned[:31].strip() or "survey"


def _workbook(survey: Survey, results: dict[str, Any], filters: dict[str, Any], *, free_text: bool) -> bytes:
    """The results as Excel: a titled sheet of figures (percentages as percentages, headers in
    the viewer's language) and, for those who read free text, one of the free-text answers;
    every text through core.spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    hidden = _("hidden (fewer than %(k)s, or a smaller group could be worked out)") % {
        "k": results["threshold"]
    }
    # a question's figure: hidden, or not shown yet (the survey still open)
    too_few = hidden if results["released"] else _shown_when(survey)
    words = surveys.scale_words()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(survey.title)
    append_row(sheet, [survey.title])
    sheet["A1"].font = Font(bold=True, size=14)
    gender = dict(filters["genders"]).get(filters["gender"]) if filters["gender"] else _("all")
    for label, value in (
        (_("Initiative"), survey.initiative.name),
        (_("Period"), f"{survey.opens_on or ''} – {survey.closes_on or ''}"),
        (_("Unit"), filters["unit"].name if filters["unit"] else _("all")),
        (_("Role"), filters["role"].name if filters["role"] else _("all")),
        (_("Gender"), gender),
        (_("Anonymity threshold"), results["threshold"]),
        (_("Asked"), results["requests"] if results["requests"] is not None else hidden),
        (_("Answered"), results["respondents"] if results["respondents"] is not None else hidden),
        (_("Response rate"), results["response_rate"] if results["response_rate"] is not None else hidden),
    ):
        append_row(sheet, [label, value])
    sheet.cell(row=sheet.max_row, column=2).number_format = "0.0%"
    if not results["released"]:
        append_row(sheet, [too_few])
    append_row(sheet, [])
    header = [_("Question"), _("Answers"), _("Positive share (3–4)")] + [
        f"{v} {words[v]}" for v in surveys.SCALE
    ]
    append_row(sheet, header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for question in results["questions"]:
        if question["kind"] != Question.Kind.SCALE:
            continue
        if question["answers"] is None:
            append_row(sheet, [question["text"], too_few])
            continue
        distribution = question["distribution"] or [None] * 4
        append_row(sheet, [question["text"], question["answers"], question["positive_share"], *distribution])
        for cell in sheet[sheet.max_row][2:]:
            cell.number_format = "0.0%"
    sheet.column_dimensions["A"].width = 60
    if not free_text:
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    texts = workbook.create_sheet(_sheet_title(_("Free-text answers")))
    append_row(texts, [_("Free-text answers"), survey.title])
    texts["A1"].font = Font(bold=True, size=14)
    for question in results["questions"]:
        if question["kind"] != Question.Kind.TEXT:
            continue
        append_row(texts, [])
        append_row(texts, [question["text"]])
        texts.cell(row=texts.max_row, column=1).font = Font(bold=True)
        if question["texts"] is None:
            append_row(texts, [too_few])
        for text in question["texts"] or []:
            append_row(texts, [text])
    texts.column_dimensions["A"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _shown_when(survey: Survey) -> str:
    return _(
        "The answers are shown once the survey has closed (after %(date)s) or everyone asked has "
        "answered, so that no one's answer can be read off a change in the figures."
    ) % {"date": survey.closes_on.isoformat() if survey.closes_on else "–"}


@never_cache
def survey_answer_view(request: HttpRequest, token: str) -> HttpResponse:
    """Answer a final survey from the link (its token): no log-in needed, once, while open.
    Nothing is written that joins the person to its answers (``surveys.survey_answer``)."""
    found = (
        SurveyRequest.objects.filter(token=token)
        .select_related("survey", "survey__initiative", "person")
        .first()
        if len(token) <= 64
        else None
    )
    if found is None or found.survey.status == Survey.Status.DRAFT:
        raise Http404
    survey = found.survey
    language = found.person.language if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES else None
    with translation.override(language or translation.get_language()):
        return _answer(request, found, survey)


def _answer(request: HttpRequest, found: SurveyRequest, survey: Survey) -> HttpResponse:
    today = timezone.localdate()
    state = "open"
    if found.answered_on is not None:
        state = "answered"
    elif survey.opens_on and today < survey.opens_on:
        state = "not_open"
    elif not surveys.survey_is_open(survey, today):
        state = "closed"
    errors: dict[int, str] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST" and state == "open":
        values = {k: request.POST.get(k, "") for k in request.POST if k.startswith("q")}
        submission, errors = surveys.validate_submission(survey, request.POST)
        if not errors:
            try:
                surveys.survey_answer(request=found, submission=submission)
            except surveys.AlreadyAnswered:
                state = "answered"
            except surveys.SurveyClosed:
                state = "closed"
            else:
                return redirect(request.path)
        status = 400 if errors else 409
    elif request.method == "POST":
        status = 409
    words = surveys.scale_words()
    questions = [
        {
            "q": q,
            "name": f"q{q.pk}",
            "value": values.get(f"q{q.pk}", ""),
            "error": errors.get(q.pk, ""),
        }
        for q in survey.questions.all()
    ]
    return render(
        request,
        "evaluation/survey_answer.html",
        {
            "survey": survey,
            "state": state,
            "questions": questions,
            "scale": [(str(v), words[v]) for v in surveys.SCALE],
            "errors": errors,
        },
        status=status,
    )
