"""The FAQ page (everyone of the organisation) and publishing answered questions to it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for

from .faq_selectors import faq_entries, faq_publishable
from .faq_services import support_request_publish, support_request_unpublish


class FaqForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("Question"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Leave out names and anything else that tells who asked."),
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )


@login_required
def faq(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.organisation_ids and not access.is_superuser:
        raise Http404
    entries = list(faq_entries(access)[:200])
    publishable = set(
        faq_publishable(access).filter(pk__in=[e.pk for e in entries]).values_list("pk", flat=True)
    )
    return render(request, "learning/faq.html", {"entries": entries, "publishable": publishable})


@login_required
def faq_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the texts to edit before publishing; POST: publish them."""
    access = access_for(request.user)
    question = faq_publishable(access).select_related("organisation").filter(pk=pk).first()
    if question is None:
        raise Http404
    initial = {
        "question": question.faq_question or question.question,
        "answer": question.faq_answer or question.answer,
    }
    form = FaqForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            support_request_publish(
                support_request=question,
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The question is published in the FAQ."))
            return redirect("learning:faq")
    return render(request, "learning/faq_publish.html", {"form": form, "question": question})


@login_required
@require_POST
def faq_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    question = faq_publishable(access).select_related("organisation").filter(pk=pk).first()
    if question is None or question.faq_published_at is None:
        raise Http404
    support_request_unpublish(support_request=question, actor=request.user)
    messages.success(request, _("The question is no longer in the FAQ."))
    return redirect("learning:faq")
