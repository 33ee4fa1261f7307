"""Micro-learning pages, one view per action: the person's page (today's questions, its own
points, its unit's team figures, its choices), answering a set, the lead's switch per module,
and the team challenges of a manager's or lead's units."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import optional_id, parse_id
from kompetenslyft.org.models import Organisation, Person
from kompetenslyft.org.selectors import units_near

from . import selectors, services
from .forms import ChallengeForm, ChoiceForm, SwitchForm
from .models import TeamChallenge


def _me(request: HttpRequest) -> Person:
    person = selectors.viewer_person(access_for(request.user))
    if person is None:
        raise Http404
    return person


@login_required
def home(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    challenges = selectors.challenges_of_person(person)
    return render(
        request,
        "microlearning/home.html",
        {
            "person": person,
            "learner": selectors.learner_of(person),
            "today": selectors.open_set(person.pk),
            "recent": selectors.recent_sets(person.pk),
            "own": selectors.own_figures(person.pk),
            "teams": selectors.team_figures(person.organisation, challenges),
            "schedule": services.describe_schedule(),
        },
    )


@login_required
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _me(request)
    question_set = selectors.set_for_person(person.pk, pk)
    if question_set is None:
        raise Http404
    items = []
    for question in selectors.set_questions(question_set):
        chosen = [int(c) for c in question_set.answers.get(str(question.pk), [])]
        items.append(
            {
                "question": question,
                "options": list(question.options.all()),
                "chosen": set(chosen),
                "score": services.question_score(question, chosen) if question_set.answered_on else None,
            }
        )
    return render(
        request,
        "microlearning/set.html",
        {"set": question_set, "items": items, "own": selectors.own_figures(person.pk)},
    )


@login_required
@require_POST
def set_submit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _me(request)
    question_set = selectors.set_for_person(person.pk, pk)
    if question_set is None:
        raise Http404
    answers = {
        int(q): [parse_id(v, name="option") for v in request.POST.getlist(f"q{q}")]
        for q in question_set.questions
    }
    try:
        services.set_answer(question_set=question_set, answers=answers)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("microlearning:set", pk=question_set.pk)


@login_required
@require_POST
def choose(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        raise BadRequest("choice")
    services.learner_choose(person=person, choice=form.cleaned_data["choice"])
    messages.success(request, _("Your choice is saved."))
    return redirect("microlearning:home")


# --- the lead's switch per module -------------------------------------------------------------------


def _lead_org(request: HttpRequest) -> Organisation:
    organisation = selectors.lead_organisation(access_for(request.user))
    if organisation is None:
        raise Http404
    return organisation


@login_required
def modules(request: HttpRequest) -> HttpResponse:
    organisation = _lead_org(request)
    return render(
        request,
        "microlearning/modules.html",
        {
            "organisation": organisation,
            "rows": selectors.modules_for_lead(organisation),
            "schedule": services.describe_schedule(),
            "run": selectors.last_run(),
        },
    )


@login_required
@require_POST
def module_switch(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _lead_org(request)
    module = selectors.module_for_lead(organisation, pk)
    if module is None:
        raise Http404
    form = SwitchForm(request.POST)
    form.is_valid()
    enabled = bool(form.cleaned_data.get("enabled"))
    services.module_switch(organisation=organisation, module=module, enabled=enabled, actor=request.user)
    messages.success(
        request,
        (_("Micro-learning is on for %(module)s.") if enabled else _("Micro-learning is off for %(module)s."))
        % {"module": module.name},
    )
    return redirect("microlearning:modules")


@login_required
@require_POST
def initiative_switch(request: HttpRequest, pk: int) -> HttpResponse:
    """Micro-learning on or off for one initiative (its lead or a project leader)."""
    from kompetenslyft.learning.models import Initiative

    initiative = Initiative.objects.filter(pk=pk).select_related("organisation").first()
    if initiative is None or not access_for(request.user).manages_initiative(initiative):
        raise Http404
    form = SwitchForm(request.POST)
    form.is_valid()
    enabled = bool(form.cleaned_data.get("enabled"))
    services.initiative_switch(initiative=initiative, enabled=enabled, actor=request.user)
    messages.success(
        request,
        (
            _("Micro-learning is on for %(initiative)s.")
            if enabled
            else _("Micro-learning is off for %(initiative)s.")
        )
        % {"initiative": initiative.name},
    )
    return redirect(reverse("learning:initiative", args=[initiative.pk]) + "#microlearning-panel")


# --- team challenges ------------------------------------------------------------------------------


def _can_run_challenges(request: HttpRequest) -> Access:
    access = access_for(request.user)
    if not (access.is_manager or access.lead_org_ids or access.is_superuser):
        raise Http404
    return access


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    access = _can_run_challenges(request)
    challenges = selectors.challenges_for(access)
    by_org: dict[Organisation, list[TeamChallenge]] = defaultdict(list)
    for c in challenges:
        by_org[c.organisation].append(c)
    figures = [f for org, cs in by_org.items() for f in selectors.team_figures(org, cs)]
    # The drop-down holds the top of the tree, the unit chosen with the units above it and its
    # children ("Show the units below it" narrows it): not a whole organisation's thousands.
    chosen = optional_id(request.GET.get("unit"), name="unit")
    units = units_near(
        selectors.challenge_units(access).filter(micro_challenge__isnull=True).order_by("path", "pk"), chosen
    )
    return render(
        request,
        "microlearning/teams.html",
        {"figures": figures, "form": ChallengeForm(units=units, initial={"unit": chosen})},
    )


@login_required
@require_POST
def team_start(request: HttpRequest) -> HttpResponse:
    access = _can_run_challenges(request)
    units = selectors.challenge_units(access)
    unit_id = parse_id(request.POST.get("unit"), name="unit")
    unit = units.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    try:
        services.challenge_start(unit=unit, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(unit)s is in the team challenge.") % {"unit": unit.name})
    return redirect("microlearning:teams")


@login_required
@require_POST
def team_end(request: HttpRequest, pk: int) -> HttpResponse:
    access = _can_run_challenges(request)
    challenge = selectors.challenge_for(access, pk)
    if challenge is None:
        raise Http404
    services.challenge_end(challenge=challenge, actor=request.user)
    messages.success(request, _("%(unit)s has left the team challenge.") % {"unit": challenge.unit.name})
    return redirect("microlearning:teams")
