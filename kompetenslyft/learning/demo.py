"""The demo's learning (part of :mod:`kompetenslyft.org.demo`): modules, the initiative "Digitalt
lyft" with its proposals, sessions, bookings, attendance, job aids, support, and a session Fjellvik
opens to Solvik."""

from __future__ import annotations

import random
from collections.abc import Callable

from kompetenslyft.core.importing import import_file
from kompetenslyft.org.models import Organisation, Person

DEMO_MODULES = (
    "module_code,name,category,level,format,hours,competence_codes,mandatory_roles\n"
    "M-MAIL,Outlook: e-post och kalender,Kommunikation,basic,onsite,2,MAIL,\n"
    "M-TEAMS,Möten och chatt i Teams,Kommunikation,basic,live_remote,1,TEAMS,\n"
    "M-INTRA,Hitta rätt på intranätet,Kommunikation,basic,microlearning,0.25,INTRA,\n"
    "M-SOCDOK,Social dokumentation i praktiken,Dokumentation,advanced,onsite,3,SOCDOK,\n"
    "M-AVVIK,Avvikelser – rapportera och lära,Dokumentation,basic,onsite,1.5,AVVIK,\n"
    "M-HEMAPP,Hemtjänstappen och digitala nycklar,Dokumentation,basic,onsite,1.5,HEMAPP,\n"
    "M-LON,Självservice för lön och ledighet,Personal,basic,elearning,0.5,LON,\n"
    "M-LARP,Kom igång med lärportalen,Personal,basic,microlearning,0.25,LARPORTAL,\n"
    "M-GDPR,Dataskydd i vardagen,Säkerhet,basic,elearning,0.5,,undersköterska;vårdbiträde;stödassistent;"
    "personlig assistent;sjuksköterska\n"
    "M-CHEF,HR-rapporter och rehabilitering för chefer,Chef,advanced,live_remote,2,HRRAPP;REHAB,\n"
    "M-AI,AI i vardagen,Fördjupning,advanced,microlearning,0.5,,\n"
)


