"""The demo network: Solvik kommun (a Swedish municipality modelled on the source reports)
and Fjellvik kommune (a small Norwegian one). Built through the real import path."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker

from kompetenslyft.core.models import ProductRole

from .imports import import_file
from .models import Organisation, Person
from .services import account_for_person, grant_add, organisation_create

STAFF_SCALE = 1.33  # brings Solvik to about 1,300 people
DEMO_PASSWORD = "kompetens-2026"  # noqa: S105 - printed for the local demo only

# unit_id, name, parent_id, [(role, count)]
SOLVIK_UNITS: list[tuple[str, str, str, list[tuple[str, int]]]] = [
    ("KLK", "Kommunledningskontoret", "", [("kommundirektör", 1)]),
    ("KLK-HR", "HR-avdelningen", "KLK", [("HR-konsult", 6), ("kompetensutvecklare", 2)]),
    ("KLK-DIG", "Digitaliseringsenheten", "KLK", [("digitaliseringsstrateg", 4), ("projektledare", 2)]),
    ("VOF", "Vård- och omsorgsförvaltningen", "", [("förvaltningschef", 1), ("utvecklingsledare", 2)]),
    ("VOF-HT", "Hemtjänst", "VOF", [("verksamhetschef", 1), ("samordnare", 2)]),
    ("VOF-HT-N", "Hemtjänst Norra", "VOF-HT", [("undersköterska", 48), ("vårdbiträde", 14)]),
    ("VOF-HT-S", "Hemtjänst Södra", "VOF-HT", [("undersköterska", 52), ("vårdbiträde", 12)]),
    ("VOF-HT-C", "Hemtjänst Centrum", "VOF-HT", [("undersköterska", 44), ("vårdbiträde", 10)]),
    ("VOF-HT-NP", "Nattpatrullen", "VOF-HT", [("undersköterska", 18)]),
    ("VOF-SB", "Särskilt boende", "VOF", [("verksamhetschef", 1)]),
    (
        "VOF-SB-SOL",
        "Solgårdens vård- och omsorgsboende",
        "VOF-SB",
        [("undersköterska", 70), ("vårdbiträde", 16)],
    ),
    (
        "VOF-SB-EKB",
        "Ekbackens vård- och omsorgsboende",
        "VOF-SB",
        [("undersköterska", 62), ("vårdbiträde", 14)],
    ),
    ("VOF-SB-LIN", "Lindgårdens demensboende", "VOF-SB", [("undersköterska", 48), ("vårdbiträde", 10)]),
    ("VOF-FS", "Funktionsstöd (LSS)", "VOF", [("verksamhetschef", 1)]),
    ("VOF-FS-BJO", "Gruppbostad Björken", "VOF-FS", [("stödassistent", 22), ("stödpedagog", 3)]),
    ("VOF-FS-TAL", "Gruppbostad Tallen", "VOF-FS", [("stödassistent", 20), ("stödpedagog", 2)]),
    ("VOF-FS-DV", "Daglig verksamhet Verkstan", "VOF-FS", [("stödpedagog", 12), ("stödassistent", 8)]),
    ("VOF-FS-PA", "Personlig assistans", "VOF-FS", [("personlig assistent", 64)]),
    (
        "VOF-HSL",
        "Hälso- och sjukvård",
        "VOF",
        [("sjuksköterska", 34), ("arbetsterapeut", 9), ("fysioterapeut", 7)],
    ),
    ("VOF-MYN", "Myndighetsutövning", "VOF", [("biståndshandläggare", 16), ("LSS-handläggare", 6)]),
    ("BUF", "Barn- och utbildningsförvaltningen", "", [("förvaltningschef", 1), ("utvecklingsledare", 2)]),
    ("BUF-FSK", "Förskola", "BUF", [("verksamhetschef", 1)]),
    ("BUF-FSK-SOL", "Förskolan Solrosen", "BUF-FSK", [("förskollärare", 26), ("barnskötare", 22)]),
    ("BUF-FSK-MYR", "Förskolan Myran", "BUF-FSK", [("förskollärare", 22), ("barnskötare", 20)]),
    ("BUF-FSK-LAR", "Förskolan Lärkan", "BUF-FSK", [("förskollärare", 18), ("barnskötare", 16)]),
    ("BUF-GR", "Grundskola", "BUF", [("verksamhetschef", 1)]),
    (
        "BUF-GR-SOL",
        "Solviksskolan F–6",
        "BUF-GR",
        [("lärare", 64), ("fritidspedagog", 14), ("elevassistent", 12)],
    ),
    (
        "BUF-GR-EKS",
        "Ekskolan 7–9",
        "BUF-GR",
        [("lärare", 70), ("elevassistent", 10), ("studie- och yrkesvägledare", 2)],
    ),
    (
        "BUF-EH",
        "Elevhälsan",
        "BUF",
        [("skolsköterska", 6), ("kurator", 5), ("specialpedagog", 8), ("skolpsykolog", 2)],
    ),
]
# The manager's role in each kind of unit (the person is added to the unit).
MANAGER_ROLE = {0: "förvaltningschef", 1: "verksamhetschef", 2: "enhetschef"}
SCHOOL_HEADS = {
    "BUF-GR-SOL": "rektor",
    "BUF-GR-EKS": "rektor",
    "BUF-FSK-SOL": "förskolechef",
    "BUF-FSK-MYR": "förskolechef",
    "BUF-FSK-LAR": "förskolechef",
}
WOMEN_SHARE = {
    "lärare": 0.72,
    "fysioterapeut": 0.6,
    "digitaliseringsstrateg": 0.45,
    "kommundirektör": 0.0,
    "fritidspedagog": 0.6,
    "personlig assistent": 0.7,
}

FJELLVIK_UNITS: list[tuple[str, str, str, list[tuple[str, int]]]] = [
    ("HO", "Helse og omsorg", "", [("kommunalsjef", 1)]),
    ("HO-HJT", "Hjemmetjenesten", "HO", [("helsefagarbeider", 18), ("sykepleier", 6)]),
    ("HO-SYK", "Fjellvik sykehjem", "HO", [("helsefagarbeider", 22), ("sykepleier", 8)]),
]


CARE_ROLES = [
    "undersköterska",
    "vårdbiträde",
    "stödassistent",
    "stödpedagog",
    "personlig assistent",
    "sjuksköterska",
    "arbetsterapeut",
    "fysioterapeut",
]
SCHOOL_ROLES = ["förskollärare", "barnskötare", "lärare", "fritidspedagog", "elevassistent"]
MANAGER_ROLES = ["enhetschef", "verksamhetschef", "förskolechef", "rektor", "förvaltningschef"]
OFFICE_ROLES = [
    "HR-konsult",
    "kompetensutvecklare",
    "digitaliseringsstrateg",
    "projektledare",
    "utvecklingsledare",
    "biståndshandläggare",
    "LSS-handläggare",
    "samordnare",
]
# role group → (competence, level, mandatory, unit_id)
DEMO_REQUIREMENTS: list[tuple[list[str], str, int, bool, str]] = [
    (CARE_ROLES, "MAIL", 3, True, ""),
    (CARE_ROLES, "INTRA", 3, False, ""),
    (CARE_ROLES, "AVVIK", 3, True, ""),
    (CARE_ROLES, "LON", 3, False, ""),
    (CARE_ROLES, "SOCDOK", 3, True, ""),
    (CARE_ROLES, "TEAMS", 2, False, ""),
    (CARE_ROLES, "LARPORTAL", 2, False, ""),
    (["undersköterska", "vårdbiträde"], "HEMAPP", 3, True, "VOF-HT"),
    (SCHOOL_ROLES, "MAIL", 3, True, ""),
    (SCHOOL_ROLES, "INTRA", 2, False, ""),
    (SCHOOL_ROLES, "LON", 3, False, ""),
    (SCHOOL_ROLES, "TEAMS", 3, True, ""),
    (SCHOOL_ROLES, "LARPORTAL", 2, False, ""),
    (SCHOOL_ROLES, "AVVIK", 2, False, ""),
    (MANAGER_ROLES, "MAIL", 4, True, ""),
    (MANAGER_ROLES, "TEAMS", 3, True, ""),
    (MANAGER_ROLES, "LON", 3, False, ""),
    (MANAGER_ROLES, "HRRAPP", 3, True, ""),
    (MANAGER_ROLES, "REHAB", 3, True, ""),
    (MANAGER_ROLES, "REKRYT", 3, False, ""),
    (MANAGER_ROLES, "AVVIK", 3, False, ""),
    (OFFICE_ROLES, "MAIL", 3, True, ""),
    (OFFICE_ROLES, "TEAMS", 3, False, ""),
    (OFFICE_ROLES, "INTRA", 3, False, ""),
    (OFFICE_ROLES, "LON", 3, False, ""),
]
FJELLVIK_REQUIREMENTS: list[tuple[list[str], str, int, bool, str]] = [
    (["helsefagarbeider", "sykepleier"], "DC1.1", 2, False, ""),
    (["helsefagarbeider", "sykepleier"], "DC2.1", 3, True, ""),
    (["helsefagarbeider", "sykepleier"], "DC4.2", 3, True, ""),
    (["sykepleier"], "DC1.3", 3, False, ""),
    (["virksomhetsleder", "kommunalsjef"], "DC5.4", 3, False, ""),
]


def _requirements_csv(rows: list[tuple[list[str], str, int, bool, str]], roles: set[str]) -> str:
    lines = ["role,competence_code,required_level,unit_id,mandatory"]
    for group, code, level, mandatory, unit_id in rows:
        lines.extend(
            f"{role},{code},{level},{unit_id},{'ja' if mandatory else 'nej'}"
            for role in group
            if role in roles
        )
    return "\n".join(lines) + "\n"


def _frameworks_for_demo(
    organisation: Organisation, builtin: str, rows: list[tuple[list[str], str, int, bool, str]]
) -> None:
    from kompetenslyft.competence.models import Framework
    from kompetenslyft.competence.services import framework_adopt

    framework_adopt(
        organisation=organisation, framework=Framework.objects.get(organisation=None, code=builtin)
    )
    roles = set(organisation.roles.values_list("name", flat=True))
    import_file(
        kind="requirements",
        content=_requirements_csv(rows, roles).encode(),
        filename="kompetenskrav.csv",
        organisation=organisation,
    )


def _assessments_for_demo(organisation: Organisation) -> None:
    """A closed baseline for everyone (most have answered) and an open follow-up for elderly care
    and disability (about 60 % so far; the demo employee has not answered yet)."""
    import datetime as dt

    from django.utils import timezone

    from kompetenslyft.assessment.gaps import rebuild
    from kompetenslyft.assessment.models import Campaign, Participant
    from kompetenslyft.assessment.services import campaign_create, campaign_generate, participants_recount
    from kompetenslyft.competence.selectors import RequirementIndex

    from .models import Unit

    rnd = random.Random(40)
    today = timezone.localdate()
    tops = list(Unit.objects.filter(organisation=organisation, parent__isnull=True))
    baseline = campaign_create(
        organisation=organisation,
        name="Baslinje digital kompetens",
        measurement_point=0,
        opens_on=today - dt.timedelta(days=150),
        closes_on=today - dt.timedelta(days=120),
        units=tops,
        roles=[],
    )
    follow_up = campaign_create(
        organisation=organisation,
        name="Uppföljning vård och omsorg",
        measurement_point=1,
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        units=[Unit.objects.get(organisation=organisation, unit_id="VOF")],
        roles=[],
    )
    for campaign in (baseline, follow_up):
        campaign_generate(campaign_id=campaign.pk, invite=False)
        Participant.objects.filter(campaign=campaign).update(invited_at=timezone.now())
    index = RequirementIndex(organisation)
    from kompetenslyft.competence.models import Requirement

    codes = dict(
        Requirement.objects.filter(organisation=organisation)
        .values_list("competence_id", "competence__code")
        .distinct()
    )
    lines = ["employee_id,competence_code,level,measurement_point,measured_at"]
    skill = {
        "MAIL": 2.6,
        "INTRA": 2.4,
        "AVVIK": 1.9,
        "LON": 2.2,
        "SOCDOK": 2.0,
        "TEAMS": 1.6,
        "LARPORTAL": 1.7,
        "HEMAPP": 2.1,
        "HRRAPP": 1.8,
        "REHAB": 1.6,
        "REKRYT": 2.0,
    }
    baseline_levels: dict[tuple[int, int], int] = {}
    for participant in Participant.objects.filter(campaign=baseline).select_related("person"):
        person = participant.person
        if rnd.random() > 0.88:
            continue
        for competence_id in index.for_group(person.unit_id, person.role_id):
            code = codes[competence_id]
            level = max(0, min(4, round(rnd.gauss(skill.get(code, 2.0), 1.0))))
            baseline_levels[(person.pk, competence_id)] = level
            day = baseline.opens_on + dt.timedelta(days=rnd.randint(0, 25))
            lines.append(f"{person.employee_id},{code},{level},0,{day.isoformat()}")
    # The trainer and the demo employee are the first two assistant nurses of Hemtjänst Norra;
    # they have the follow-up still to answer.
    reserved = set(
        Person.objects.filter(
            organisation=organisation, unit__unit_id="VOF-HT-N", is_active=True, role__name="undersköterska"
        )
        .order_by("employee_id")
        .values_list("pk", flat=True)[:2]
    )
    for participant in Participant.objects.filter(campaign=follow_up).select_related("person"):
        person = participant.person
        if rnd.random() > 0.6 or person.pk in reserved:
            continue
        for competence_id in index.for_group(person.unit_id, person.role_id):
            before = baseline_levels.get((person.pk, competence_id), 2)
            level = min(4, before + rnd.choice([0, 0, 1, 1, 1, 2]))
            day = follow_up.opens_on + dt.timedelta(days=rnd.randint(0, 9))
            lines.append(f"{person.employee_id},{codes[competence_id]},{level},1,{day.isoformat()}")
    import_file(
        kind="assessments",
        content=("\n".join(lines) + "\n").encode(),
        filename="svar.csv",
        organisation=organisation,
    )
    for campaign in (baseline, follow_up):
        participants_recount(campaign=campaign)
    Campaign.objects.filter(pk=baseline.pk).update(status=Campaign.Status.CLOSED)
    rebuild(organisation)


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


def _shared_session_for_demo(runner: Organisation, guest: Organisation) -> None:
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


def _learning_for_demo(organisation: Organisation) -> None:
    """Modules, the initiative "Digitalt lyft" for elderly care and disability with proposals
    from the gap, sessions with bookings, earlier attendance, job aids and support contacts."""
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

    from .models import Unit

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
    if trainer is not None and len(nurses) == 2:
        from kompetenslyft.evaluation.demo import evaluations_for_demo

        evaluations_for_demo(
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


@dataclass
class DemoLogin:
    role: str
    username: str
    who: str


def _rows_for(
    units: list[tuple[str, str, str, list[tuple[str, int]]]],
    faker: Faker,
    rnd: random.Random,
    prefix: str,
    language: str,
) -> tuple[str, str, dict[str, str]]:
    """Units CSV, people CSV and the employee id of each unit's manager."""
    depth: dict[str, int] = {}
    for unit_id, _name, parent, _staff in units:
        depth[unit_id] = depth[parent] + 1 if parent else 0
    people: list[list[str]] = []
    managers: dict[str, str] = {}
    number = 1000

    def add(unit_id: str, role: str) -> str:
        nonlocal number
        number += 1
        woman = rnd.random() < WOMEN_SHARE.get(role, 0.85)
        given = faker.first_name_female() if woman else faker.first_name_male()
        family = faker.last_name()
        employee_id = f"{prefix}{number}"
        email = f"{given}.{family}.{number}@{'solvik.se' if prefix == 'S' else 'fjellvik.kommune.no'}"
        email = email.lower().translate(str.maketrans("åäöøæé ", "aaooaee"))
        start = dt.date(2026, 1, 1) - dt.timedelta(days=rnd.randint(30, 30 * 365))
        gender = "woman" if woman else "man"
        if rnd.random() < 0.02:
            gender = "" if rnd.random() < 0.5 else "other"
        people.append([employee_id, given, family, unit_id, role, email, gender, language, start.isoformat()])
        return employee_id

    for unit_id, _name, _parent, staff in units:
        manager_role = SCHOOL_HEADS.get(unit_id) or (
            "kommunalsjef"
            if prefix == "F" and depth[unit_id] == 0
            else "virksomhetsleder"
            if prefix == "F"
            else MANAGER_ROLE[min(depth[unit_id], 2)]
        )
        if unit_id == "KLK":
            managers[unit_id] = add(unit_id, "kommundirektör")
            staff = []
        elif staff and staff[0][0] in {"förvaltningschef", "verksamhetschef", "kommunalsjef"}:
            managers[unit_id] = add(unit_id, staff[0][0])
            staff = staff[1:]
        else:
            managers[unit_id] = add(unit_id, manager_role)
        for role, count in staff:
            for _ in range(round(count * STAFF_SCALE) if count > 3 else count):
                add(unit_id, role)

    units_csv = io.StringIO()
    writer = csv.writer(units_csv)
    writer.writerow(["unit_id", "name", "parent_id", "manager_employee_id"])
    for unit_id, name, parent, _staff in units:
        writer.writerow([unit_id, name, parent, managers[unit_id]])
    people_csv = io.StringIO()
    writer = csv.writer(people_csv, delimiter=";")
    writer.writerow(
        [
            "employee_id",
            "given_name",
            "family_name",
            "unit_id",
            "role",
            "email",
            "gender",
            "language",
            "start_date",
        ]
    )
    writer.writerows(people)
    return units_csv.getvalue(), people_csv.getvalue(), managers


