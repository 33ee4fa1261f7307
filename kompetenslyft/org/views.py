"""Organisation pages: unit tree, people list, a person's page, imports from the web."""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.assessment.selectors import person_campaigns
from kompetenslyft.competence.models import Level
from kompetenslyft.competence.selectors import person_requirements
from kompetenslyft.core.access import access_for
from kompetenslyft.core.import_templates import template_file
from kompetenslyft.core.params import check_filter_form, optional_id, parse_choice, parse_page
from kompetenslyft.core.spreadsheet import download_name, neutralise_row
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read, log_read_ids

from . import selectors
from .forms import ImportUploadForm, PeopleFilterForm
from .models import Gender, ImportBatch, Person
from .services import ConfirmError, import_batch_confirm, import_batch_create


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
        # The unit list offers the top of the tree and the chosen unit's surroundings.
        units=selectors.units_near(
            selectors.units_for_filter(access), optional_id(request.GET.get("unit"), name="unit")
        ),
        roles=selectors.roles_for_filter(access),
    )
    check_filter_form(form, ids=("organisation", "unit", "role"))
    if form.is_bound:
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
    page = paginator.get_page(parse_page(request.GET.get("page")))
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
    log_read_ids(request, AccessKind.PEOPLE_EXPORT, rows.values_list("pk", "organisation_id"))

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    # Headers and words in the person's language, resolved here: the rows are streamed after
    # the view has returned. (The import format of formats.md is the template download's.)
    header = [
        _("Employee id"),
        _("Given name"),
        _("Family name"),
        _("Unit id"),
        _("Unit"),
        _("Role"),
        _("E-mail"),
        _("Gender"),
        _("Language"),
        _("Start date"),
        _("Active"),
    ]
    genders = {value: str(label) for value, label in Gender.choices}
    languages = {code: str(name) for code, name in settings.LANGUAGES}
    yes, no = _("yes"), _("no")

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
                        genders.get(p.gender, p.gender),
                        languages.get(p.language, p.language),
                        p.start_date.isoformat() if p.start_date else "",
                        yes if p.is_active else no,
                    ]
                )
            )

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    filename = download_name(_("people"), extension="csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    try:
        person = selectors.person_detail(access, pk)
    except Person.DoesNotExist as exc:
        raise Http404 from exc
    log_read(request, AccessKind.PERSON_PAGE, [person])
    # A pseudonymised person (ADR 0018): its placements stay for the figures, but their dates,
    # units and managers on its page would single it out again in a small unit; nothing is
    # left to pseudonymise or to extract.
    erased = hasattr(person, "erasure")
    lead = access.is_lead_of(person.organisation_id) and access.person_id != person.pk
    return render(
        request,
        "org/person.html",
        {
            "person": person,
            "erased": erased,
            "placements": [] if erased else selectors.person_placements(person),
            "managers": [] if erased else selectors.person_managers(person),
            "managed_units": list(person.managed_units.all()),
            "is_self": access.person_id == person.pk,
            # The lead's decision to pseudonymise the person (retention app, ADR 0018).
            "can_pseudonymise": lead and not erased,
            "can_extract": lead and not erased,
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
    # A large organisation's tree is folded; a folded unit's link opens its branch (?under=).
    # Only the rows shown pass the disclosure control (150 of 3,000 units).
    nodes, trail = selectors.units_folded(
        selectors.unit_tree_raw(access), under=optional_id(request.GET.get("under"), name="under")
    )
    selectors.protect_counts(access, [*trail, *nodes])
    hidden = [n for n in nodes if n.people is None or n.people_below is None]
    return render(
        request,
        "org/units.html",
        {
            "nodes": selectors.with_managers(nodes),
            "trail": trail,
            "under": nodes[0] if trail or request.GET.get("under") else None,
            "protected": bool(hidden),
            "threshold": hidden[0].unit.organisation.anonymity_threshold if hidden else None,
        },
    )


def _lead_organisations(request: HttpRequest):  # type: ignore[no-untyped-def]
    access = access_for(request.user)
    organisations = selectors.visible_organisations(access)
    if not access.is_superuser:
        organisations = organisations.filter(pk__in=sorted(access.lead_org_ids))
    return access, organisations


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Store the file and start its preview in the background; answer at once."""
    access, organisations = _lead_organisations(request)
    if not access.is_lead:
        raise Http404
    form = ImportUploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method != "POST":  # a link from another page names the kind (?kind=indicator_values)
        kinds = [value for value, _label in form.fields["kind"].choices]  # type: ignore[attr-defined]
        form.initial["kind"] = parse_choice(request.GET.get("kind"), kinds, name="kind")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        batch = import_batch_create(
            organisation=organisations.get(pk=data["organisation"]),
            kind=data["kind"],
            filename=upload.name,
            content=upload.read(),
            keep_missing=data["keep_missing"],
            user=request.user,
        )
        return redirect("org:import_preview", pk=batch.pk)
    return render(
        request,
        "org/import_upload.html",
        {
            "form": form,
            "recent": selectors.import_batches_recent(organisations),
            "templates": form.fields["kind"].choices,  # type: ignore[attr-defined]
        },
        status=400 if form.errors else 200,
    )


@login_required
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """The template of one kind of import: the header of formats.md and one example row."""
    access, organisations = _lead_organisations(request)
    if not access.is_lead:
        raise Http404
    organisation = organisations.order_by("name").first()
    own = selectors.template_examples(organisation) if organisation is not None else None
    try:
        content, content_type, filename = template_file(kind, fmt, own)
    except KeyError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _batch_for(request: HttpRequest, pk: int) -> ImportBatch:
    access, organisations = _lead_organisations(request)
    if not access.is_lead:
        raise Http404
    batch = selectors.import_batch_for(organisations, pk)
    if batch is None:
        raise Http404
    return batch


CATEGORIES = ("new", "changed", "moved", "reactivated", "deactivated", "roles_created")
# What each kind's preview lists (besides "Unchanged"); a kind not named lists new and changed
# rows and whatever else its import counted (the people's moves and leavers mean nothing for,
# say, an evaluations file).
KIND_CATEGORIES = {
    "people": CATEGORIES,
    "units": ("new", "changed", "moved"),
    "evaluations": ("new", "people_marked_answered"),
}
OTHER_CATEGORIES = ("frameworks_created", "people_marked_answered")


def preview_categories(kind: str, counts: dict[str, int]) -> tuple[str, ...]:
    if kind in KIND_CATEGORIES:
        return KIND_CATEGORIES[kind]
    return ("new", "changed", *(key for key in OTHER_CATEGORIES if key in counts))


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
        for key in preview_categories(batch.kind, summary.get("counts", {}))
    ]
    errors = summary.get("errors", [])
    return render(
        request,
        "org/import_preview.html",
        {
            "batch": batch,
            "summary": summary,
            "sections": sections,
            "unchanged": summary.get("counts", {}).get("unchanged", 0),
            "error_count": summary.get("error_count", len(errors)),
            "errors_shown": len(errors),
            "problem_rows": selectors.row_problems(errors),
            "mass_deactivation": summary.get("notices", {}).get("mass_deactivation"),
        },
    )


@login_required
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """What the preview page polls while a task runs."""
    batch = _batch_for(request, pk)
    return JsonResponse(
        {
            "status": batch.status,
            "running": batch.is_running,
            "done": batch.progress_done,
            "total": batch.progress_total,
            "percent": batch.progress_percent,
        }
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_for(request, pk)
    try:
        import_batch_confirm(
            batch=batch, user=request.user, allow_deactivation=request.POST.get("allow_deactivation") == "on"
        )
    except ConfirmError as exc:
        messages.error(request, str(exc))
    return redirect("org:import_preview", pk=batch.pk)
