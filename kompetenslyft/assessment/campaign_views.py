"""The self-assessments list and, for a lead, a new self-assessment: its target group picked in
the unit tree (checking a unit includes every unit below it) and roles, counted before it is
created (a "count" button without JavaScript; live with target-count.js)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import id_list
from kompetenslyft.org.checkboxes import UnitRow, unit_picker
from kompetenslyft.org.models import Organisation, Role, Unit

from . import selectors, services
from .forms import CampaignForm
from .targeting import TargetCount, count_text, target_count
from .views import _organisation

FIELDS = ("name", "measurement_point", "opens_on", "closes_on")


def _lead_organisation(request: HttpRequest, access: Access) -> Organisation:
    if not access.is_lead:
        raise Http404
    return _organisation(request, None if access.is_superuser else access.lead_org_ids)


def _page(
    request: HttpRequest,
    access: Access,
    organisation: Organisation,
    form: CampaignForm,
    *,
    checked_units: set[str],
    checked_roles: set[str],
    count: TargetCount | None = None,
    status: int = 200,
    opened: list[str] | None = None,
) -> HttpResponse:
    # three columns per unit, not 3,000 model objects (the picker shows a few hundred)
    units = [
        UnitRow(*row)
        for row in Unit.objects.filter(organisation=organisation).values_list("pk", "name", "parent_id")
    ]
    return render(
        request,
        "assessment/campaigns.html",
        {
            "campaigns": selectors.campaigns_visible(access).select_related("organisation"),
            "form": form,
            "organisation": organisation,
            "picker": unit_picker(units, checked=checked_units, opened=opened or ()),
            # A folded branch's button posts the form to the count, which shows it again opened.
            "open_action": reverse("assessment:campaign_count")
            + f"?organisation={organisation.pk}#new-campaign",
            "role_groups": [
                (
                    "",
                    [(r.pk, r.name) for r in Role.objects.filter(organisation=organisation).order_by("name")],
                )
            ],
            "checked_units": checked_units,
            "checked_roles": checked_roles,
            "count_text": count_text(count) if count is not None else "",
        },
        status=status,
    )


def _form(organisation: Organisation, data: Any = None, initial: Any = None) -> CampaignForm:
    return CampaignForm(
        data,
        initial=initial,
        units=Unit.objects.filter(organisation=organisation)
        .order_by("path")
        .values_list("pk", "depth", "name"),
        roles=Role.objects.filter(organisation=organisation).order_by("name"),
    )


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_lead or access.is_manager):
        raise Http404
    if not access.is_lead:
        return render(
            request,
            "assessment/campaigns.html",
            {"campaigns": selectors.campaigns_visible(access).select_related("organisation"), "form": None},
        )
    organisation = _lead_organisation(request, access)
    return _page(request, access, organisation, _form(organisation), checked_units=set(), checked_roles=set())


@login_required
@require_POST
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    organisation = _lead_organisation(request, access)
    form = _form(organisation, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                organisation=organisation,
                name=data["name"],
                measurement_point=data["measurement_point"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                units=list(Unit.objects.filter(organisation=organisation, pk__in=data["units"])),
                roles=list(Role.objects.filter(organisation=organisation, pk__in=data["roles"])),
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("assessment:campaign", pk=campaign.pk)
    return _page(
        request,
        access,
        organisation,
        form,
        checked_units={str(v) for v in request.POST.getlist("units")},
        checked_roles={str(v) for v in request.POST.getlist("roles")},
        status=400,
        opened=request.POST.getlist("open"),
    )


@login_required
@require_POST
def campaign_count_view(request: HttpRequest) -> HttpResponse:
    """How many people the picked units and roles reach: JSON for the script, else the page
    again with the form as it was filled in and the count."""
    access = access_for(request.user)
    organisation = _lead_organisation(request, access)
    unit_ids = id_list(request.POST.getlist("units"), name="units")
    role_ids = id_list(request.POST.getlist("roles"), name="roles")
    count = target_count(organisation=organisation, unit_ids=unit_ids, role_ids=role_ids)
    if request.headers.get("x-requested-with") == "fetch":
        return JsonResponse({"people": count.people, "reached": count.reached, "text": count_text(count)})
    initial = {name: request.POST.get(name, "") for name in FIELDS}
    form = _form(organisation, initial={k: v for k, v in initial.items() if v})
    return _page(
        request,
        access,
        organisation,
        form,
        checked_units={str(pk) for pk in unit_ids},
        checked_roles={str(pk) for pk in role_ids},
        count=count,
        opened=request.POST.getlist("open"),
    )
