"""Organisation pages: unit tree, people list, a person's page, imports from the web."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.assessment.selectors import person_campaigns
from kompetenslyft.competence.models import Level
from kompetenslyft.competence.selectors import person_requirements
from kompetenslyft.core.access import access_for
from kompetenslyft.core.spreadsheet import neutralise_row

from . import selectors
from .forms import ImportUploadForm, PeopleFilterForm
from .imports import ImportRefused, import_file
from .models import ImportBatch, Person


def _people_filters(request: HttpRequest) -> tuple[PeopleFilterForm, selectors.PeopleFilter]:
    access = access_for(request.user)
    data = request.GET.copy() if request.GET else None
    if data is not None and "below" not in data and "filtered" not in data:
        data["below"] = "on"
    form = PeopleFilterForm(
        data,
        organisations=selectors.visible_organisations(access).filter(
            pk__in=sorted(access.lead_org_ids | set(access.managed_organisation_ids))
        )
        if not access.is_superuser
        else selectors.visible_organisations(access),
        units=selectors.units_for_filter(access),
        roles=selectors.roles_for_filter(access),
    )
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        return form, selectors.PeopleFilter(
            search=d["q"] or "",
            organisation_id=d["organisation"],
            unit_id=d["unit"],
            include_below=bool(d["below"]),
            role_id=d["role"],
            status=d["status"] or "active",
        )
    return form, selectors.PeopleFilter()


@login_required
def people(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    form, filters = _people_filters(request)
    paginator = Paginator(selectors.people_list(access, filters), settings.KOMPETENSLYFT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "org/people.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
        },
    )


@login_required
def people_export(request: HttpRequest) -> StreamingHttpResponse:
    """The people list as CSV, with the same scope and filters as on screen."""
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    _form, filters = _people_filters(request)
    rows = selectors.people_list(access, filters)

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    header = [
        "employee_id",
        "given_name",
        "family_name",
        "unit_id",
        "unit",
        "role",
        "email",
        "gender",
        "language",
        "start_date",
        "active",
    ]

    def stream():  # type: ignore[no-untyped-def]
        yield "\ufeff" + writer.writerow(header)
        for p in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                neutralise_row(
                    [
                        p.employee_id,
                        p.given_name,
                        p.family_name,
                        p.unit.unit_id,
                        p.unit.name,
                        p.role.name,
                        p.email,
                        p.gender,
                        p.language,
                        p.start_date.isoformat() if p.start_date else "",
                        "yes" if p.is_active else "no",
                    ]
                )
            )

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="people-{stamp}.csv"'
    return response


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    try:
        person = selectors.person_detail(access, pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc
    return render(
        request,
        "org/person.html",
        {
            "person": person,
            "placements": selectors.person_placements(person),
            "managers": selectors.person_managers(person),
            "managed_units": list(person.managed_units.all()),
            "is_self": access.person_id == person.pk,
            "requirements": person_requirements(person),
            "participations": person_campaigns(person),
            "levels": Level.choices,
        },
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    return redirect("org:person", pk=access.person_id)


@login_required
def units(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_see_units:
        raise Http404
    return render(request, "org/units.html", {"nodes": selectors.unit_tree(access)})


def _lead_organisations(request: HttpRequest):  # type: ignore[no-untyped-def]
    access = access_for(request.user)
    organisations = selectors.visible_organisations(access)
    if not access.is_superuser:
        organisations = organisations.filter(pk__in=sorted(access.lead_org_ids))
    return access, organisations


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    access, organisations = _lead_organisations(request)
    if not access.is_lead:
        raise Http404
    form = ImportUploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = organisations.get(pk=data["organisation"])
        upload = data["file"]
        batch = ImportBatch(
            organisation=organisation,
            kind=data["kind"],
            filename=upload.name[:255],
            content=upload.read(),
            keep_missing=data["keep_missing"],
            uploaded_by=request.user,  # type: ignore[misc]
        )
        try:
            result = import_file(
                kind=batch.kind,
                content=bytes(batch.content),
                filename=batch.filename,
                organisation=organisation,
                actor=request.user,
                dry_run=True,
                **import_options(batch),
            )
        except ImportRefused as refused:
            result = refused.result
            batch.status = ImportBatch.Status.REFUSED
            batch.content = b""
        batch.summary = result.as_dict()
        batch.save()
        return redirect("org:import_preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(organisation__in=organisations).defer("content")[:10]
    return render(request, "org/import_upload.html", {"form": form, "recent": recent})


def import_options(batch: ImportBatch) -> dict[str, Any]:
    """The options each kind of import takes from the web form."""
    if batch.kind == "people":
        return {"keep_missing": batch.keep_missing}
    return {}


def _batch_for(request: HttpRequest, pk: int) -> ImportBatch:
    access, organisations = _lead_organisations(request)
    if not access.is_lead:
        raise Http404
    try:
        return ImportBatch.objects.get(pk=pk, organisation__in=organisations)
    except ImportBatch.DoesNotExist as exc:
        raise Http404 from exc


CATEGORIES = ("new", "changed", "moved", "reactivated", "deactivated", "roles_created")


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    summary = batch.summary
    sections = [
        {
            "key": key,
            "count": summary.get("counts", {}).get(key, 0),
            "samples": summary.get("samples", {}).get(key, []),
        }
        for key in CATEGORIES
    ]
    return render(
        request,
        "org/import_preview.html",
        {
            "batch": batch,
            "summary": summary,
            "sections": sections,
            "unchanged": summary.get("counts", {}).get("unchanged", 0),
        },
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        messages.error(request, _("This import cannot be confirmed (it was refused or already applied)."))
        return redirect("org:import_preview", pk=batch.pk)
    try:
        result = import_file(
            kind=batch.kind,
            content=bytes(batch.content),
            filename=batch.filename,
            organisation=batch.organisation,
            actor=request.user,
            **import_options(batch),
        )
    except ImportRefused as refused:
        batch.status = ImportBatch.Status.REFUSED
        batch.summary = refused.result.as_dict()
        batch.save(update_fields=["status", "summary"])
        messages.error(request, _("The file no longer fits the organisation; nothing was changed."))
        return redirect("org:import_preview", pk=batch.pk)
    batch.status = ImportBatch.Status.APPLIED
    batch.summary = result.as_dict()
    batch.content = b""
    batch.save(update_fields=["status", "summary", "content"])
    messages.success(request, _("The import was applied."))
    return redirect("org:import_preview", pk=batch.pk)
