"""Initiatives and their plans, proposals for managers, the module catalogue, sessions with
bookings and attendance, the employee's journey, the team view, support, the funder report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kompetenslyft.competence.selectors import competences_in_use
from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.models import ProductRole
from kompetenslyft.core.params import id_list, optional_id, parse_id
from kompetenslyft.org.models import Organisation, Person, Role, Unit
from kompetenslyft.org.selectors import team_unit, team_units

from . import hooks, selectors, services
from .forms import (
    AnswerForm,
    BookPeopleForm,
    GoalForm,
    InitiativeForm,
    InitiativeSettingsForm,
    JobAidForm,
    PlanEntryForm,
    SessionDetailsForm,
    SessionForm,
    SupportForm,
)
from .funder_export import evaluation_rows, funder_xlsx, scope_rows
from .models import (
    Booking,
    Initiative,
    InitiativeGoal,
    JobAid,
    Module,
    PlanEntry,
    Proposal,
    Session,
    SupportContact,
    SupportRequest,
)
from .reports import (
    FunderScope,
    funder_figures,
    goal_attainment,
    hidden_evaluations,
    protected_funder_figures,
)


def _lead_org(request: HttpRequest, access: Access) -> Organisation:
    orgs = (
        Organisation.objects.all()
        if access.is_superuser
        else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids))
    )
    organisation = orgs.order_by("name").first()
    if organisation is None:
        raise Http404
    return organisation


def _initiative(request: HttpRequest, pk: int) -> tuple[Access, Initiative, bool]:
    access = access_for(request.user)
    initiative = selectors.initiatives_visible(access).filter(pk=pk).select_related("organisation").first()
    if initiative is None:
        raise Http404
    can_edit = access.is_lead_of(initiative.organisation_id) or bool(
        access.person_id and initiative.owners.filter(pk=access.person_id).exists()
    )
    return access, initiative, can_edit


@login_required
def initiatives(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    visible = selectors.initiatives_visible(access).select_related("organisation")
    # The menu offers this page to project leaders before any initiative names them.
    if not (access.is_lead or access.project_leader or visible.exists()):
        raise Http404
    form = None
    # A lead creates initiatives in its organisation; a project leader in the organisation of its
    # grant, and becomes the new initiative's owner (core.access: it sees its own initiatives).
    organisation, owners = _creator_org(access)
    if organisation is not None:
        form = InitiativeForm(
            request.POST or None,
            units=Unit.objects.filter(organisation=organisation).order_by("path"),
            roles=Role.objects.filter(organisation=organisation).order_by("name"),
            modules=selectors.modules_for(organisation.pk),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                initiative = services.initiative_create(
                    organisation=organisation,
                    code=data["code"],
                    name=data["name"],
                    purpose=data["purpose"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    budget=data["budget"],
                    units=list(Unit.objects.filter(organisation=organisation, pk__in=data["units"])),
                    roles=list(Role.objects.filter(organisation=organisation, pk__in=data["roles"])),
                    modules=list(selectors.modules_for(organisation.pk).filter(pk__in=data["modules"])),
                    owners=owners,
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("learning:initiative", pk=initiative.pk)
    topics = selectors.support_topics(_lead_org(request, access).pk) if access.is_lead else []
    return render(
        request,
        "learning/initiatives.html",
        {"initiatives": visible, "form": form, "topics": topics, "creates_as_owner": bool(owners)},
    )


def _creator_org(access: Access) -> tuple[Organisation | None, list[Person]]:
    """Where this account may create an initiative, and who owns it then: a lead's organisation
    (no owner named yet), else a project leader's own organisation with itself as owner."""
    if access.is_lead:
        orgs = (
            Organisation.objects.all()
            if access.is_superuser
            else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids))
        )
        return orgs.order_by("name").first(), []
    pl_orgs = access.org_ids_with(ProductRole.PROJECT_LEADER)
    if not pl_orgs or access.person_id is None:
        return None, []
    organisation = Organisation.objects.filter(pk__in=sorted(pl_orgs)).order_by("name").first()
    person = Person.objects.filter(pk=access.person_id).first()
    if organisation is None or person is None:
        return None, []
    return organisation, [person]


