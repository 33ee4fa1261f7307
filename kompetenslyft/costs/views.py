"""The costs page of an initiative and one POST view per change: add, change, remove an entry;
save the settings. Reached from the initiative's page (its "Costs" panel). Who sees what is
:mod:`.selectors`; a viewer who may not is answered 404, as for an initiative not there."""

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
from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.models import Role

from . import selectors, services
from .figures import cost_figures, initiative_sessions, kind_rows, priced_entries
from .forms import CostEntryForm, CostSettingsForm, RoleHourlyCostForm
from .models import CostEntry, CostSettings, RoleHourlyCost


def _entry_form(initiative: Initiative, data: Any = None, **kwargs: Any) -> CostEntryForm:
    return CostEntryForm(
        data,
        modules=initiative.modules.order_by("code"),
        sessions=initiative_sessions(initiative).select_related("module").order_by("starts_at"),
        currency=initiative.organisation.currency,
        **kwargs,
    )


def _settings_form(initiative: Initiative, data: Any = None) -> CostSettingsForm:
    found = CostSettings.objects.filter(initiative=initiative).first()
    initial = (
        {
            "hourly_cost": found.hourly_cost,
            "travel_cost": found.travel_cost,
            "travel_minutes": found.travel_minutes,
        }
        if found
        else {}
    )
    return CostSettingsForm(
        data, prefix="settings", initial=initial, currency=initiative.organisation.currency
    )


def _role_form(initiative: Initiative, data: Any = None) -> RoleHourlyCostForm:
    return RoleHourlyCostForm(
        data,
        prefix="role",
        roles=Role.objects.filter(organisation_id=initiative.organisation_id).order_by("name"),
        currency=initiative.organisation.currency,
    )


def _page(request: HttpRequest, pk: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    initiative, view = selectors.initiative_for_costs(access_for(request.user), pk)
    figures = cost_figures(initiative, exact=view.exact)
    context: dict[str, Any] = {
        "initiative": initiative,
        "view": view,
        "can_edit": view.edits,
        "figures": figures,
        "kind_rows": kind_rows(figures),
        "currency": initiative.organisation.currency,
        "k": initiative.organisation.anonymity_threshold,
    }
    if view.edits:
        context["entries"] = priced_entries(initiative)
        context["entry_form"] = _entry_form(initiative, prefix="entry")
        context["settings_form"] = _settings_form(initiative)
        context["role_form"] = _role_form(initiative)
        context["role_costs"] = (
            RoleHourlyCost.objects.filter(initiative=initiative).select_related("role").order_by("role__name")
        )
        context.update(bound or {})
    return render(request, "costs/costs.html", context, status=400 if bound else 200)


def _back(initiative: Initiative, anchor: str = "") -> HttpResponse:
    return redirect(reverse("costs:initiative", args=[initiative.pk]) + (f"#{anchor}" if anchor else ""))


def _data(form: CostEntryForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {key: data[key] for key in ("kind", "description", "module", "session", "hours", "rate", "amount")}


@require_GET
@login_required
def costs(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@require_POST
@login_required
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, _view = selectors.initiative_for_costs(access_for(request.user), pk, edit=True)
    form = _entry_form(initiative, request.POST, prefix="entry")
    if form.is_valid():
        try:
            services.cost_entry_create(initiative=initiative, actor=request.user, **_data(form))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The cost was added."))
            return _back(initiative, "entries")
    return _page(request, pk, {"entry_form": form})


@require_http_methods(["GET", "POST"])
@login_required
def entry_edit(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    initiative, _view = selectors.initiative_for_costs(access_for(request.user), pk, edit=True)
    found: CostEntry = selectors.entry_for(initiative, entry)
    if request.method == "POST":
        form = _entry_form(initiative, request.POST)
        if form.is_valid():
            try:
                services.cost_entry_update(entry=found, actor=request.user, **_data(form))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The cost was changed."))
                return _back(initiative, "entries")
        status = 400
    else:
        form = _entry_form(initiative, initial=CostEntryForm.initial_for(found))
        status = 200
    return render(
        request,
        "costs/entry_edit.html",
        {"initiative": initiative, "entry": found, "form": form},
        status=status,
    )


@require_POST
@login_required
def entry_remove(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    initiative, _view = selectors.initiative_for_costs(access_for(request.user), pk, edit=True)
    services.cost_entry_remove(entry=selectors.entry_for(initiative, entry), actor=request.user)
    messages.success(request, _("The cost was removed."))
    return _back(initiative, "entries")


@require_POST
@login_required
def settings_save(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, _view = selectors.initiative_for_costs(access_for(request.user), pk, edit=True)
    form = _settings_form(initiative, request.POST)
    if form.is_valid():
        try:
            services.cost_settings_save(initiative=initiative, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The settings were saved."))
            return _back(initiative, "settings")
    return _page(request, pk, {"settings_form": form})


@require_POST
@login_required
def role_cost_save(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, _view = selectors.initiative_for_costs(access_for(request.user), pk, edit=True)
    form = _role_form(initiative, request.POST)
    if form.is_valid():
        try:
            services.role_hourly_cost_save(initiative=initiative, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The role's hourly cost was saved."))
            return _back(initiative, "role-costs")
    return _page(request, pk, {"role_form": form})
