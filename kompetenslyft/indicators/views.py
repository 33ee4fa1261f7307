"""Indicator pages: the list, one indicator (its values around each linked initiative's
training), creating, changing, archiving and restoring. Values are in ``value_views``, links
to initiatives in ``link_views``. Only the organisation's lead changes anything; a manager
reads (its units' values); anyone else gets a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import optional_id, parse_choice
from kompetenslyft.org.models import Organisation

from . import services
from .forms import IndicatorForm
from .sections import initiative_sections
from .selectors import (
    can_change,
    editable_indicator,
    indicator_for,
    indicator_organisation_ids,
    indicators_for,
    linkable_initiatives,
    linked_initiatives,
    value_scope,
)


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not (access.is_superuser or indicator_organisation_ids(access)):
        raise Http404
    archived = parse_choice(request.GET.get("archived"), ("0", "1"), name="archived") == "1"
    return render(
        request,
        "indicators/list.html",
        {
            "indicators": list(indicators_for(access, archived=archived)),
            "archived": archived,
            "can_create": bool(access.lead_org_ids) or access.is_superuser,
        },
    )


def _lead_organisations(request: HttpRequest) -> Any:
    access = access_for(request.user)
    if access.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=sorted(access.lead_org_ids)).order_by("name")


@login_required
def indicator_create(request: HttpRequest) -> HttpResponse:
    organisations = list(_lead_organisations(request))
    if not organisations:
        raise Http404
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = optional_id(request.POST.get("organisation"), name="organisation")
        organisation = (
            next((o for o in organisations if o.pk == chosen), None) if chosen else organisations[0]
        )
        if organisation is None:
            raise Http404
        try:
            indicator = services.indicator_create(
                organisation=organisation, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The indicator was created. Enter or import its values next."))
            return redirect("indicators:detail", pk=indicator.pk)
    return render(
        request, "indicators/form.html", {"form": form, "indicator": None, "organisations": organisations}
    )


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    indicator = indicator_for(access, pk)
    editable = can_change(access, indicator)
    initiatives = list(linked_initiatives(indicator))
    paths = value_scope(access, indicator)
    empty = _("No values for this choice yet.")
    blocks = [
        (
            initiative,
            initiative_sections(initiative, [indicator], exact=True, empty=empty, paths=paths, prefix="ind"),
        )
        for initiative in initiatives
    ]
    return render(
        request,
        "indicators/detail.html",
        {
            "indicator": indicator,
            "can_change": editable,
            "blocks": blocks,
            "linkable": list(linkable_initiatives(indicator)) if editable else [],
            "hidden_text": _("hidden*"),
        },
    )


@login_required
def indicator_update(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = editable_indicator(access_for(request.user), pk)
    initial = {name: getattr(indicator, name) for name in services.FIELDS}
    if indicator.target is not None:
        initial["target"] = format(indicator.target.normalize(), "f")
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(indicator=indicator, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect("indicators:detail", pk=indicator.pk)
    return render(request, "indicators/form.html", {"form": form, "indicator": indicator})


@login_required
@require_POST
def indicator_archive(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = editable_indicator(access_for(request.user), pk)
    services.indicator_archive(indicator=indicator, actor=request.user)
    messages.success(request, _("The indicator was archived: it is no longer shown on the dashboard."))
    return redirect("indicators:detail", pk=indicator.pk)


@login_required
@require_POST
def indicator_restore(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = editable_indicator(access_for(request.user), pk)
    services.indicator_restore(indicator=indicator, actor=request.user)
    messages.success(request, _("The indicator was restored."))
    return redirect("indicators:detail", pk=indicator.pk)