@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access, initiative, can_edit = _initiative(request, pk)
    entry_form = PlanEntryForm(prefix="entry")
    settings_form = InitiativeSettingsForm(
        prefix="settings",
        initial={
            "status": initiative.status,
            "owners": ", ".join(initiative.owners.values_list("employee_id", flat=True)),
            "steering_group": ", ".join(initiative.steering_group.values_list("employee_id", flat=True)),
            "support": ", ".join(
                SupportContact.objects.filter(initiative=initiative).values_list(
                    "person__employee_id", flat=True
                )
            ),
        },
    )
    goal_form = GoalForm(prefix="goal", competences=competences_in_use(initiative.organisation))
    if request.method == "POST":
        if not can_edit:
            raise Http404
        action = request.POST.get("action")
        if action == "entry":
            entry_form = PlanEntryForm(request.POST, prefix="entry")
            if entry_form.is_valid():
                PlanEntry.objects.create(initiative=initiative, **entry_form.cleaned_data)
                messages.success(request, _("Added to the plan."))
                return redirect(request.path)
        elif action == "toggle":
            entry = initiative.entries.filter(pk=parse_id(request.POST.get("entry"), name="entry")).first()
            if entry is not None:
                entry.done = not entry.done
                entry.save(update_fields=["done"])
            return redirect(request.path + "#plan")
        elif action == "goal":
            goal_form = GoalForm(
                request.POST, prefix="goal", competences=competences_in_use(initiative.organisation)
            )
            if goal_form.is_valid():
                data = dict(goal_form.cleaned_data)
                competences = data.pop("competences")
                goal = InitiativeGoal.objects.create(initiative=initiative, **data)
                goal.competences.set(competences)
                messages.success(request, _("The goal was added."))
                return redirect(request.path)
        elif action == "settings":
            settings_form = InitiativeSettingsForm(request.POST, prefix="settings")
            if settings_form.is_valid():
                data = settings_form.cleaned_data
                unknown = services.initiative_settings(
                    initiative=initiative,
                    status=data["status"],
                    owner_ids=settings_form.ids(data["owners"]),
                    steering_ids=settings_form.ids(data["steering_group"]),
                    support_ids=settings_form.ids(data["support"]),
                    actor=request.user,
                )
                if unknown:
                    messages.error(
                        request,
                        _("No one in the organisation has the employee id(s): %(ids)s")
                        % {"ids": ", ".join(unknown)},
                    )
                else:
                    messages.success(request, _("The initiative was updated."))
                return redirect(request.path)
        elif action == "propose":
            services.proposals_request(initiative=initiative, actor=request.user)
            messages.success(
                request, _("Proposals are being made from the gap; managers can review them soon.")
            )
            return redirect(request.path)
    plan = selectors.plan(initiative)
    # The checklist's evaluation item, annotated by the evaluation app (learning does not import it).
    annotate = hooks.provided("checklist_evaluation")
    evaluation_item, evaluation_status = (
        annotate(initiative, plan.get(PlanEntry.Kind.CHECKLIST, [])) if annotate else (None, None)
    )
    return render(
        request,
        "learning/initiative.html",
        {
            "evaluation_item": evaluation_item,
            "evaluation_status": evaluation_status,
            "initiative": initiative,
            "can_edit": can_edit,
            "plan": plan,
            "goals": selectors.goal_attainment(initiative),
            "summary": selectors.proposal_summary(access, initiative),
            "entry_form": entry_form,
            "settings_form": settings_form,
            "goal_form": goal_form,
            "modules": initiative.modules.all(),
            "panels": hooks.panels("initiative", request, {"initiative": initiative, "can_edit": can_edit}),
        },
    )


