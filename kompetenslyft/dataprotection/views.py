"""Pages of data protection: "My data" (the register extract, who read my data), a lead's
extract of a person on request, the extract's progress and files, and the data protection
officer's access log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import check_filter_form, parse_choice, parse_page
from kompetenslyft.core.spreadsheet import download_name
from kompetenslyft.org.models import Person

from . import selectors, services
from .forms import AccessLogFilterForm, ExtractReasonForm
from .models import AccessEntry, AccessKind, RegisterExtract
from .reads import log_read


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's own data page: ask for the register extract, follow and download it, and
    see who read its data."""
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    extracts = list(selectors.extracts_visible(access).filter(person_id=access.person_id)[:10])
    reads = Paginator(selectors.reads_of(access.person_id), settings.KOMPETENSLYFT_PAGE_SIZE).get_page(
        parse_page(request.GET.get("page"))
    )
    kinds = dict(AccessKind.choices)
    rows = [
        {
            "at": read.entry.created_at,
            "reader": read.entry.reader_person.full_name
            if read.entry.reader_person
            else read.entry.reader_label,
            "what": kinds.get(read.entry.kind, read.entry.kind),
        }
        for read in reads.object_list
    ]
    return render(
        request,
        "dataprotection/my_data.html",
        {"extracts": extracts, "reads": reads, "rows": rows, "kept_days": RegisterExtract.KEPT_DAYS},
    )


@login_required
@require_POST
def extract_own(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    person = Person.objects.select_related("organisation").get(pk=access.person_id)
    extract = services.extract_request(user=request.user, person=person, language=get_language() or "sv")
    return redirect("dataprotection:extract", pk=extract.pk)


@login_required
def extract_for(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead produces a person's register extract on the person's request: the reason is
    asked for, kept with the extract, audited and shown in the access log."""
    access = access_for(request.user)
    person = Person.objects.select_related("organisation").filter(pk=pk).first()
    if person is None or not access.is_lead_of(person.organisation_id) or access.person_id == person.pk:
        raise Http404
    form = ExtractReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        extract = services.extract_request(
            user=request.user,
            person=person,
            reason=form.cleaned_data["reason"],
            language=get_language() or "sv",
        )
        return redirect("dataprotection:extract", pk=extract.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "dataprotection/extract_for.html", {"person": person, "form": form}, status=status)


def _visible_extract(request: HttpRequest, pk: int) -> RegisterExtract:
    try:
        return selectors.extracts_visible(access_for(request.user)).get(pk=pk)
    except RegisterExtract.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def extract_status(request: HttpRequest, pk: int) -> HttpResponse:
    extract = _visible_extract(request, pk)
    access = access_for(request.user)
    own = extract.person_id == access.person_id
    back = reverse("dataprotection:my_data") if own else reverse("org:person", args=[extract.person_id])
    return render(request, "dataprotection/extract.html", {"extract": extract, "own": own, "back": back})


@login_required
def extract_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    kind = parse_choice(fmt, ("json", "pdf"), name="format")
    if kind is None:
        raise Http404
    try:
        extract, content = selectors.extract_file(access_for(request.user), pk, kind)
    except RegisterExtract.DoesNotExist as exc:
        raise Http404 from exc
    # Every download by the asker is a read of the person's whole register (the person's
    # own downloads are not logged: access_record leaves the reader's own person out).
    log_read(request, AccessKind.REGISTER_EXTRACT, [extract.person])
    types = {"json": "application/json", "pdf": "application/pdf"}
    response = HttpResponse(content, content_type=types[kind])
    name = download_name(_("register-extract"), extract.person.employee_id, extension=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the data protection officer -------------------------------------------------------------


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who read whose data: filtered by the person read, the reader and the day, 50 at a time."""
    access = access_for(request.user)
    if not selectors.is_data_protection_officer(access):
        raise Http404
    form = AccessLogFilterForm(request.GET or None)
    range_error = form.only_range_error()
    if not range_error:
        check_filter_form(form)
    filters = form.filters() if form.is_bound and not range_error else selectors.LogFilter()
    found = selectors.access_log(access, filters) if not range_error else AccessEntry.objects.none()
    page = Paginator(found, settings.KOMPETENSLYFT_PAGE_SIZE).get_page(parse_page(request.GET.get("page")))
    heading = _heading(access, filters.person)
    entries: list[AccessEntry] = list(page.object_list)
    people = selectors.people_of_entries(entries)
    kinds = dict(AccessKind.choices)
    rows = [
        {
            "entry": entry,
            "reader": entry.reader_person.full_name if entry.reader_person else entry.reader_label,
            "what": kinds.get(entry.kind, entry.kind),
            "people": people.get(entry.pk),
            "url": reverse("dataprotection:access_entry", args=[entry.pk]),
        }
        for entry in entries
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dataprotection/access_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "heading": heading,
            "range_error": range_error,
        },
    )


def _heading(access: Access, text: str) -> str:
    """The page's heading: whom the log is about when it is filtered by person (names and
    employee ids, up to five of them)."""
    if not text:
        return _("Access log")
    people = selectors.people_matching(access, text, up_to=5)
    if not people:
        return _("Access log: no person matches “%(text)s”") % {"text": text}
    if len(people) > 5:
        return _("Access log: reads of the people matching “%(text)s”") % {"text": text}
    names = ", ".join(f"{p.given_name} {p.family_name} ({p.employee_id})" for p in people)
    return _("Access log: reads of %(people)s") % {"people": names}


@login_required
def access_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The people one read showed (names and employee ids), 50 at a time."""
    access = access_for(request.user)
    if not selectors.is_data_protection_officer(access):
        raise Http404
    try:
        entry = selectors.access_entry(access, pk)
    except AccessEntry.DoesNotExist as exc:
        raise Http404 from exc
    page = Paginator(selectors.entry_people(entry), settings.KOMPETENSLYFT_PAGE_SIZE).get_page(
        parse_page(request.GET.get("page"))
    )
    return render(
        request,
        "dataprotection/access_entry.html",
        {
            "entry": entry,
            "reader": entry.reader_person.full_name if entry.reader_person else entry.reader_label,
            "what": dict(AccessKind.choices).get(entry.kind, entry.kind),
            "page": page,
        },
    )


__all__ = [
    "access_entry",
    "access_log",
    "extract_file",
    "extract_for",
    "extract_own",
    "extract_status",
    "my_data",
]
