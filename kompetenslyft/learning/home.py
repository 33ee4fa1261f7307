"""The learning domain's cards on the start page (registered in ``LearningConfig.ready``):
what each role does next in initiatives, sessions and support. Reads only, each card a few
aggregate queries whatever the size of the organisation; the manager's figures are counts
over its own units (and those below), the top management's key figures pass the disclosure
control."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kompetenslyft.core.access import Access
from kompetenslyft.core.home import Card, Item
from kompetenslyft.core.models import ProductRole
from kompetenslyft.org.models import Organisation, Person, Unit
from kompetenslyft.org.selectors import head_count, in_subtrees

from .models import Booking, Initiative, Proposal, Session, SupportRequest
from .reports import FunderScope, protected_funder_figures
from .selectors import completed_modules, modules_to_do, support_inbox, support_topics


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _start_of_today() -> dt.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def _under(paths: tuple[str, ...], field: str) -> Q:
    """People (through ``field``, e.g. "person__unit") in the units under these paths: the
    units are found first (a few dozen), then their people and rows by index — not a path
    comparison joined onto every row (SQLite's LIKE cannot use the path index)."""
    return in_subtrees(paths, field)


# --- selectors ------------------------------------------------------------------------------------
def proposals_to_confirm(access: Access) -> list[dict[str, Any]]:
    """Per initiative, the proposals still to confirm of people in the manager's units."""
    # through the people's ids (their unit index, then the proposals' person index): joined on
    # the person, SQLite read every proposal of the initiative (120 ms at 50,000 people)
    people = Person.objects.filter(_under(access.managed_paths, "unit")).values("pk")
    return list(
        Proposal.objects.filter(person__in=people, status=Proposal.Status.PROPOSED)
        .values("initiative_id", "initiative__name")
        .annotate(n=Count("pk"))
        .order_by("initiative__name")[:10]
    )


def team_follow_up(access: Access) -> dict[str, int]:
    """Counts of the manager's people (people, not assignments), by the rule of "Book my
    assigned people": with a module assigned by a confirmed proposal that has coming sessions to
    book (self-paced modules and modules with no coming session cannot be booked), that they
    have not done and are not booked or waiting on a coming session of; and, beside it, who has
    done nothing yet."""
    from .manager_selectors import sessions_to_book

    now = timezone.now()
    bookable = set(sessions_to_book(access).order_by().values_list("module_id", flat=True))
    people = Person.objects.filter(_under(access.managed_paths, "unit"), is_active=True)
    open_modules: dict[int, set[int]] = {}
    for person_id, items in Proposal.objects.filter(
        person__in=people, status=Proposal.Status.CONFIRMED, assigned__gt=0
    ).values_list("person_id", "items"):
        decisions = Proposal(items=items).decisions()
        open_modules.setdefault(person_id, set()).update(
            m for m, d in decisions.items() if d["s"] == "assigned" and m in bookable
        )
    ids = sorted(open_modules)
    done = completed_modules(ids) if ids else {}
    for person_id, module_id in Booking.objects.filter(
        person_id__in=ids,
        status__in=[Booking.Status.BOOKED, Booking.Status.WAITING],
        session__starts_at__gte=now,
        session__cancelled=False,
    ).values_list("person_id", "session__module_id"):
        open_modules[person_id].discard(module_id)
    waiting = {pk for pk, modules in open_modules.items() if modules - done.get(pk, set())}
    # "Not started" is the team view's own status filter (one definition, one selector), so the
    # card's figure is the number of people its link lists.
    from .manager_selectors import team_people

    return {"not_booked": len(waiting), "lagging": team_people(access, status="not_started").count()}


def team_questions(access: Access) -> dict[str, int]:
    return SupportRequest.objects.filter(_under(access.managed_paths, "person__unit")).aggregate(
        total=Count("pk"), waiting=Count("pk", filter=Q(answered_at__isnull=True))
    )


def trainer_sessions(person_id: int) -> tuple[list[Session], list[Session], int]:
    """The trainer's sessions from today on (date order), and those started without a register."""
    mine = Session.objects.filter(trainers=person_id, cancelled=False).select_related("module")
    coming = list(mine.filter(starts_at__gte=_start_of_today()).order_by("starts_at")[:5])
    untaken = mine.filter(starts_at__lte=timezone.now(), attendance_taken_at__isnull=True)
    return coming, list(untaken.order_by("-starts_at")[:5]), untaken.count()


def lead_initiatives(access: Access) -> list[Initiative]:
    initiatives = Initiative.objects.exclude(status=Initiative.Status.CLOSED)
    if not access.is_superuser:
        initiatives = initiatives.filter(organisation_id__in=sorted(access.lead_org_ids))
    return list(initiatives.order_by("status", "-starts_on", "name")[:8])


def own_initiatives(person_id: int | None) -> list[Initiative]:
    if person_id is None:
        return []
    return list(
        Initiative.objects.filter(Q(owners=person_id) | Q(steering_group=person_id))
        .distinct()
        .order_by("-starts_on", "name")[:10]
    )


def key_figures(organisation: Organisation, today: dt.date) -> dict[str, Any]:
    """An organisation's key figures for its top management and the evaluator: head counts of
    the whole organisation (through the head-count release, ADR 0007), initiatives running, and
    per running initiative its participants and training hours over its whole period — exactly
    the funder report's protected figures (ADR 0004). No year-to-date total: counts of distinct
    people over a growing period, or over all initiatives against one, would differ by small
    groups from one day to the next or from the funder report."""
    running = list(
        Initiative.objects.filter(organisation=organisation)
        .filter(Initiative.running_on(today))
        .order_by("-starts_on", "name")
    )
    initiatives = []
    for initiative in running[:KEY_FIGURE_INITIATIVES]:
        figures = protected_funder_figures(FunderScope(organisations=[organisation], initiative=initiative))
        initiatives.append(
            {
                "initiative": initiative,
                "participants": figures["unique_participants"]["total"],
                "hours": figures["training_hours"],
            }
        )
    return {
        "people": head_count(organisation),
        "units": Unit.objects.filter(organisation=organisation).count(),
        "running": len(running),
        "initiatives": initiatives,
    }


KEY_FIGURE_INITIATIVES = 3  # the latest running initiatives shown on the start page
SHOWN_TO_DO = 5  # the assigned modules listed on the employee's start page (the count is of all)


# --- cards ----------------------------------------------------------------------------------------
def employee_card(access: Access, person: Any) -> Card | None:
    if person is None:
        return None
    items = []
    # One selector for the figure and the list: the assigned modules not done, each listed
    # with its booked session's time (or that it is not booked yet). A done module is not here.
    found = modules_to_do(person)
    to_do = found.assigned
    if to_do:
        items.append(
            Item(
                ngettext("%(n)s assigned module to do", "%(n)s assigned modules to do", len(to_do))
                % {"n": len(to_do)},
                reverse("learning:me"),
            )
        )
    for entry in to_do[:SHOWN_TO_DO]:
        items.append(
            Item(
                entry.module.name,
                reverse("learning:me"),
                detail=_when(entry.booking.session.starts_at) if entry.booking else _("not booked yet"),
            )
        )
    for booking in found.booked[:3]:
        items.append(
            Item(booking.session.module.name, reverse("learning:me"), detail=_when(booking.session.starts_at))
        )
    answered = SupportRequest.objects.filter(
        person_id=person.pk, answered_at__gte=timezone.now() - dt.timedelta(days=30)
    ).count()
    if answered:
        items.append(
            Item(
                ngettext(
                    "%(n)s of your questions has been answered",
                    "%(n)s of your questions have been answered",
                    answered,
                )
                % {"n": answered},
                reverse("learning:me"),
            )
        )
    return Card(
        "my-learning",
        _("My learning"),
        items,
        empty=_("Nothing assigned or booked right now."),
        links=[Item(_("My learning: modules, sessions, questions"), reverse("learning:me"))],
    )


def manager_card(access: Access, person: Any) -> Card | None:
    if not access.is_manager:
        return None
    items = [
        Item(
            row["initiative__name"],
            reverse("learning:proposals", args=[row["initiative_id"]]),
            detail=ngettext("%(n)s proposal to confirm", "%(n)s proposals to confirm", row["n"])
            % {"n": row["n"]},
        )
        for row in proposals_to_confirm(access)
    ]
    follow = team_follow_up(access)
    questions = team_questions(access)
    items.append(
        Item(
            # After the count, in lower case and in the count's number ("1 person", "2 people").
            ngettext(
                "assigned person not yet booked on a session",
                "assigned people not yet booked on a session",
                follow["not_booked"],
            ),
            reverse("learning:book_assigned"),
            count=follow["not_booked"],
            detail=_("modules with coming sessions only; e-learning is done without booking"),
        )
    )
    items.append(
        Item(
            ngettext(
                "person who has not started (no session, nothing done)",
                "people who have not started (no session, nothing done)",
                follow["lagging"],
            ),
            reverse("learning:team") + "?" + urlencode({"status": "not_started"}),
            count=follow["lagging"],
        )
    )
    items.append(
        Item(
            _("Questions from your people"),
            count=questions["total"],
            detail=_("%(n)s waiting for an answer") % {"n": questions["waiting"]},
        )
    )
    return Card(
        "my-team",
        _("My team"),
        items,
        links=[
            Item(_("Team progress"), reverse("learning:team")),
            Item(_("Team competences"), reverse("assessment:team")),
            Item(_("Sessions"), reverse("learning:sessions")),
        ],
    )


def trainer_card(access: Access, person: Any) -> Card | None:
    if person is None:
        return None
    coming, untaken, untaken_count = trainer_sessions(person.pk)
    waiting = support_inbox(access).filter(answered_at__isnull=True).count()
    items = [
        Item(
            _("Register to take: %(module)s") % {"module": s.module.name},
            reverse("learning:session", args=[s.pk]),
            detail=_when(s.starts_at),
        )
        for s in untaken
    ]
    today = timezone.localdate()
    started = {s.pk for s in untaken}
    for s in coming:
        if s.pk in started:
            continue
        if timezone.localdate(s.starts_at) == today and s.attendance_taken_at is None:
            # The register opens on the session's day: take it from here.
            items.append(
                Item(
                    _("Take today's register: %(module)s") % {"module": s.module.name},
                    reverse("learning:session", args=[s.pk]) + "#register",
                    detail=_when(s.starts_at),
                )
            )
        else:
            items.append(
                Item(s.module.name, reverse("learning:session", args=[s.pk]), detail=_when(s.starts_at))
            )
    items.append(
        Item(
            ngettext("%(n)s question waiting for an answer", "%(n)s questions waiting for an answer", waiting)
            % {"n": waiting},
            reverse("learning:support"),
        )
    )
    links = [
        Item(_("All my sessions"), reverse("learning:sessions")),
        Item(_("Support questions"), reverse("learning:support")),
    ]
    if untaken_count > len(untaken):
        links.insert(
            0,
            Item(
                ngettext("%(n)s register to take", "%(n)s registers to take", untaken_count)
                % {"n": untaken_count},
                reverse("learning:sessions"),
            ),
        )
    return Card("training", _("My sessions and questions"), items, links=links)


def lead_card(access: Access, person: Any) -> Card | None:
    items = [
        Item(i.name, reverse("learning:initiative", args=[i.pk]), detail=i.current_status_display)
        for i in lead_initiatives(access)
    ]
    return Card(
        "initiatives",
        _("Initiatives"),
        items,
        empty=_("No initiative is planned or running."),
        links=[
            Item(_("All initiatives"), reverse("learning:initiatives")),
            Item(_("Sessions"), reverse("learning:sessions")),
            Item(_("Funder report"), reverse("learning:funder")),
        ],
    )


def lead_questions_card(access: Access, person: Any) -> Card | None:
    overview = reverse("learning:support_overview")
    items = [
        Item(str(topic), f"{overview}?{urlencode({'topic': topic})}", count=count)
        for organisation_id in sorted(access.lead_org_ids)[:3]
        for topic, count in support_topics(organisation_id)[:5]
    ]
    return Card(
        "questions",
        _("Support questions by topic"),
        items,
        empty=_("No support questions yet."),
        links=[Item(_("All questions"), overview)],
    )


def project_leader_card(access: Access, person: Any) -> Card | None:
    items = [
        Item(i.name, reverse("learning:initiative", args=[i.pk]), detail=i.current_status_display)
        for i in own_initiatives(access.person_id)
    ]
    links = [Item(_("Initiatives"), reverse("learning:initiatives"))]
    empty = ""
    if not items:
        empty = _(
            "An initiative begins with a measured gap: the competence lead or you as project leader "
            "create it with its purpose, measurable goals, target group (units and roles), period and "
            "budget. Prepare these, then add the plan, risks and the before/during/after checklist."
        )
        links = [Item(_("Create your first initiative"), reverse("learning:initiatives"))]
    return Card("my-initiatives", _("My initiatives"), items, empty=empty, links=links)


def top_management_card(access: Access, person: Any) -> Card | None:
    return _key_figures_card(access, ProductRole.TOP_MANAGEMENT)


def evaluator_card(access: Access, person: Any) -> Card | None:
    """The external evaluator's start: the same key figures (organisation-wide counts; the
    participants through the disclosure control), and the anonymised reports."""
    return _key_figures_card(access, ProductRole.EVALUATOR)


def _key_figures_card(access: Access, role: str) -> Card | None:
    today = timezone.localdate()
    organisations = Organisation.objects.filter(pk__in=sorted(access.org_ids_with(role))).order_by("name")[:3]
    items = []
    for organisation in organisations:
        figures = key_figures(organisation, today)
        prefix = f"{organisation.name}: "
        items += [
            Item(
                prefix + _("people"),
                count=figures["people"],
                detail=""
                if figures["people"] is not None
                else _("hidden: fewer than the anonymity threshold"),
            ),
            Item(prefix + _("units"), count=figures["units"]),
            Item(prefix + _("initiatives running"), count=figures["running"]),
        ]
        for row in figures["initiatives"]:
            name = f"{prefix}{row['initiative'].name}: "
            link = reverse("learning:funder") + "?" + urlencode({"initiative": row["initiative"].code})
            items.append(
                Item(
                    name + _("participants"),
                    link,
                    count=row["participants"],
                    detail=""
                    if row["participants"] is not None
                    else _("hidden: fewer than the anonymity threshold"),
                )
            )
            if row["hours"] is not None:
                items.append(Item(name + _("training hours"), link, count=int(row["hours"])))
    return Card(
        "key-figures",
        _("Key figures"),
        items,
        links=[
            Item(_("Dashboard"), reverse("evaluation:dashboard")),
            Item(_("Funder report"), reverse("learning:funder")),
        ],
    )