def _login(person: Person, username: str) -> None:
    account_for_person(person=person, username=username, password=DEMO_PASSWORD)


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo network if it is not there; (re)set the demo logins; return them."""
    user_model = get_user_model()
    solvik = Organisation.objects.filter(code="solvik").first()
    if solvik is None:
        solvik = organisation_create(code="solvik", name="Solvik kommun")
        faker = Faker("sv_SE")
        faker.seed_instance(2026)
        units_csv, people_csv, _managers = _rows_for(SOLVIK_UNITS, faker, random.Random(2026), "S", "sv")
        import_file(kind="units", content=units_csv.encode(), filename="enheter.csv", organisation=solvik)
        import_file(
            kind="people",
            content=("\ufeff" + people_csv).encode(),
            filename="personal.csv",
            organisation=solvik,
        )
        _frameworks_for_demo(solvik, "systems", DEMO_REQUIREMENTS)
        _assessments_for_demo(solvik)
        _learning_for_demo(solvik)
    fjellvik = Organisation.objects.filter(code="fjellvik").first()
    if fjellvik is None:
        fjellvik = organisation_create(code="fjellvik", name="Fjellvik kommune", language="nb")
        faker = Faker("no_NO")
        faker.seed_instance(2026)
        units_csv, people_csv, _managers = _rows_for(FJELLVIK_UNITS, faker, random.Random(47), "F", "nb")
        import_file(kind="units", content=units_csv.encode(), filename="enheter.csv", organisation=fjellvik)
        import_file(kind="people", content=people_csv.encode(), filename="ansatte.csv", organisation=fjellvik)
        _frameworks_for_demo(fjellvik, "digcomp22", FJELLVIK_REQUIREMENTS)
        _shared_session_for_demo(fjellvik, solvik)

    def first(org: Organisation, **filters: str) -> Person:
        return Person.objects.filter(organisation=org, is_active=True, **filters).order_by("employee_id")[0]

    logins: list[DemoLogin] = []
    admin = user_model.objects.filter(username="admin").first()
    if admin is None:
        admin = user_model.objects.create_superuser("admin", "admin@localhost", DEMO_PASSWORD)
    else:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    logins.append(DemoLogin("operator (Django admin)", "admin", "installation superuser"))

    plan = [
        ("lead", first(solvik, role__name="kompetensutvecklare"), ProductRole.LEAD, "competence lead"),
        (
            "project-leader",
            first(solvik, role__name="projektledare"),
            ProductRole.PROJECT_LEADER,
            "project leader",
        ),
        (
            "trainer",
            first(solvik, unit__unit_id="VOF-HT-N", role__name="undersköterska"),
            ProductRole.TRAINER,
            "trainer (digital competence leader)",
        ),
        (
            "top-management",
            first(solvik, role__name="kommundirektör"),
            ProductRole.TOP_MANAGEMENT,
            "top management",
        ),
        (
            "lead-fjellvik",
            first(fjellvik, role__name="sykepleier"),
            ProductRole.LEAD,
            "competence lead of Fjellvik kommune",
        ),
    ]
    for username, person, role, label in plan:
        _login(person, username)
        grant_add(user=person.user, organisation=person.organisation, role=role)
        logins.append(DemoLogin(label, username, f"{person.full_name}, {person.unit.name}"))
    # The group of digital competence leaders: one per care unit, all trainers.
    for unit_id in (
        "VOF-HT-S",
        "VOF-HT-C",
        "VOF-SB-SOL",
        "VOF-SB-EKB",
        "VOF-SB-LIN",
        "VOF-FS-BJO",
        "VOF-FS-TAL",
        "BUF-FSK-SOL",
        "BUF-GR-SOL",
    ):
        person = (
            Person.objects.filter(organisation=solvik, unit__unit_id=unit_id, is_active=True)
            .exclude(managed_units__isnull=False)
            .order_by("employee_id")[1]
        )
        user = account_for_person(person=person)
        grant_add(user=user, organisation=solvik, role=ProductRole.TRAINER)
    manager = Person.objects.get(managed_units__unit_id="VOF-HT", organisation=solvik)
    _login(manager, "manager")
    logins.append(
        DemoLogin(
            "manager (home care, 4 units below)", "manager", f"{manager.full_name}, {manager.unit.name}"
        )
    )
    employee = (
        Person.objects.filter(user__username="employee").first()
        or Person.objects.filter(
            organisation=solvik,
            unit__unit_id="VOF-HT-N",
            role__name="undersköterska",
            user__isnull=True,
            is_active=True,
        )
        .order_by("employee_id")
        .first()
    )
    if employee is None:
        raise RuntimeError("the demo organisation has no employee in Hemtjänst Norra")
    _login(employee, "employee")
    logins.append(DemoLogin("employee", "employee", f"{employee.full_name}, {employee.unit.name}"))
    evaluator = user_model.objects.filter(username="evaluator").first()
    if evaluator is None:
        evaluator = user_model(
            username="evaluator", email="evaluator@example.org", first_name="Extern", last_name="Utvärderare"
        )
    evaluator.set_password(DEMO_PASSWORD)
    evaluator.save()
    grant_add(user=evaluator, organisation=solvik, role=ProductRole.EVALUATOR)
    logins.append(DemoLogin("external evaluator", "evaluator", "an account without a person"))
    return logins
