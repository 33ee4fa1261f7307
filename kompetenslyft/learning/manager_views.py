"""The manager's workday: its people's proposals (confirm, swap a module, exempt with a reason,
confirm all of a selection), its team over the whole subtree, and booking its assigned people
onto a session. One URL and view per action; writes through ``proposal_services``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import id_list, optional_id, parse_choice, parse_id, parse_page
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read
from kompetenslyft.org.models import Role, Unit
from kompetenslyft.org.selectors import team_units

from . import manager_selectors as ms
from . import proposal_services, selectors, services
from .models import Initiative, Module, Proposal

STATUS_LABELS = {
    "awaiting": gettext_lazy("awaiting confirmation"),
    "not_started": gettext_lazy("not started"),
    "in_progress": gettext_lazy("in progress"),
    "done": gettext_lazy("done"),
    "exempt": gettext_lazy("exempt"),
    "none": gettext_lazy("nothing assigned"),
}
FILTER_KEYS = ("unit", "role", "status", "page")


@dataclass
class Filters:
    unit: Unit | None
    role: Role | None
    status: str | None
    query: str  # the filters as a query string (without the page)


def _filters(request: HttpRequest, access: Access, data: QueryDict, statuses: tuple[str, ...]) -> Filters:
    # A unit or role outside the viewer's scope is a 404, never "no filter": confirm-all acts on
    # the filtered selection, which must not widen to everything when the filter is refused.
    unit_id = optional_id(data.get("unit"), name="unit")
    unit = ms.manageable_units(access).filter(pk=unit_id).first() if unit_id is not None else None
    role_id = optional_id(data.get("role"), name="role")
    role = ms.scope_roles(access).filter(pk=role_id).first() if role_id is not None else None
    if (unit_id is not None and unit is None) or (role_id is not None and role is None):
        raise Http404
    status = parse_choice(data.get("status"), statuses, name="status")
    query = QueryDict(mutable=True)
    for key, value in (("unit", unit and unit.pk), ("role", role and role.pk), ("status", status)):
        if value:
            query[key] = str(value)
    return Filters(unit, role, status, query.urlencode())


def _page(request: HttpRequest, rows: ms.ByIds) -> Page:
    """A page of the rows (ordered and paged on their ids, then that page loaded)."""
    paginator: Paginator[Any] = Paginator(rows, settings.KOMPETENSLYFT_PAGE_SIZE)  # type: ignore[arg-type]
    return paginator.get_page(parse_page(request.GET.get("page")))


# --- proposals ------------------------------------------------------------------------------


def _manager_initiative(request: HttpRequest, pk: int) -> tuple[Access, Initiative]:
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    initiative = selectors.initiatives_visible(access).filter(pk=pk).select_related("organisation").first()
    if initiative is None:
        raise Http404
    return access, initiative


def _clean_query(raw: str) -> str:
    """The proposals list's filters and page from a query string, nothing else."""
    given = QueryDict(raw[:300])
    query = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        value = given.get(key, "")
        if value.isascii() and value.isdigit() or key == "status" and value in Proposal.Status.values:
            query[key] = value
    return query.urlencode()


def _back(request: HttpRequest, initiative: Initiative, proposal: Proposal | None = None) -> HttpResponse:
    """Back to the proposals page (or the person's) with the filters and page it came from."""
    query = _clean_query(request.POST.get("back", ""))
    if proposal is not None:
        url = reverse("learning:proposal", args=[initiative.pk, proposal.pk])
    else:
        url = reverse("learning:proposals", args=[initiative.pk])
    return redirect(f"{url}?{query}" if query else url)


