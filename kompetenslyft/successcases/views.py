"""The success-case page of an initiative: the candidates (where the effect is largest and
smallest, released figures only) and the stories; one view per change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetenslyft.core.access import access_for

from . import selectors, services
from .figures import candidates
from .forms import StoryForm


def _page(request: HttpRequest, pk: int, form: StoryForm | None = None) -> HttpResponse:
    initiative = selectors.initiative_for(access_for(request.user), pk)
    return render(
        request,
        "successcases/initiative.html",
        {
            "initiative": initiative,
            "candidates": candidates(initiative),
            "stories": selectors.stories_of(initiative),
            "form": form or StoryForm(initial={"kind": "success"}),
            "k": initiative.organisation.anonymity_threshold,
        },
        status=400 if form is not None else 200,
    )


def _back(pk: int) -> HttpResponse:
    return redirect(reverse("successcases:initiative", args=[pk]) + "#stories")


@require_GET
@login_required
def initiative(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The lead's list of initiatives (from its start page)."""
    access = access_for(request.user)
    if not access.lead_org_ids:
        from django.http import Http404

        raise Http404
    return render(request, "successcases/overview.html", {"initiatives": selectors.initiatives_for(access)})


@require_POST
@login_required
def story_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = selectors.initiative_for(access_for(request.user), pk)
    form = StoryForm(request.POST)
    if form.is_valid():
        try:
            services.story_create(initiative=initiative, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The story was saved."))
            return _back(pk)
    return _page(request, pk, form)


@require_http_methods(["GET", "POST"])
@login_required
def story_edit(request: HttpRequest, pk: int, story: int) -> HttpResponse:
    initiative = selectors.initiative_for(access_for(request.user), pk)
    found = selectors.story_for(initiative, story)
    status = 200
    form: Any
    if request.method == "POST":
        form = StoryForm(request.POST)
        if form.is_valid():
            try:
                services.story_update(story=found, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The story was changed."))
                return _back(pk)
        status = 400
    else:
        form = StoryForm(initial=StoryForm.initial_for(found))
    return render(
        request,
        "successcases/story_edit.html",
        {"initiative": initiative, "story": found, "form": form},
        status=status,
    )


@require_POST
@login_required
def story_remove(request: HttpRequest, pk: int, story: int) -> HttpResponse:
    initiative = selectors.initiative_for(access_for(request.user), pk)
    services.story_remove(story=selectors.story_for(initiative, story), actor=request.user)
    messages.success(request, _("The story was removed."))
    return _back(pk)
