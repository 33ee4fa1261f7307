"""The employee's journey (``learning:me``) and its actions, one view each: book a session,
cancel one's booking. (Asking a question is ``support_views.support_ask``.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import parse_id
from kompetenslyft.org.models import Person

from . import hooks, selectors, services
from .forms import SupportForm
from .models import Booking, Session
from .session_services import session_alternatives


def _me(request: HttpRequest) -> Person:
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    return Person.objects.select_related("unit", "role", "organisation").get(pk=access.person_id)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The employee's journey: requirements and gaps, modules assigned, elective and exempt
    (and why), sessions, recordings, progress, job aids and where to ask for help."""
    return journey_page(request, _me(request), SupportForm())


def journey_page(request: HttpRequest, person: Person, form: SupportForm, status: int = 200) -> HttpResponse:
    journey = selectors.journey(person)
    # Sessions of the modules still to do (not those it is exempt from), not already booked.
    module_ids = [j.module.pk for j in journey.open_modules if j.state != "exempt"]
    open_sessions = (
        selectors.sessions_bookable_by(person)
        .filter(module_id__in=module_ids, cancelled=False, starts_at__gte=timezone.now())
        .exclude(
            bookings__person=person, bookings__status__in=[Booking.Status.BOOKED, Booking.Status.WAITING]
        )
        .select_related("module")
        .order_by("starts_at")[:30]
    )
    cancelled = [
        (booking, list(session_alternatives(booking.session, person)[:5])) for booking in journey.cancelled
    ]
    return render(
        request,
        "learning/me.html",
        {
            "journey": journey,
            "form": form,
            "open_sessions": open_sessions,
            "cancelled": cancelled,
            "panels": hooks.panels("journey", request, person),
        },
        status=status,
    )


def book_posted(request: HttpRequest, person: Person, sessions: QuerySet[Session]) -> None:
    """Book the person on the posted session, one of ``sessions`` (404 otherwise), through
    ``services.booking_book`` (a place, or the waiting list when it is full), and say which."""
    session = (
        sessions.filter(pk=parse_id(request.POST.get("session"), name="session"))
        .select_related("module")
        .first()
    )
    if session is None:
        raise Http404
    try:
        booking = services.booking_book(session=session, person=person, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return
    when = date_format(timezone.localtime(session.starts_at), "Y-m-d H:i")
    if booking.status == Booking.Status.BOOKED:
        messages.success(
            request,
            _("You are booked on %(module)s %(date)s.") % {"module": session.module.name, "date": when},
        )
    else:
        messages.success(
            request,
            _("The session is full: you are on the waiting list of %(module)s %(date)s.")
            % {"module": session.module.name, "date": when},
        )


@login_required
@require_POST
def journey_book(request: HttpRequest) -> HttpResponse:
    """Book oneself on a session (a place, or the waiting list when it is full)."""
    person = _me(request)
    book_posted(request, person, selectors.sessions_bookable_by(person))
    return redirect("learning:me")


@login_required
@require_POST
def journey_booking_cancel(request: HttpRequest) -> HttpResponse:
    person = _me(request)
    booking = (
        Booking.objects.filter(person=person, pk=parse_id(request.POST.get("booking"), name="booking"))
        .exclude(status=Booking.Status.CANCELLED)
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
    return redirect("learning:me")