@login_required
def proposals(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager reviews its people's proposals (assigned and exempt, with why), 50 at a time,
    filtered by unit, role and status, and decides per person or for the selection."""
    access, initiative = _manager_initiative(request, pk)
    filters = _filters(request, access, request.GET, tuple(Proposal.Status.values))
    total, to_confirm = ms.proposals_counts(
        access,
        initiative,
        unit=filters.unit,
        role_id=filters.role.pk if filters.role else None,
        status=filters.status,
    )
    page = _page(
        request,
        ms.ByIds(
            ms.proposal_ids_by_name(
                access,
                initiative,
                unit=filters.unit,
                role_id=filters.role.pk if filters.role else None,
                status=filters.status,
            ),
            Proposal.objects.select_related("person", "person__role", "person__unit"),
            total,
        ),
    )
    modules = list(initiative.modules.order_by("code"))
    back = f"{filters.query}&page={page.number}" if filters.query else f"page={page.number}"
    rows = ms.proposal_rows(list(page.object_list), modules)
    log_read(request, AccessKind.PROPOSAL, [row.proposal.person for row in rows])
    statuses = dict(Proposal.Status.choices)
    for row in rows:  # worked out here, not per cell in the template (50 rows a page)
        proposal = row.proposal
        name = proposal.person.full_name
        row.name = name
        row.url = f"{reverse('learning:proposal', args=[initiative.pk, proposal.pk])}?{back}"
        row.status_label = str(statuses.get(proposal.status, proposal.status))
        row.change_label = _("Change for %(name)s") % {"name": name}
        if proposal.status == Proposal.Status.PROPOSED:
            row.confirm_url = reverse("learning:proposal_confirm", args=[initiative.pk, proposal.pk])
            row.confirm_label = _("Confirm for %(name)s") % {"name": name}
    return render(
        request,
        "learning/proposals.html",
        {
            "initiative": initiative,
            "page": page,
            "rows": rows,
            "units": team_units(access)[:500],
            "roles": ms.scope_roles(access),
            "statuses": Proposal.Status.choices,
            "filters": filters,
            "back": back,
            "to_confirm": to_confirm,
        },
    )


def _proposal(request: HttpRequest, pk: int, proposal_pk: int) -> tuple[Initiative, Proposal]:
    access, initiative = _manager_initiative(request, pk)
    proposal = (
        ms.proposals_of(access, initiative)
        .filter(pk=proposal_pk)
        .select_related("initiative", "initiative__organisation", "person")
        .first()
    )
    if proposal is None:
        raise Http404
    return initiative, proposal


def _module_of(initiative: Initiative, value: object, name: str) -> Module:
    module = initiative.modules.filter(pk=parse_id(value, name=name)).first()
    if module is None:
        raise Http404
    return module


@login_required
def proposal(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    """One person's proposal: why each module, and the swap and the exemption."""
    initiative, found = _proposal(request, pk, proposal)
    found = Proposal.objects.select_related("person", "person__unit", "person__role").get(pk=found.pk)
    modules = list(initiative.modules.order_by("code"))
    log_read(request, AccessKind.PROPOSAL, [found.person])
    return render(
        request,
        "learning/proposal.html",
        {
            "initiative": initiative,
            "row": ms.proposal_rows([found], modules)[0],
            "back": _clean_query(request.META.get("QUERY_STRING", "")),
        },
    )


@require_POST
@login_required
def proposal_confirm(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    initiative, found = _proposal(request, pk, proposal)
    if proposal_services.proposal_confirm(proposal=found, actor=request.user):
        messages.success(request, _("Confirmed for %(name)s.") % {"name": found.person.full_name})
    return _back(request, initiative)


@require_POST
@login_required
def proposal_swap(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    initiative, found = _proposal(request, pk, proposal)
    module = _module_of(initiative, request.POST.get("module"), "module")
    replacement = _module_of(initiative, request.POST.get("replacement"), "replacement")
    try:
        proposal_services.proposal_swap(
            proposal=found, module=module, replacement=replacement, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s: %(new)s instead of %(old)s.")
            % {"name": found.person.full_name, "new": replacement.code, "old": module.code},
        )
    return _back(request, initiative, found)


@require_POST
@login_required
def proposal_exempt(request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
    initiative, found = _proposal(request, pk, proposal)
    module = _module_of(initiative, request.POST.get("module"), "module")
    try:
        proposal_services.proposal_exempt(
            proposal=found, module=module, reason=request.POST.get("reason", "")[:2000], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(name)s is exempt from %(module)s.")
            % {"name": found.person.full_name, "module": module.code},
        )
    return _back(request, initiative, found)


@require_POST
@login_required
def proposals_confirm_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm every proposal of the filtered selection (all its pages), the manager's people only."""
    access, initiative = _manager_initiative(request, pk)
    filters = _filters(request, access, request.POST, tuple(Proposal.Status.values))
    selection = ms.proposals_filtered(
        access,
        initiative,
        unit=filters.unit,
        role_id=filters.role.pk if filters.role else None,
        status=filters.status,
    )
    count = services.proposals_confirm(proposals=selection, actor=request.user)
    messages.success(request, _("%(count)s proposal(s) confirmed.") % {"count": count})
    url = reverse("learning:proposals", args=[initiative.pk])
    return redirect(f"{url}?{filters.query}" if filters.query else url)


# --- the team -------------------------------------------------------------------------------


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """The manager's team: everyone of its units and those below, by unit, role and status,
    50 at a time, with the proposals to confirm and the way to book its people."""
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    filters = _filters(request, access, request.GET, ms.TEAM_STATUSES)
    people = ms.team_people(
        access, unit=filters.unit, role_id=filters.role.pk if filters.role else None, status=filters.status
    )
    page = _page(request, people)
    rows = ms.team_rows(list(page.object_list))
    log_read(request, AccessKind.TEAM_PROGRESS, [row.person for row in rows])
    labels = {key: str(label) for key, label in STATUS_LABELS.items()}
    for row in rows:  # worked out here, not per cell in the template (50 rows, 50,000 people)
        row.status_label = labels[row.status]
        row.person_url = reverse("org:person", args=[row.person.pk])
    return render(
        request,
        "learning/team.html",
        {
            "page": page,
            "rows": rows,
            "units": team_units(access)[:500],
            "roles": ms.scope_roles(access),
            "statuses": [(s, STATUS_LABELS[s]) for s in ms.TEAM_STATUSES],
            "filters": filters,
            "initiatives": ms.awaiting_by_initiative(access),
        },
    )


# --- booking one's assigned people ----------------------------------------------------------


@login_required
def book_assigned(request: HttpRequest) -> HttpResponse:
    """Pick a coming session of a module one's people are assigned."""
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    return render(request, "learning/book_assigned.html", {"sessions": ms.sessions_to_book(access)[:100]})


@login_required
def book_assigned_session(request: HttpRequest, pk: int) -> HttpResponse:
    """One's own people assigned to the session's module and not booked: tick them, book."""
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    session = ms.sessions_to_book(access).filter(pk=pk).first()
    if session is None:
        raise Http404
    people = ms.assigned_not_booked(access, session)
    if request.method == "POST":
        by_id = {p.pk: p for p in people}
        wanted = id_list(request.POST.getlist("person"), name="person")
        if any(pk not in by_id for pk in wanted):
            return HttpResponseBadRequest(_("Someone chosen cannot be booked on this session."))
        if not wanted:
            messages.error(request, _("Tick the people to book."))
            return redirect("learning:book_assigned_session", pk=session.pk)
        wanted = list(dict.fromkeys(wanted))
        free = session.free_places  # type: ignore[attr-defined]
        if 0 < free < len(wanted):
            messages.error(
                request,
                ngettext(
                    "You ticked %(ticked)s people but only %(free)s place is free on this session: "
                    "nobody was booked. Tick at most %(free)s, or pick another session.",
                    "You ticked %(ticked)s people but only %(free)s places are free on this session: "
                    "nobody was booked. Tick at most %(free)s, or pick another session.",
                    free,
                )
                % {"ticked": len(wanted), "free": free},
            )
            return redirect("learning:book_assigned_session", pk=session.pk)
        try:
            booked, waiting = proposal_services.booking_book_people(
                session=session, people=[by_id[pk] for pk in wanted], actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("learning:book_assigned_session", pk=session.pk)
        if booked:
            messages.success(
                request,
                ngettext("Booked: %(names)s.", "Booked (%(count)s): %(names)s.", len(booked))
                % {"count": len(booked), "names": ", ".join(p.full_name for p in booked)},
            )
        if waiting:
            messages.warning(
                request,
                ngettext(
                    "On the waiting list: %(names)s.",
                    "On the waiting list (%(count)s): %(names)s.",
                    len(waiting),
                )
                % {"count": len(waiting), "names": ", ".join(p.full_name for p in waiting)},
            )
        return redirect("learning:book_assigned_session", pk=session.pk)
    return render(
        request,
        "learning/book_assigned_session.html",
        {"session": session, "people": people, "free": session.free_places},  # type: ignore[attr-defined]
    )
