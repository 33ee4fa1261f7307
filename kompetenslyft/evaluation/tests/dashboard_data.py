"""The data the dashboard tests look at: homes with a few roles and genders, a module taught
to most of them, attendance, evaluation requests and answers, a baseline and a follow-up."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from kompetenslyft.assessment import gaps
from kompetenslyft.core.importing import import_file
from kompetenslyft.evaluation.dashboard import forget_memo
from kompetenslyft.evaluation.models import Request
from kompetenslyft.evaluation.services import Given, Where, store_answers
from kompetenslyft.learning.models import Attendance, Initiative, InitiativeGoal, Module
from kompetenslyft.org.models import Person, Role
from kompetenslyft.org.tests.factories import PersonFactory, RoleFactory

DAY = dt.date(2026, 3, 10)


def run(kind: str, text: str, org: Any) -> None:
    import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


def dashboard_data(network: Any) -> Any:
    """Homes with a few roles and genders; a module taught to most of them, attendance,
    evaluation requests and answers, a baseline and a follow-up self-assessment."""
    forget_memo()
    org = network.org_a
    rng = random.Random(11)
    nurse = RoleFactory(organisation=org, name="sjuksköterska")
    assistant = Role.objects.get(organisation=org, name="undersköterska")
    for unit, staff in (
        (network.unit1, [(assistant, "woman", 9), (assistant, "man", 3), (nurse, "woman", 2)]),
        (network.unit2, [(assistant, "woman", 6), (nurse, "man", 1)]),
        (network.unit3, [(assistant, "woman", 8), (assistant, "man", 4), (nurse, "woman", 3)]),
        (network.dep2, [(nurse, "woman", 1)]),
    ):
        for role, gender, n in staff:
            PersonFactory.create_batch(n, unit=unit, role=role, gender=gender)
    run(
        "framework",
        "competence_code,name,category\nMAIL,E-post,Kommunikation\nDOC,Dokumentation,System\n",
        org,
    )
    run(
        "requirements",
        "role,competence_code,required_level\n"
        + "".join(f"{r},{c},3\n" for r in ("sjuksköterska", "undersköterska") for c in ("MAIL", "DOC")),
        org,
    )
    people = list(Person.objects.filter(organisation=org, is_active=True).select_related("unit", "role"))
    rows = []
    for person in people:
        for code in ("MAIL", "DOC"):
            rows.append(f"{person.employee_id},{code},{rng.choice([1, 2, 3])},0")
            rows.append(f"{person.employee_id},{code},{rng.choice([2, 3, 4])},1")
    run("assessments", "employee_id,competence_code,level,measurement_point\n" + "\n".join(rows) + "\n", org)
    gaps.rebuild(org)
    module = Module.objects.create(
        organisation=org,
        code="M1",
        name="Dokumentation <b>&amp; journal</b>",
        category="c",
        level="basic",
        format="onsite",
        hours=Decimal("2.5"),
    )
    module.competences.set(list(org_competences(org)))
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Digitalt lyft",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    initiative.modules.add(module)
    initiative.units.add(network.admin_a)
    initiative.owners.add(network.project_leader)
    InitiativeGoal.objects.create(
        initiative=initiative, kind="participants", target_count=40, women_share=Decimal("0.7")
    )
    reach = InitiativeGoal.objects.create(
        initiative=initiative, kind="reach", description="80 % når målen", target_share=Decimal("0.8")
    )
    reach.competences.set(list(org_competences(org)))
    attendees = [p for p in people if p.unit_id in (network.unit1.pk, network.unit3.pk, network.unit2.pk)]
    for i, person in enumerate(attendees):
        day = DAY if i % 2 else DAY + dt.timedelta(days=31)
        Attendance.objects.create(
            person=person,
            module=module,
            unit=person.unit,
            date=day,
            hours=Decimal("2.5"),
            status="completed" if i % 3 else "attended",
        )
        Request.objects.create(
            organisation=org,
            person=person,
            module=module,
            occurred_on=day,
            opens_on=day,
            closes_on=day + dt.timedelta(days=14),
            answered_on=day if i % 4 else None,
        )
    given = [
        Given(
            module.pk,
            DAY,
            Where(p.unit_id, p.role_id, p.gender),
            motivated=rng.choice([2, 3, 4]),
            level=rng.choice([2, 3, 4]),
            method_good=4,
            important=3,
            will_use=rng.choice([1, 4]),
        )
        for p in attendees[:20]
    ]
    store_answers(org.pk, given)
    network.module = module
    network.initiative = initiative
    network.nurse = nurse
    network.assistant = assistant
    return network


def org_competences(org: Any) -> Any:
    from kompetenslyft.competence.models import Competence

    return Competence.objects.filter(code__in=["MAIL", "DOC"], framework__organisation=org)
