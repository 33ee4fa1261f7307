"""The success-case page of an initiative: the candidates (where the effect is largest and
smallest, released figures only) and the stories; one view per change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import ParameterError, optional_id, parse_id
from kompetenslyft.core.spreadsheet import csv_text, download_name
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read

from . import contacts, selectors, services
from . import contacts as _contacts
from .figures import candidates, publication_note
from .forms import StoryForm


def _page(request: HttpRequest, pk: int, form: StoryForm | None = None, *, status: int = 200) -> HttpResponse:
    access = access_for(request.user)
    initiative = selectors.initiative_for(access, pk)
    lists = list(contacts.lists_of(initiative))
    initial: dict[str, Any] = {"kind": "success"}
    # "Record a story from these interviews" (a contact list's page): that list is chosen.
    came_from = optional_id(request.GET.get("contacts"), name="contacts") if request.method == "GET" else None
    if came_from is not None:
        if came_from not in {c.pk for c in lists}:
            raise Http404
        initial["contact_list"] = came_from
    return render(
        request,
        "successcases/initiative.html",
        {
            "initiative": initiative,
            "candidates": candidates(initiative),
            "publication": publication_note(initiative),
            "stories": selectors.stories_of(initiative).select_related("contact_list"),
            "form": form or StoryForm(initial=initial, lists=lists),
            "k": initiative.organisation.anonymity_threshold,
            "may_draw": contacts.may_draw(access, initiative),
            "contact_lists": lists,
        },
        status=400 if form is not None else status,
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
    form = StoryForm(request.POST, lists=contacts.lists_of(initiative))
    if form.is_valid():
        try:
            services.story_create(initiative=initiative, actor=request.user, **form.story_fields())
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
    lists = contacts.lists_of(initiative)
    if request.method == "POST":
        form = StoryForm(request.POST, lists=lists)
        if form.is_valid():
            try:
                services.story_update(story=found, actor=request.user, **form.story_fields())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The story was changed."))
                return _back(pk)
        status = 400
    else:
        form = StoryForm(initial=StoryForm.initial_for(found), lists=lists)
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


# --- contact lists for interviews (the lead only) ---------------------------------------------


@require_POST
@login_required
def contacts_draw(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw the contact list of the chosen group (``group`` = "unit:12", "role:3", "module:7")."""
    access = access_for(request.user)
    initiative = selectors.initiative_for(access, pk)
    if not contacts.may_draw(access, initiative):
        raise Http404
    kind, _sep, key = str(request.POST.get("group", "")).partition(":")
    try:
        number = parse_id(key, name=_("group"))
        found = contacts.contacts_draw(initiative=initiative, kind=kind, key=number, actor=request.user)
    except (ParameterError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return _page(request, pk, status=400)
    messages.success(request, _("The contact list was drawn."))
    return redirect("successcases:contacts", pk=pk, contacts=found.pk)


@require_GET
@login_required
def contacts_page(request: HttpRequest, pk: int, contacts: int) -> HttpResponse:
    access = access_for(request.user)
    initiative = selectors.initiative_for(access, pk)
    found = _contacts.list_for(access, initiative, contacts)
    managers, participants = _contacts.people_of(found)
    log_read(request, AccessKind.CONTACT_LIST, [*managers, *participants])
    return render(
        request,
        "successcases/contacts.html",
        {
            "initiative": initiative,
            "list": found,
            "managers": managers,
            "participants": participants,
            "k": initiative.organisation.anonymity_threshold,
        },
    )


@require_GET
@login_required
def contacts_csv(request: HttpRequest, pk: int, contacts: int) -> HttpResponse:
    access = access_for(request.user)
    initiative = selectors.initiative_for(access, pk)
    found = _contacts.list_for(access, initiative, contacts)
    managers, participants = _contacts.people_of(found)
    log_read(request, AccessKind.CONTACT_LIST_EXPORT, [*managers, *participants])
    response = HttpResponse(csv_text(_contacts.csv_rows(found)), content_type="text/csv; charset=utf-8")
    name = download_name(_("interview-contacts"), initiative.code, extension="csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
