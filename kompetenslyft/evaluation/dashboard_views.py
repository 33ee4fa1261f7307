"""The dashboard page (``evaluation:dashboard``), its exports as background tasks, and their
progress and download pages (only for the person who asked)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import optional_id
from kompetenslyft.learning.selectors import modules_for
from kompetenslyft.org.models import Role, Unit

from .dashboard import (
    Filters,
    dashboard_initiatives,
    dashboard_organisations,
    is_exact,
    month_text,
    project_leader_only,
)
from .dashboard_page import build_page
from .models import ExportJob
from .results import MAX_MONTHS, months_in

_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
GENDERS = ("woman", "man", "other")
FILTER_KEYS = ("organisation", "unit", "initiative", "module", "role", "gender", "from", "to")


def parse_month(value: object, *, name: str) -> dt.date | None:
    """A whole month written YYYY-MM (year 0001 or later); missing or empty gives None,
    anything else is a 400."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _MONTH.fullmatch(value) and int(value[:4]) >= 1:
        return dt.date(int(value[:4]), int(value[5:7]), 1)
    raise BadRequest(f"{name}: not a month (YYYY-MM)")


class NoInitiative(Exception):
    """A project leader (with no wider role) who leads no initiative yet: nothing to show."""


def parse_filters(access: Access, params: QueryDict) -> tuple[Filters, dict[str, Any]]:
    """The filters a viewer asked for, each checked against what it may see: an id outside
    that is a 404, as one that does not exist; a malformed value is a 400."""
    organisations = dashboard_organisations(access).order_by("name")
    org_id = optional_id(params.get("organisation"), name="organisation")
    organisation = organisations.filter(pk=org_id).first() if org_id is not None else organisations.first()
    if organisation is None:
        raise Http404
    initiatives = dashboard_initiatives(access, organisation)
    initiative_id = optional_id(params.get("initiative"), name="initiative")
    initiative = initiatives.filter(pk=initiative_id).first() if initiative_id is not None else None
    if initiative_id is not None and initiative is None:
        raise Http404
    exact = is_exact(access, organisation)
    if initiative is None and not exact:
        # Aggregates-only viewers see participants one initiative at a time (ADR 0004), and a
        # project leader sees nothing but its initiatives.
        initiative = initiatives.first()
        if initiative is None and project_leader_only(access, organisation):
            raise NoInitiative
    modules = modules_for(organisation.pk)
    if project_leader_only(access, organisation):
        modules = modules.filter(initiatives__in=initiatives).distinct()
    module_id = optional_id(params.get("module"), name="module")
    module = modules.filter(pk=module_id).first() if module_id is not None else None
    if module_id is not None and module is None:
        raise Http404
    unit_id = optional_id(params.get("unit"), name="unit")
    unit = Unit.objects.filter(organisation=organisation, pk=unit_id).first() if unit_id is not None else None
    if unit_id is not None and unit is None:
        raise Http404
    role_id = optional_id(params.get("role"), name="role")
    role = Role.objects.filter(organisation=organisation, pk=role_id).first() if role_id is not None else None
    if role_id is not None and role is None:
        raise Http404
    gender = params.get("gender") or None
    if gender is not None and gender not in GENDERS:
        raise BadRequest("gender: not one of woman, man, other")
    month_from = parse_month(params.get("from"), name="from")
    month_to = parse_month(params.get("to"), name="to")
    if month_from and month_to and month_from > month_to:
        raise BadRequest("from: after to")
    if (months_in(month_from, month_to) or 0) > MAX_MONTHS:
        raise BadRequest(f"from, to: more than {MAX_MONTHS} months")
    filters = Filters(organisation, unit, initiative, module, role, gender, month_from, month_to)
    choices = {
        "organisations": organisations,
        "initiatives": initiatives,
        "modules": (initiative.modules.all() if initiative is not None else modules).order_by("code"),
        "units": Unit.objects.filter(organisation=organisation, depth__lte=1).order_by("path"),
        "roles": Role.objects.filter(organisation=organisation).order_by("name"),
        "all_initiatives": exact,
    }
    return filters, choices


def _query_of(filters: Filters) -> str:
    params = QueryDict(mutable=True)
    for key, value in (
        ("organisation", filters.organisation.pk),
        ("unit", filters.unit.pk if filters.unit else ""),
        ("initiative", filters.initiative.pk if filters.initiative else ""),
        ("module", filters.module.pk if filters.module else ""),
        ("role", filters.role.pk if filters.role else ""),
        ("gender", filters.gender or ""),
        ("from", month_text(filters.month_from) if filters.month_from else ""),
        ("to", month_text(filters.month_to) if filters.month_to else ""),
    ):
        if value != "":
            params[key] = str(value)
    return params.urlencode()


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    try:
        filters, choices = parse_filters(access, request.GET)
    except NoInitiative:
        return render(request, "evaluation/dashboard.html", {"page": None})
    exact = is_exact(access, filters.organisation)
    page = build_page(filters, exact=exact)
    return render(
        request,
        "evaluation/dashboard.html",
        {
            "page": page,
            "filters": filters,
            "query": _query_of(filters),
            "month_from": month_text(filters.month_from) if filters.month_from else "",
            "month_to": month_text(filters.month_to) if filters.month_to else "",
            "genders": [("woman", _("Women")), ("man", _("Men")), ("other", _("Other or unspecified"))],
            **choices,
        },
    )


@login_required
@require_POST
def export_start(request: HttpRequest) -> HttpResponse:
    from .dashboard_exports import export_create

    access = access_for(request.user)
    kind = request.POST.get("kind")
    if kind not in ("xlsx", "pdf"):
        raise BadRequest("kind: xlsx or pdf")
    params = QueryDict(request.POST.get("query", ""))
    try:
        filters, _choices = parse_filters(access, params)
    except NoInitiative as exc:
        raise Http404 from exc
    job = export_create(
        organisation=filters.organisation,
        user=request.user,
        kind=kind,
        query=_query_of(filters),
        language=get_language() or "sv",
    )
    return redirect("evaluation:dashboard_export", pk=job.pk)


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=pk, requested_by_id=request.user.pk).defer("content").first()
    if job is None:
        raise Http404
    return job


@login_required
def export_status(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "evaluation/dashboard_export.html", {"job": job, "query": job.query})


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE:
        raise Http404
    content = ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).first()
    types = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
    response = HttpResponse(bytes(content or b""), content_type=types[job.kind])
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


__all__ = ["dashboard", "export_download", "export_start", "export_status", "parse_filters"]
