"""Sessions: the list (filters, paged) and scheduling, and one view per action on a session —
its page, booking people, cancelling a booking, the recording and who may book, the register,
cancelling the session. Who sees and does what is decided in ``core.access``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import check_filter_form, id_list, parse_id, parse_page, parse_text
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read_ids
from kompetenslyft.org.models import Organisation

from . import hooks, module_selectors, selectors, services
from .forms import BookPeopleForm, SessionDetailsForm, SessionFilterForm, SessionForm
from .models import Booking, Initiative, Module, Session
from .session_services import register_opens_on


def _running_orgs(access: Access) -> list[Organisation]:
    """The organisations this account schedules sessions for (lead or trainer there)."""
    orgs = (
        Organisation.objects.all()
        if access.is_superuser
        else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids | access.org_ids_with("trainer")))
    )
    return list(orgs.order_by("name"))


def _listed(sessions: Any) -> list[Any]:
    """The page's sessions with their link and local start worked out once each (not per cell
    in the template)."""
    rows = list(sessions)
    for session in rows:
        session.url = reverse("learning:session", args=[session.pk])
        session.when = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")
    return rows


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    running = _running_orgs(access)
    visible = selectors.sessions_for(access)
    # Managers have it in their menu (their people's sessions), even before there are any.
    if not running and not access.is_manager and not visible.exists():
        raise Http404
    org_ids = sorted({*(o.pk for o in running), *access.organisation_ids})
    modules = Module.objects.filter(pk__in=visible.values("module_id")).order_by("code")
    trainers = selectors.trainers_of(org_ids)
    initiatives = Initiative.objects.filter(pk__in=visible.values("initiative_id")).order_by("name")
    filter_form = SessionFilterForm(
        request.GET or None, modules=modules, trainers=trainers, initiatives=initiatives
    )
    check_filter_form(filter_form, ids=("module", "trainer", "initiative"))
    data = filter_form.cleaned_data if filter_form.is_bound else {}
    filters = selectors.SessionFilters(
        module_id=data.get("module"),
        trainer_id=data.get("trainer"),
        initiative_id=data.get("initiative"),
        start=data.get("start"),
        end=data.get("end"),
        when=data.get("when") or "upcoming",
    )
    paginator = Paginator(selectors.sessions_listed(access, filters), settings.KOMPETENSLYFT_PAGE_SIZE)
    page = paginator.get_page(parse_page(request.GET.get("page")))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learning/sessions.html",
        {
            "page": page,
            "rows": _listed(page.object_list),
            "query": query.urlencode(),
            "filter_form": filter_form,
            "form": _schedule_form(access, running) if running else None,
            "questions_waiting": _questions_waiting(access),
        },
    )


def _questions_waiting(access: Access) -> int | None:
    """How many questions routed to this trainer or super user wait for an answer (``None``:
    it answers none)."""
    if not access.person_id or not (access.is_trainer or access.is_lead):
        return None
    return selectors.support_inbox(access).filter(answered_at__isnull=True).count()


def _schedule_form(access: Access, running: list[Organisation], data: object = None) -> SessionForm:
    network = Organisation.objects.order_by("name")
    if len(running) == 1:
        network = network.exclude(pk=running[0].pk)
    ids = [o.pk for o in running]
    return SessionForm(
        data,
        modules=(
            Module.objects.filter(organisation_id__in=ids)
            | Module.objects.filter(organisation__isnull=True)
            | Module.objects.filter(adoptions__organisation_id__in=ids)
        )
        .distinct()
        .order_by("code"),
        organisations=running,
        network=network,
        trainers=selectors.trainers_of(ids),
        initiatives=Initiative.objects.filter(organisation_id__in=ids).order_by("name"),
    )


@login_required
@require_POST
def session_create(request: HttpRequest) -> HttpResponse:
    """Schedule a session: a module, a trainer picked among those with the trainer role of the
    running organisation, optionally an initiative of it."""
    access = access_for(request.user)
    running = _running_orgs(access)
    if not running:
        raise Http404
    form = _schedule_form(access, running, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        organisation = next(o for o in running if o.pk == data["organisation"])
        trainer = (
            selectors.trainers_of([organisation.pk]).filter(pk=data["trainer"]).first()
            if data["trainer"] is not None
            else None
        )
        initiative = (
            Initiative.objects.filter(organisation=organisation, pk=data["initiative"]).first()
            if data["initiative"] is not None
            else None
        )
        if data["trainer"] is not None and trainer is None:
            form.add_error("trainer", _("Pick a trainer of the organisation that runs the session."))
        elif data["initiative"] is not None and initiative is None:
            form.add_error("initiative", _("Pick an initiative of the organisation that runs the session."))
        else:
            if trainer is None and access.person_id:  # none picked: the trainer scheduling it
                trainer = selectors.trainers_of([organisation.pk]).filter(pk=access.person_id).first()
            network = Organisation.objects.exclude(pk=organisation.pk)
            try:
                session = services.session_create(
                    organisation=organisation,
                    open_to=list(network.filter(pk__in=data["open_to"])),
                    module=Module.objects.get(pk=data["module"]),  # one of the form's choices
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    capacity=data["capacity"],
                    place=data["place"],
                    meeting_link=data["meeting_link"],
                    language=data["language"],
                    accessibility=data["accessibility"],
                    trainers=[trainer] if trainer else [],
                    initiative=initiative,
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("learning:session", pk=session.pk)
    paginator = Paginator(
        selectors.sessions_listed(access, selectors.SessionFilters()), settings.KOMPETENSLYFT_PAGE_SIZE
    )
    visible = selectors.sessions_for(access)
    first = paginator.get_page(1)
    return render(
        request,
        "learning/sessions.html",
        {
            "page": first,
            "rows": _listed(first.object_list),
            "query": "",
            "filter_form": SessionFilterForm(
                modules=Module.objects.filter(pk__in=visible.values("module_id")).order_by("code"),
                trainers=selectors.trainers_of([o.pk for o in running]),
                initiatives=Initiative.objects.filter(pk__in=visible.values("initiative_id")),
            ),
            "form": form,
        },
        status=400,
    )


def _session(request: HttpRequest, pk: int) -> tuple[Access, Session, bool]:
    access = access_for(request.user)
    session = selectors.sessions_for(access).filter(pk=pk).first()
    if session is None:
        raise Http404
    return access, session, selectors.session_runs(access, session)


def _session_network(session: Session) -> list[Organisation]:
    """The organisations a session may be opened to (``module_selectors.session_network``)."""
    return list(
        module_selectors.session_network(module=session.module, organisation=session.organisation).order_by(
            "name"
        )
    )


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Participants, booking, the waiting list and the trainer's register (works on a phone)."""
    access, session, runs = _session(request, pk)
    return _detail_page(request, access, session, runs)


