"""Support: the employee asks (from its journey), the trainers and super users it is routed to
answer (their inbox), the lead reads every question of its organisation with counts by topic."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import check_filter_form, parse_page
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read
from kompetenslyft.org.models import Person

from . import selectors, services
from .forms import AnswerForm, SupportFilterForm, SupportForm
from .initiative_views import lead_org
from .journey_views import journey_page


@login_required
@require_POST
def support_ask(request: HttpRequest) -> HttpResponse:
    """An employee's question, from its journey page."""
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    person = Person.objects.select_related("unit", "role", "organisation").get(pk=access.person_id)
    form = SupportForm(request.POST)
    if not form.is_valid():
        return journey_page(request, person, form, status=400)
    services.support_request_create(
        person=person,
        topic=form.cleaned_data["topic"],
        question=form.cleaned_data["question"],
        actor=request.user,
    )
    messages.success(request, _("Your question is sent; you see the answer here."))
    return redirect("learning:me")


@login_required
def support(request: HttpRequest) -> HttpResponse:
    """The questions routed to this trainer or super user, those waiting first."""
    access = access_for(request.user)
    inbox = selectors.support_inbox(access)
    if not access.person_id or not inbox.exists() and not access.org_ids_with("trainer"):
        if access.lead_org_ids:
            return redirect("learning:support_overview")
        raise Http404
    shown = list(inbox.order_by(F("answered_at").desc(nulls_first=True), "-created_at")[:100])
    log_read(request, AccessKind.SUPPORT_QUESTIONS, [question.person for question in shown])
    return render(
        request,
        "learning/support.html",
        {
            "inbox": shown,
            "form": AnswerForm(),
            "is_lead": bool(access.lead_org_ids),
        },
    )


@login_required
@require_POST
def support_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a question routed to oneself; the person who asked is told by e-mail."""
    access = access_for(request.user)
    question = selectors.support_inbox(access).filter(pk=pk).first()
    if question is None or access.person_id is None:
        raise Http404
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write an answer."))
        return redirect("learning:support")
    answered_by = Person.objects.get(pk=access.person_id)
    try:
        services.support_request_answer(
            request=question, answer=form.cleaned_data["answer"], answered_by=answered_by, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The answer is sent."))
    return redirect("learning:support")


@login_required
def support_overview(request: HttpRequest) -> HttpResponse:
    """The lead's view: every question of its organisation, counts by topic, filtered, paged."""
    access = access_for(request.user)
    organisation = lead_org(access)
    form = SupportFilterForm(request.GET or None)
    check_filter_form(form)
    data = form.cleaned_data if form.is_bound else {}
    answered = {"yes": True, "no": False}.get(data.get("answered") or "")
    questions = selectors.support_questions(organisation.pk, topic=data.get("topic") or "", answered=answered)
    page = Paginator(questions, settings.KOMPETENSLYFT_PAGE_SIZE).get_page(
        parse_page(request.GET.get("page"))
    )
    log_read(request, AccessKind.SUPPORT_QUESTIONS, [question.person for question in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learning/support_overview.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "topics": selectors.support_topic_counts(organisation.pk),
        },
    )
