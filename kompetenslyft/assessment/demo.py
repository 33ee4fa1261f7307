"""The demo's self-assessments (part of :mod:`kompetenslyft.org.demo`): a closed baseline and an
open follow-up, answered through the assessments import, and the gap summary rebuilt."""

from __future__ import annotations

import random

from kompetenslyft.core.importing import import_file
from kompetenslyft.org.models import Organisation, Person


def assessments_for_demo(organisation: Organisation) -> None:
    """A closed baseline for everyone (most have answered) and an open follow-up for elderly care
    and disability (about 60 % so far, answered last month; the demo employee has not answered
    yet)."""
    import datetime as dt

    from django.utils import timezone

    from kompetenslyft.assessment.gaps import rebuild
    from kompetenslyft.assessment.models import Campaign, Participant
    from kompetenslyft.assessment.services import campaign_create, campaign_generate, participants_recount
    from kompetenslyft.competence.selectors import RequirementIndex
    from kompetenslyft.org.models import Unit

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
    # The follow-up opened on the first day of last month: its answers so far fall in a month
    # that has closed, so the gap movement is published when the demo loads (ADR 0019).
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    follow_up = campaign_create(
        organisation=organisation,
        name="Uppföljning vård och omsorg",
        measurement_point=1,
        opens_on=last_month,
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
    # The trainer and the demo employee are the first two assistant nurses of Hemtjänst Norra;
    # they have the follow-up still to answer.
    reserved = list(
        Person.objects.filter(
            organisation=organisation, unit__unit_id="VOF-HT-N", is_active=True, role__name="undersköterska"
        )
        .order_by("employee_id")
        .values_list("pk", flat=True)[:2]
    )
    demo_employee = reserved[1] if len(reserved) > 1 else None
    baseline_levels: dict[tuple[int, int], int] = {}
    for participant in Participant.objects.filter(campaign=baseline).select_related("person"):
        person = participant.person
        if rnd.random() > 0.88:
            continue
        required = index.for_group(person.unit_id, person.role_id)
        for competence_id in required:
            code = codes[competence_id]
            level = max(0, min(4, round(rnd.gauss(skill.get(code, 2.0), 1.0))))
            if person.pk == demo_employee and code == "AVVIK":
                # Below the goal: Avvikelser is assigned to the demo employee, whose journey
                # offers the knowledge test before it (passing it exempts).
                level = max(0, required[competence_id].required_level - 1)
            baseline_levels[(person.pk, competence_id)] = level
            day = baseline.opens_on + dt.timedelta(days=rnd.randint(0, 25))
            lines.append(f"{person.employee_id},{code},{level},0,{day.isoformat()}")
    for participant in Participant.objects.filter(campaign=follow_up).select_related("person"):
        person = participant.person
        if rnd.random() > 0.6 or person.pk in reserved:
            continue
        for competence_id in index.for_group(person.unit_id, person.role_id):
            before = baseline_levels.get((person.pk, competence_id), 2)
            level = min(4, before + rnd.choice([0, 0, 1, 1, 1, 2]))
            day = follow_up.opens_on + dt.timedelta(days=rnd.randint(0, 20))  # last month
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
