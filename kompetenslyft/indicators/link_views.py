"""Linking indicators to initiatives, from either side: the indicator's page (the initiative
posted) and the initiative's page (the indicator posted). Only the organisation's lead."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import parse_id
from kompetenslyft.learning.models import Initiative

from . import services
from .models import Indicator
from .selectors import editable_indicator


def _initiative_of(indicator: Indicator, pk: int) -> Initiative:
    initiative = Initiative.objects.filter(organisation_id=indicator.organisation_id, pk=pk).first()
    if initiative is None:
        raise Http404
    return initiative


def _led_initiative(request: HttpRequest, pk: int) -> Initiative:
    initiative = Initiative.objects.select_related("organisation").filter(pk=pk).first()
    if initiative is None or not access_for(request.user).is_lead_of(initiative.organisation_id):
        raise Http404
    return initiative


def _indicator_of(initiative: Initiative, pk: int) -> Indicator:
    indicator = (
        Indicator.objects.select_related("organisation")
        .filter(organisation_id=initiative.organisation_id, pk=pk)
        .first()
    )
    if indicator is None:
        raise Http404
    return indicator


@login_required
@require_POST
def indicator_link(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = editable_indicator(access_for(request.user), pk)
    initiative = _initiative_of(indicator, parse_id(request.POST.get("initiative"), name="initiative"))
    services.indicator_link(indicator=indicator, initiative=initiative, actor=request.user)
    messages.success(request, _("Linked to %(name)s.") % {"name": initiative.name})
    return redirect("indicators:detail", pk=indicator.pk)


@login_required
@require_POST
def indicator_unlink(request: HttpRequest, pk: int, initiative_pk: int) -> HttpResponse:
    indicator = editable_indicator(access_for(request.user), pk)
    initiative = _initiative_of(indicator, initiative_pk)
    services.indicator_unlink(indicator=indicator, initiative=initiative, actor=request.user)
    messages.success(request, _("No longer linked to %(name)s.") % {"name": initiative.name})
    return redirect("indicators:detail", pk=indicator.pk)


@login_required
@require_POST
def initiative_link(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _led_initiative(request, pk)
    indicator = _indicator_of(initiative, parse_id(request.POST.get("indicator"), name="indicator"))
    services.indicator_link(indicator=indicator, initiative=initiative, actor=request.user)
    messages.success(request, _("Linked to %(name)s.") % {"name": indicator.name})
    return redirect(reverse("learning:initiative", args=[initiative.pk]) + "#indicators")


@login_required
@require_POST
def initiative_unlink(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    initiative = _led_initiative(request, pk)
    indicator = _indicator_of(initiative, indicator_pk)
    services.indicator_unlink(indicator=indicator, initiative=initiative, actor=request.user)
    messages.success(request, _("No longer linked to %(name)s.") % {"name": indicator.name})
    return redirect(reverse("learning:initiative", args=[initiative.pk]) + "#indicators")
