"""The lead's retention page (rules, dry run, runs), the decision to pseudonymise one person
and a run's progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import ParameterError, optional_id, parse_int
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read
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


def _overview_context(
    organisation: Organisation,
    access: Any,
    *,
    entered: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The page's data; ``entered`` and ``errors``: a refused form shown again as typed."""
    today = timezone.localdate()
    entered, errors = entered or {}, errors or {}
    rule_rows = [
        (
            rule,
            entered[rule.kind.key] if rule.kind.key in entered else (rule.months if rule.own else ""),
            errors.get(rule.kind.key, ""),
        )
        for rule in selectors.rules_in_force(organisation)
    ]
    return {
        "organisation": organisation,
        "organisations": selectors.lead_organisations(access),
        "rule_rows": rule_rows,
        "dry_run": selectors.dry_run(organisation, today=today),
        "people_due": selectors.people_due(organisation, today=today),
        "runs": selectors.runs_of(organisation),
        "errors": errors,
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request, request.GET)
    context = _overview_context(organisation, access_for(request.user))
    # The people the dry run names are a read of their data (who looked at whom).
    log_read(request, AccessKind.PEOPLE_LIST, [p for _kind, people in context["people_due"] for p in people])
    return render(request, "retention/overview.html", context)


@login_required
@require_POST
def rules_update(request: HttpRequest) -> HttpResponse:
    """The lead's retention times; a value that is not a whole number of months from 1 to
    MAX_MONTHS is shown beside its field (400) and nothing is saved."""
    organisation = _organisation(request, request.POST)
    chosen: dict[str, int | None] = {}
    errors: dict[str, str] = {}
    entered: dict[str, str] = {}
    for kind in registry.kinds():
        value = request.POST.get(f"months_{kind.key}")
        if value is None:
            continue
        entered[kind.key] = value
        try:
            chosen[kind.key] = (
                parse_int(
                    value.strip(), default=0, minimum=1, maximum=services.MAX_MONTHS, name=str(kind.label)
                )
                or None
            )
        except ParameterError:
            errors[kind.key] = _(
                "Give a whole number of months from 1 to %(maximum)s, or leave it empty."
            ) % {"maximum": services.MAX_MONTHS}
    if errors:
        context = _overview_context(organisation, access_for(request.user), entered=entered, errors=errors)
        return render(request, "retention/overview.html", context, status=400)
    services.rules_set(organisation=organisation, months=chosen, actor=request.user)
    messages.success(request, _("The retention times are saved."))
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