@login_required
def proposals(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager reviews its units' proposals (assigned and exempt, with why) and confirms."""
    access, initiative, _can_edit = _initiative(request, pk)
    if not access.can_list_people:
        raise Http404
    units = Unit.objects.filter(
        access.units_with_people_filter(), organisation=initiative.organisation
    ).order_by("path")
    wanted = optional_id(request.GET.get("unit") or request.POST.get("unit"), name="unit")
    unit = units.filter(pk=wanted).first() if wanted is not None else None
    scoped = Proposal.objects.filter(initiative=initiative).filter(access.people_filter("person__"))
    if unit is not None:
        scoped = scoped.filter(unit__path__startswith=unit.path)
    if request.method == "POST":
        count = services.proposals_confirm(proposals=scoped, actor=request.user)
        messages.success(request, _("%(count)s proposal(s) confirmed.") % {"count": count})
        return redirect(request.get_full_path())
    modules = {str(m.pk): m for m in initiative.modules.all()}
    rows = []
    for proposal in scoped.select_related("person", "person__role", "unit").order_by(
        "unit__path", "person__family_name"
    )[:500]:
        items = [(modules[str(k)], v) for k, v in proposal.decisions().items() if str(k) in modules]
        rows.append(
            {
                "proposal": proposal,
                "assigned": [i for i in items if i[1]["s"] == "assigned"],
                "exempt": [i for i in items if i[1]["s"] == "exempt"],
            }
        )
    return render(
        request,
        "learning/proposals.html",
        {"initiative": initiative, "rows": rows, "units": units, "unit": unit},
    )


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    organisation_ids = (
        access.organisation_ids
        if not access.is_superuser
        else set(Organisation.objects.values_list("pk", flat=True))
    )
    modules = Module.objects.filter(organisation_id__in=sorted(organisation_ids)) | Module.objects.filter(
        organisation__isnull=True
    )
    if request.method == "POST":
        person = Person.objects.filter(pk=access.person_id).first() if access.person_id else None
        module = modules.filter(pk=parse_id(request.POST.get("module"), name="module")).first()
        if person is None or module is None:
            raise Http404
        services.enrol(person=person, module=module)
        messages.success(request, _("You are enrolled in %(module)s.") % {"module": module.name})
        return redirect("learning:me")
    return render(
        request,
        "learning/catalogue.html",
        {
            "modules": modules.distinct()
            .prefetch_related("competences", "mandatory_roles")
            .order_by("category", "code")
        },
    )


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    running_orgs = (
        Organisation.objects.all()
        if access.is_superuser
        else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids | access.org_ids_with("trainer")))
    ).order_by("name")
    can_create = running_orgs.exists()
    # Managers have it in their menu (their people's sessions), even before there are any.
    if not can_create and not access.is_manager and not selectors.sessions_for(access).exists():
        raise Http404
    form = None
    if can_create:
        modules = Module.objects.filter(organisation__in=running_orgs) | Module.objects.filter(
            organisation__isnull=True
        )
        network = Organisation.objects.order_by("name")
        if len(running_orgs) == 1:
            network = network.exclude(pk=running_orgs[0].pk)
        form = SessionForm(
            request.POST or None,
            modules=modules.order_by("code"),
            organisations=running_orgs,
            network=network,
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            organisation = running_orgs.get(pk=data["organisation"])
            me = Person.objects.filter(pk=access.person_id).first() if access.person_id else None
            try:
                session = services.session_create(
                    organisation=organisation,
                    open_to=list(network.filter(pk__in=data["open_to"])),
                    module=modules.get(pk=data["module"]),
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    capacity=data["capacity"],
                    place=data["place"],
                    meeting_link=data["meeting_link"],
                    language=data["language"],
                    accessibility=data["accessibility"],
                    trainers=[me] if me and me.organisation_id == organisation.pk else [],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("learning:session", pk=session.pk)
    return render(
        request,
        "learning/sessions.html",
        {
            "sessions": selectors.sessions_for(access).filter(
                starts_at__gte=timezone.now() - dt.timedelta(days=60)
            ),
            "form": form,
        },
    )


def _session_network(session: Session) -> list[Organisation]:
    """The organisations a session may be opened to: for a shared module, every other one."""
    if session.module.organisation_id is not None:
        return []
    return list(Organisation.objects.exclude(pk=session.organisation_id).order_by("name"))


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Participants, booking, the waiting list and the trainer's register (works on a phone).
    What each viewer sees and may do is decided in ``core.access`` (see its docstring)."""
    access = access_for(request.user)
    session = selectors.sessions_for(access).filter(pk=pk).first()
    if session is None:
        raise Http404
    runs = selectors.session_runs(access, session)
    bookable = selectors.bookable_people(access, session)
    book_form = BookPeopleForm(bookable=bookable)
    network = _session_network(session) if runs else []
    details_form = SessionDetailsForm(
        network=network,
        initial={
            "recording_link": session.recording_link,
            "cancelled": session.cancelled,
            "open_to": list(session.open_to.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("attendance", "details") and not runs:
            raise Http404
        if action == "book":
            book_form = BookPeopleForm(request.POST, bookable=bookable)
            if book_form.is_valid():
                booked: list[str] = []
                waiting: list[str] = []
                try:
                    for person in book_form.cleaned_data["people"]:
                        booking = services.booking_book(session=session, person=person, actor=request.user)
                        (booked if booking.status == Booking.Status.BOOKED else waiting).append(
                            person.full_name
                        )
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                if booked:
                    messages.success(request, _("%(name)s is booked.") % {"name": ", ".join(booked)})
                if waiting:
                    messages.success(
                        request, _("%(name)s is on the waiting list.") % {"name": ", ".join(waiting)}
                    )
                return redirect(request.path)
        elif action == "cancel":
            wanted = parse_id(request.POST.get("booking"), name="booking")
            to_cancel = (
                session.bookings.exclude(status=Booking.Status.CANCELLED)
                .filter(access.booking_cancel_filter(session, runs=runs), pk=wanted)
                .first()
            )
            if to_cancel is None:
                raise Http404
            services.booking_cancel(booking=to_cancel, actor=request.user)
            messages.success(request, _("The booking was cancelled."))
            return redirect(request.path)
        elif action == "details":
            details_form = SessionDetailsForm(request.POST, network=network)
            if details_form.is_valid():
                data = details_form.cleaned_data
                try:
                    closed = services.session_update(
                        session=session,
                        recording_link=data["recording_link"],
                        cancelled=data["cancelled"],
                        open_to=[o for o in network if o.pk in data["open_to"]] if network else None,
                        actor=request.user,
                    )
                except ValidationError as exc:
                    details_form.add_error(None, exc)
                else:
                    messages.success(request, _("The session was updated."))
                    if closed:
                        messages.info(
                            request,
                            _("%(count)s booking(s) of organisations it is no longer open to were cancelled.")
                            % {"count": closed},
                        )
                    return redirect(request.path)
        elif action == "attendance":
            present = set(id_list(request.POST.getlist("present"), name="present"))
            count = services.attendance_take(session=session, present=present, actor=request.user)
            messages.success(request, _("Attendance saved for %(count)s people.") % {"count": count})
            return redirect(request.path)
        else:
            return redirect(request.path)
    people = selectors.session_people(access, session, runs=runs)
    search = request.GET.get("q", "").strip()[:100]
    candidates, candidates_total = (
        selectors.booking_candidates(access, session, search) if access.can_list_people else ([], 0)
    )
    attended = set(session.attendances.filter(status__in=selectors.DONE).values_list("person_id", flat=True))
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
            "panels": hooks.panels("session", request, {"session": session, "runs": runs}),
        },
        status=400 if book_form.errors or details_form.errors else 200,
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """The employee's journey: requirements and gaps, modules assigned, elective and exempt
    (and why), sessions, progress, job aids and where to ask for help."""
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    person = Person.objects.select_related("unit", "role", "organisation").get(pk=access.person_id)
    form = SupportForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "book":
            session = (
                selectors.sessions_bookable_by(person)
                .filter(pk=parse_id(request.POST.get("session"), name="session"))
                .first()
            )
            if session is None:
                raise Http404
            try:
                services.booking_book(session=session, person=person, actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("learning:me")
        if request.POST.get("action") == "cancel":
            booking = (
                Booking.objects.filter(
                    person=person, pk=parse_id(request.POST.get("booking"), name="booking")
                )
                .exclude(status=Booking.Status.CANCELLED)
                .first()
            )
            if booking is None:
                raise Http404
            services.booking_cancel(booking=booking, actor=request.user)
            messages.success(request, _("The booking was cancelled."))
            return redirect("learning:me")
        if form.is_valid():
            SupportRequest.objects.create(
                organisation=person.organisation,
                person=person,
                unit=person.unit,
                topic=form.cleaned_data["topic"],
                question=form.cleaned_data["question"],
            )
            messages.success(request, _("Your question is sent; you see the answer here."))
            return redirect("learning:me")
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
    return render(
        request,
        "learning/me.html",
        {
            "journey": journey,
            "form": form,
            "open_sessions": open_sessions,
            "panels": hooks.panels("journey", request, person),
        },
    )


@login_required
def team(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    units = team_units(access)
    unit = team_unit(access, optional_id(request.GET.get("unit"), name="unit"))
    if unit is None:
        raise Http404
    below = request.GET.get("below") == "1"
    return render(
        request,
        "learning/team.html",
        {
            "unit": unit,
            "units": units[:500],
            "rows": selectors.team_progress(access, unit, include_below=below),
            "below": below,
        },
    )


@login_required
def support(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    inbox = selectors.support_inbox(access)
    if request.method == "POST":
        question = inbox.filter(pk=parse_id(request.POST.get("request"), name="request")).first()
        form = AnswerForm(request.POST)
        if question is None:
            raise Http404
        if form.is_valid():
            question.answer = form.cleaned_data["answer"]
            question.answered_by_id = access.person_id
            question.answered_at = timezone.now()
            question.save(update_fields=["answer", "answered_by", "answered_at"])
            messages.success(request, _("The answer is sent."))
        return redirect("learning:support")
    if not access.person_id or not inbox.exists() and not access.org_ids_with("trainer"):
        raise Http404
    return render(request, "learning/support.html", {"inbox": inbox[:100], "form": AnswerForm()})


GENDER_CHOICES = {"woman": _lazy("women"), "man": _lazy("men"), "other": _lazy("other or unspecified")}


@login_required
def funder(request: HttpRequest) -> HttpResponse:
    """The funder report on screen, filtered by initiative, unit subtree, role, module, gender
    and period; with the initiative's goals; to Excel and PDF."""
    access = access_for(request.user)
    org_ids = access.org_ids_with("lead", "project_leader", "top_management", "evaluator")
    if access.is_superuser:
        org_ids = set(Organisation.objects.values_list("pk", flat=True))
    organisation = Organisation.objects.filter(pk__in=sorted(org_ids)).order_by("name").first()
    if organisation is None:
        raise Http404
    initiatives_qs = (
        Initiative.objects.filter(organisation=organisation).select_related("organisation").order_by("name")
    )
    units = Unit.objects.filter(organisation=organisation, depth__lte=1).order_by("path")
    roles = Role.objects.filter(organisation=organisation).order_by("name")
    modules = selectors.modules_for(organisation.pk).order_by("code")
    initiative = initiatives_qs.filter(code=request.GET.get("initiative", "")).first()
    unit = units.filter(unit_id=request.GET.get("unit", "")).first()
    role_id = optional_id(request.GET.get("role"), name="role")
    role = roles.filter(pk=role_id).first() if role_id is not None else None
    module_id = optional_id(request.GET.get("module"), name="module")
    module = modules.filter(pk=module_id).first() if module_id is not None else None
    gender = request.GET.get("gender") if request.GET.get("gender") in GENDER_CHOICES else None
    days = []
    for key in ("from", "to"):
        try:
            days.append(dt.date.fromisoformat(request.GET[key]) if request.GET.get(key) else None)
        except ValueError:
            days.append(None)
            messages.error(
                request, _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": request.GET[key]}
            )
    # Exact figures for the organisation's lead and inside the units a manager manages;
    # everyone else (top management, project leaders, evaluators) sees them through the
    # disclosure control, one initiative at a time over its whole period: counts of distinct
    # people over nested periods, or over all initiatives against one, would differ by small
    # groups (ADR 0004). Role and gender pass the same release; a module filter leaves such
    # viewers the evaluation figures only (ADR 0006).
    exact = access.is_lead_of(organisation.pk) or (
        unit is not None and any(unit.path.startswith(path) for path in access.managed_paths)
    )
    if not exact:
        initiative = initiative or initiatives_qs.first()
        days = [None, None]
    if module is not None and initiative is not None and not initiative.modules.filter(pk=module.pk).exists():
        module = None  # a module outside the initiative: no filter
    scope = FunderScope([organisation], initiative, days[0], days[1], unit, role, module, gender)
    if exact:
        figures = funder_figures(scope)
    elif initiative is not None:
        figures = protected_funder_figures(scope)
        days = [initiative.starts_on, initiative.ends_on]
    else:
        figures = {
            "unique_participants": dict.fromkeys(("total", "women", "men", "other_or_unspecified")),
            "training_hours": None,
            "evaluations": hidden_evaluations(),
        }
    goals = goal_attainment(initiative, protected=not exact) if initiative is not None else None
    if initiative is not None:  # the period the figures cover, stated on the page and exports
        days = [
            max(filter(None, (days[0], initiative.starts_on)), default=None),
            min(filter(None, (days[1], initiative.ends_on)), default=None),
        ]
    context = {
        "organisation": organisation,
        "figures": figures,
        "initiatives": initiatives_qs,
        "units": units,
        "roles": roles,
        "modules": initiative.modules.order_by("code") if initiative is not None else modules,
        "genders": list(GENDER_CHOICES.items()),
        "initiative": initiative,
        "unit": unit,
        "role": role,
        "module": module,
        "gender": gender,
        "gender_label": GENDER_CHOICES[gender] if gender else "",
        "days": days,
        "goals": goals,
        "query": request.GET.urlencode(),
        "protected": not exact,
        "today": timezone.localdate().isoformat(),
    }
    context["scope_rows"] = scope_rows(context)
    context["evaluation_rows"] = evaluation_rows(figures)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            funder_xlsx(context),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="funder-{organisation.code}.xlsx"'
        return response
    if request.GET.get("format") == "pdf":
        from django.template.loader import render_to_string
        from weasyprint import HTML

        html = render_to_string("learning/funder_pdf.html", context, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="funder-{organisation.code}.pdf"'
        return response
    return render(request, "learning/funder.html", context)


@login_required
def job_aids(request: HttpRequest) -> HttpResponse:
    """The job-aid library (lathundar): everyone reads its organisation's and the shared ones;
    leads and trainers add them."""
    access = access_for(request.user)
    org_ids = sorted(access.organisation_ids)
    if not org_ids and not access.is_superuser:
        raise Http404
    editor_orgs = access.lead_org_ids | access.org_ids_with("trainer")
    aids = (
        JobAid.objects.filter(Q(organisation_id__in=org_ids) | Q(organisation__isnull=True))
        .prefetch_related("modules", "competences")
        .defer("attachment")
    )
    form = None
    if editor_orgs:
        organisation = Organisation.objects.filter(pk__in=sorted(editor_orgs)).order_by("name").first()
        if organisation is None:
            raise Http404
        modules = selectors.modules_for(organisation.pk).order_by("code")
        competences = competences_in_use(organisation)
        form = JobAidForm(
            request.POST or None, request.FILES or None, modules=modules, competences=competences
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            services.job_aid_save(
                organisation=organisation,
                title=data["title"],
                owner=data["owner"],
                version=data["version"],
                plain_language=data["plain_language"],
                link=data["link"],
                attachment=data["attachment"],
                modules=list(modules.filter(pk__in=data["modules"])),
                competences=list(competences.filter(pk__in=data["competences"])),
                actor=request.user,
            )
            messages.success(request, _("The job aid was added."))
            return redirect("learning:job_aids")
    elif request.method == "POST":
        raise Http404
    return render(request, "learning/job_aids.html", {"aids": aids, "form": form})


@login_required
def job_aid_file(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    aid = (
        JobAid.objects.filter(
            Q(organisation_id__in=sorted(access.organisation_ids)) | Q(organisation__isnull=True), pk=pk
        )
        .exclude(attachment_name="")
        .first()
    )
    if aid is None:
        raise Http404
    response = HttpResponse(bytes(aid.attachment), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{aid.attachment_name}"'
    return response