def _detail_page(
    request: HttpRequest,
    access: Access,
    session: Session,
    runs: bool,
    *,
    book_form: BookPeopleForm | None = None,
    details_form: SessionDetailsForm | None = None,
) -> HttpResponse:
    """The session's page; a refused form is shown on it with its errors (400)."""
    network = _session_network(session) if runs else []
    details_form = details_form or SessionDetailsForm(
        network=network,
        initial={
            "recording_link": session.recording_link,
            "open_to": list(session.open_to.values_list("pk", flat=True)),
        },
    )
    book_form = book_form or BookPeopleForm(bookable=selectors.bookable_people(access, session))
    people = selectors.session_people(access, session, runs=runs)
    log_read_ids(
        request,
        AccessKind.SESSION_REGISTER,
        [(row.person_id, row.organisation_id) for row in [*people.booked, *people.waiting]],
    )
    search = parse_text(request.GET.get("q"), name="q").strip()[:100]
    candidates, candidates_total = (
        selectors.booking_candidates(access, session, search) if access.can_list_people else ([], 0)
    )
    attended = set(session.attendances.filter(status__in=selectors.DONE).values_list("person_id", flat=True))
    taken = session.attendance_taken_at is not None
    alternatives = (
        selectors.sessions_for(access)
        .filter(module_id=session.module_id, cancelled=False, starts_at__gte=timezone.now())
        .exclude(pk=session.pk)
        .order_by("starts_at")[:10]
        if session.cancelled
        else []
    )
    return render(
        request,
        "learning/session.html",
        {
            "session": session,
            "people": people,
            "attended": attended,
            "runs": runs,
            "details_form": details_form,
            "book_form": book_form,
            "can_book": access.can_list_people,
            "candidates": candidates,
            "candidates_total": candidates_total,
            "search": search,
            "open_to": list(session.open_to.order_by("name")),
            "register_opens_on": register_opens_on(session),
            "taken": taken,
            "started": session.starts_at <= timezone.now(),
            "can_cancel": runs and not taken and not session.cancelled,
            "alternatives": alternatives,
            "trainers": list(session.trainers.order_by("family_name")),
            "panels": hooks.panels("session", request, {"session": session, "runs": runs}),
        },
        status=400 if book_form.errors or details_form.errors else 200,
    )