def shared_session_for_demo(runner: Organisation, guest: Organisation) -> None:
    """A module shared with the network, given by Fjellvik in a session opened to Solvik: Solvik's
    managers book their people on it, Fjellvik's lead sees them by name only."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from kompetenslyft.learning.models import Module
    from kompetenslyft.learning.services import session_create

    module, _created = Module.objects.get_or_create(
        organisation=None,
        code="N-DIGI",
        defaults={
            "name": "Digital grunnkompetanse / Digital grundkompetens",
            "category": "Digital kompetens",
            "level": Module.Level.BASIC,
            "format": Module.Format.LIVE_REMOTE,
            "hours": Decimal("2"),
        },
    )
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=10), dt.time(13, 0))
    )
    session_create(
        organisation=runner,
        open_to=[guest],
        module=module,
        starts_at=start,
        duration_minutes=120,
        capacity=30,
        meeting_link="https://teams.microsoft.com/l/meetup-join/fjellvik-demo",
        language="nb",
    )


def learning_for_demo(organisation: Organisation, *, evaluations: Callable[..., None] | None = None) -> None:
    """Modules, the initiative "Digitalt lyft" for elderly care and disability with proposals
    from the gap, sessions with bookings, earlier attendance, job aids and support contacts.
    ``evaluations`` (the evaluation app's demo, passed in: learning does not import evaluation)
    adds the last weeks' sessions with their registers and evaluations."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from kompetenslyft.core.models import ProductRole
    from kompetenslyft.learning.models import InitiativeGoal, JobAid, Module, PlanEntry, SupportContact
    from kompetenslyft.learning.services import (
        booking_book,
        initiative_create,
        proposals_generate,
        session_create,
    )
    from kompetenslyft.org.models import Unit

    rnd = random.Random(41)
    import_file(
        kind="modules", content=DEMO_MODULES.encode(), filename="moduler.csv", organisation=organisation
    )
    modules = {m.code: m for m in Module.objects.filter(organisation=organisation)}
    today = timezone.localdate()
    vof = Unit.objects.get(organisation=organisation, unit_id="VOF")
    initiative = initiative_create(
        organisation=organisation,
        code="digitalt-lyft",
        name="Digitalt lyft i vård och omsorg",
        purpose="Alla medarbetare i vård och omsorg ska kunna använda verksamhetens digitala system i vardagen.",
        starts_on=today - dt.timedelta(days=160),
        ends_on=today + dt.timedelta(days=200),
        budget=Decimal("1850000"),
        units=[vof],
        modules=[
            modules[c] for c in ("M-MAIL", "M-TEAMS", "M-SOCDOK", "M-AVVIK", "M-HEMAPP", "M-LON", "M-GDPR")
        ],
    )
    reach = InitiativeGoal.objects.create(
        initiative=initiative,
        kind=InitiativeGoal.Kind.REACH,
        description="Avvikelser och social dokumentation",
        target_share=Decimal("0.8"),
        due_on=initiative.ends_on,
    )
    reach.competences.set([modules["M-AVVIK"].competences.get(), modules["M-SOCDOK"].competences.get()])
    InitiativeGoal.objects.create(
        initiative=initiative,
        kind=InitiativeGoal.Kind.PARTICIPANTS,
        description="Unika deltagare",
        target_count=600,
        women_share=Decimal("0.8"),
    )
    for kind, text, extra in (
        (
            PlanEntry.Kind.COMMUNICATION,
            "Information på APT om varför och hur",
            {"audience": "Alla medarbetare", "channel": "APT", "owner": "Enhetschefer"},
        ),
        (
            PlanEntry.Kind.COMMUNICATION,
            "Nyhet på intranätet och affisch i personalrummen",
            {"audience": "Alla medarbetare", "channel": "Intranät", "owner": "Kommunikatör"},
        ),
        (
            PlanEntry.Kind.RISK,
            "Verksamheten hinner inte frigöra tid för utbildning",
            {
                "likelihood": 4,
                "impact": 4,
                "mitigation": "Utbildning läggs in i schemat; vikarier budgeteras",
                "owner": "Verksamhetschef",
            },
        ),
        (
            PlanEntry.Kind.RISK,
            "Låg svarsfrekvens i uppföljningen",
            {
                "likelihood": 2,
                "impact": 3,
                "mitigation": "Påminnelser och tid på APT",
                "owner": "Projektledare",
            },
        ),
        (
            PlanEntry.Kind.ACTION,
            "Utse en digital kompetensledare per enhet",
            {"owner": "Enhetschefer", "done": True},
        ),
        (PlanEntry.Kind.LESSON, "Korta pass på arbetsplatsen fungerar bättre än heldagar i stadshuset.", {}),
    ):
        PlanEntry.objects.create(initiative=initiative, kind=kind, text=text, **extra)
    proposals_generate(initiative_id=initiative.pk)
    # The managers confirmed their people's proposals, except home care south's: the demo
    # manager (home care) still has those to confirm. Only confirmed ones are on journeys.
    from kompetenslyft.learning.models import Proposal
    from kompetenslyft.learning.services import proposals_confirm

    proposals_confirm(
        proposals=Proposal.objects.filter(initiative=initiative).exclude(person__unit__unit_id="VOF-HT-S"),
        actor=None,
    )

    # Earlier this year: Outlook and Teams training, recorded as attendance.
    people = list(
        Person.objects.filter(
            organisation=organisation, unit__path__startswith=vof.path, is_active=True
        ).order_by("employee_id")
    )
    began = today - dt.timedelta(days=160)
    lines = ["employee_id,module_code,date,hours,status"]
    for person in people:
        if rnd.random() < 0.45:
            day = began + dt.timedelta(days=rnd.randint(10, 80))
            status = "no_show" if rnd.random() < 0.05 else "attended"
            lines.append(f"{person.employee_id},M-MAIL,{day.isoformat()},2,{status}")
        if rnd.random() < 0.3:
            day = began + dt.timedelta(days=rnd.randint(30, 120))
            lines.append(f"{person.employee_id},M-TEAMS,{day.isoformat()},1,completed")
    import_file(
        kind="attendance",
        content=("\n".join(lines) + "\n").encode(),
        filename="narvaro.csv",
        organisation=organisation,
    )

    trainer = (
        Person.objects.filter(
            organisation=organisation, unit__unit_id="VOF-HT-N", role__name="undersköterska", is_active=True
        )
        .order_by("employee_id")
        .first()
    )
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=6), dt.time(9, 0)))
    sessions = [
        session_create(
            module=modules["M-AVVIK"],
            starts_at=start,
            duration_minutes=90,
            capacity=12,
            place="Hemtjänst Norra, personalrummet",
            trainers=[trainer] if trainer else [],
            initiative=initiative,
            accessibility="Hörslinga finns. Materialet finns i lättläst version.",
        ),
        session_create(
            module=modules["M-AVVIK"],
            starts_at=start + dt.timedelta(days=7),
            duration_minutes=90,
            capacity=12,
            meeting_link="https://teams.microsoft.com/l/meetup-join/demo",
            trainers=[trainer] if trainer else [],
            initiative=initiative,
        ),
        session_create(
            module=modules["M-HEMAPP"],
            starts_at=start + dt.timedelta(days=2, hours=4),
            duration_minutes=90,
            capacity=10,
            place="Hemtjänst Södra, mötesrummet",
            trainers=[trainer] if trainer else [],
            initiative=initiative,
        ),
    ]
    home_care = [p for p in people if p.unit.unit_id == "VOF-HT-N"][2:16]
    for person in home_care:
        booking_book(session=sessions[0], person=person)
    # Today's session of the trainer, so that its register can be taken in the demo (the register
    # opens on the session's day): later today, a few of the home-care staff booked.
    now = timezone.localtime()
    later_today = min(now + dt.timedelta(hours=1), now.replace(hour=23, minute=30, second=0, microsecond=0))
    today_session = session_create(
        module=modules["M-TEAMS"],
        starts_at=max(later_today, now + dt.timedelta(minutes=1)),
        duration_minutes=60,
        capacity=10,
        place="Hemtjänst Norra, personalrummet",
        trainers=[trainer] if trainer else [],
        initiative=initiative,
    )
    for person in home_care[:6]:
        booking_book(session=today_session, person=person)
    # The last weeks' sessions, their registers and evaluations (the demo employee has one to give).
    nurses = list(
        Person.objects.filter(
            organisation=organisation, unit__unit_id="VOF-HT-N", role__name="undersköterska", is_active=True
        ).order_by("employee_id")[:2]
    )
    if evaluations is not None and trainer is not None and len(nurses) == 2:
        evaluations(
            organisation=organisation,
            initiative=initiative,
            modules=modules,
            trainer=trainer,
            employee=nurses[1],
            people=people,
        )
    # Support: each care unit's digital competence leaders (the trainers) answer its questions.
    for person in Person.objects.filter(organisation=organisation, user__grants__role=ProductRole.TRAINER):
        SupportContact.objects.get_or_create(person=person, unit=person.unit)
    if trainer is not None:
        SupportContact.objects.get_or_create(
            person=trainer, unit=Unit.objects.get(organisation=organisation, unit_id="VOF-HT-N")
        )
        from kompetenslyft.learning.services import support_request_create

        # A question waiting for the trainer's answer (from a colleague in its unit).
        if home_care:
            support_request_create(
                person=home_care[0],
                topic="Teams",
                question="Hur delar jag min skärm i ett Teams-möte från mobilen?",
            )
    for title, codes, link, plain in (
        ("Lathund: Outlook på fem minuter", ["M-MAIL"], "https://intranat.solvik.se/lathundar/outlook", True),
        ("Avvikelse i fem steg", ["M-AVVIK"], "https://intranat.solvik.se/lathundar/avvikelse", True),
        (
            "Hemtjänstappen: besök, insatser och nycklar",
            ["M-HEMAPP"],
            "https://intranat.solvik.se/lathundar/appen",
            False,
        ),
    ):
        aid = JobAid.objects.create(
            organisation=organisation,
            title=title,
            owner="Digitaliseringsenheten",
            version="1.2",
            plain_language=plain,
            link=link,
        )
        for code in codes:
            modules[code].job_aids.add(aid)
