"""The lead's retention page (rules, dry run, runs), the decision to pseudonymise one person
and a run's progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import optional_id, parse_int
from kompetenslyft.org.models import Organisation, Person

from . import registry, selectors, services
from .models import RetentionRun


def _organisation(request: HttpRequest, source: dict) -> Organisation:
    access = access_for(request.user)
    try:
        return selectors.lead_organisation(
            access, optional_id(source.get("organisation"), name="organisation")
        )
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request, request.GET)
    today = timezone.localdate()
    return render(
        request,
        "retention/overview.html",
        {
            "organisation": organisation,
            "organisations": selectors.lead_organisations(access_for(request.user)),
            "rules": selectors.rules_in_force(organisation),
            "dry_run": selectors.dry_run(organisation, today=today),
            "people_due": selectors.people_due(organisation, today=today),
            "runs": selectors.runs_of(organisation),
            "max_months": services.MAX_MONTHS,
        },
    )


@login_required
@require_POST
def rules_update(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request, request.POST)
    for kind in registry.kinds():
        value = request.POST.get(f"months_{kind.key}")
        if value is None:
            continue
        months = parse_int(value, default=0, minimum=0, maximum=services.MAX_MONTHS, name=str(kind.label))
        services.rule_set(organisation=organisation, kind=kind.key, months=months or None, actor=request.user)
    return redirect(f"{reverse('retention:overview')}?organisation={organisation.pk}")


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    try:
        person = selectors.person_for_decision(access, pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc
    error = ""
    if request.method == "POST":
        try:
            run = services.decision_request(
                person=person,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                exception=request.POST.get("exception") == "1",
            )
        except services.DecisionRefused as exc:
            error = str(exc)
        else:
            return redirect("retention:run", pk=run.pk)
    return render(
        request,
        "retention/decide.html",
        {
            "person": person,
            "done": selectors.is_pseudonymised(person),
            "error": error,
            "reason": request.POST.get("reason", ""),
        },
        status=400 if error else 200,
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        run = selectors.run_for(access_for(request.user), pk)
    except RetentionRun.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "retention/run.html", {"run": run})