@login_required
@require_POST
def session_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book people picked from those this account may book (a lead, a manager)."""
    access, session, _runs = _session(request, pk)
    form = BookPeopleForm(request.POST, bookable=selectors.bookable_people(access, session))
    if not form.is_valid():
        return _detail_page(request, access, session, _runs, book_form=form)
    booked: list[str] = []
    waiting: list[str] = []
    try:
        for person in form.cleaned_data["people"]:
            booking = services.booking_book(session=session, person=person, actor=request.user)
            (booked if booking.status == Booking.Status.BOOKED else waiting).append(person.full_name)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if booked:
        messages.success(request, _("%(name)s is booked.") % {"name": ", ".join(booked)})
    if waiting:
        messages.success(request, _("%(name)s is on the waiting list.") % {"name": ", ".join(waiting)})
    return redirect("learning:session", pk=session.pk)


@login_required
@require_POST
def session_booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    access, session, runs = _session(request, pk)
    wanted = parse_id(request.POST.get("booking"), name="booking")
    booking = (
        session.bookings.exclude(status=Booking.Status.CANCELLED)
        .filter(access.booking_cancel_filter(session, runs=runs), pk=wanted)
        .first()
    )
    if booking is None:
        raise Http404
    try:
        services.booking_cancel(booking=booking, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The booking was cancelled."))
    return redirect("learning:session", pk=session.pk)


@login_required
@require_POST
def session_details(request: HttpRequest, pk: int) -> HttpResponse:
    """The recording (afterwards) and the organisations the session is opened to."""
    access, session, runs = _session(request, pk)
    if not runs:
        raise Http404
    network = _session_network(session)
    form = SessionDetailsForm(request.POST, network=network)
    if not form.is_valid():
        return _detail_page(request, access, session, runs, details_form=form)
    data = form.cleaned_data
    try:
        closed = services.session_update(
            session=session,
            recording_link=data["recording_link"],
            open_to=[o for o in network if o.pk in data["open_to"]] if network else None,
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learning:session", pk=session.pk)
    messages.success(request, _("The session was updated."))
    if closed:
        messages.info(
            request,
            _("%(count)s booking(s) of organisations it is no longer open to were cancelled.")
            % {"count": closed},
        )
    return redirect("learning:session", pk=session.pk)


@login_required
@require_POST
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The register: open from the day of the session."""
    access, session, runs = _session(request, pk)
    if not runs:
        raise Http404
    present = set(id_list(request.POST.getlist("present"), name="present"))
    try:
        saved = services.attendance_take(session=session, present=present, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Attendance saved: %(present)s present, %(absent)s absent.")
            % {"present": saved.present, "absent": saved.absent},
        )
    return redirect("learning:session", pk=session.pk)


@login_required
@require_POST
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the session: everyone booked or waiting is told (e-mail with an .ics CANCEL)."""
    _access, session, runs = _session(request, pk)
    if not runs:
        raise Http404
    try:
        told = services.session_cancel(session=session, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The session is cancelled; %(count)s booked or waiting people are told by e-mail.")
            % {"count": told},
        )
    return redirect("learning:session", pk=session.pk)
