"""The demo's micro-learning (called from ``org.demo.load_demo``): a question bank for
"Möten och chatt i Teams" (or Avvikelser), micro-learning switched on for it, the demo employee's
questions due today, and its unit (Hemtjänst Norra) in a team challenge with five weeks of
answers from its colleagues, the closed weeks published. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kompetenslyft.knowledge.services import bank_import
from kompetenslyft.learning import participation
from kompetenslyft.learning.models import Attendance, Module
from kompetenslyft.org.models import Organisation, Person

from .models import Course, Item, Learner, QuestionSet, TeamChallenge
from .services import first_items, module_switch, publish_team_weeks, week_start

DEMO_BANK = """// Frågebank: Avvikelser – rapportera och lära

::Vad är en avvikelse::Vad är en avvikelse?{
=En händelse som avviker från rutin och kunde ha lett till skada#Rätt! Även det som nästan hände räknas.
~Bara när någon har skadats#Nej: även tillbud rapporteras.
~Ett klagomål från en anhörig#Inte alltid: klagomål har en egen rutin.
}

::Vem rapporterar::Den som upptäcker en avvikelse rapporterar den själv.{TRUE#Fel: den som upptäcker den rapporterar.#Rätt!}

::När rapportera::När ska en avvikelse rapporteras?{
=Så snart som möjligt, samma arbetspass#Rätt!
~Vid nästa arbetsplatsträff#Nej, det är för sent.
~När chefen ber om det#Nej, rapportera själv direkt.
}

::Syfte::Syftet med avvikelserapporter är att hitta den som gjort fel.{FALSE#Fel: syftet är att lära, inte att skuldbelägga.#Rätt: syftet är att lära och förebygga.}

::Vad skriva::Vad ska en avvikelserapport innehålla?{
~%50%Vad som hände och när#Ja.
~%50%Vilka åtgärder som togs direkt#Ja.
~%-100%Vem som var slarvig#Nej, rapporten beskriver händelsen, inte skuld.
}

::Läkemedel::Ett utdelat läkemedel vid fel tid är en avvikelse.{TRUE#Fel: fel tid räknas också.#Rätt!}

::Uppföljning::Vem följer upp en avvikelse?{
=Enhetschefen, tillsammans med arbetsgruppen#Rätt!
~Ingen, rapporten räcker#Nej: lärandet kommer av uppföljningen.
~Den som rapporterade, ensam#Nej.
}

::Tillbud::Ett tillbud (något som nästan hände) behöver inte rapporteras.{FALSE#Fel: även tillbud rapporteras.#Rätt: tillbud rapporteras också.}
"""
MODULE = "M-TEAMS"
FALLBACK_MODULE = "M-AVVIK"
WEEKS = 5


def microlearning_for_demo(organisation: Organisation, employee: Person) -> None:
    """Micro-learning on "Möten och chatt i Teams" (its question bank comes from the knowledge
    tests' demo; without it, the Avvikelser bank above on its module): the employee and its
    colleagues *completed* the module (an attendance row each), since only completed modules
    feed micro-learning — not Avvikelser, which the employee is offered a test before."""
    from kompetenslyft.knowledge.models import Question

    if TeamChallenge.objects.filter(organisation=organisation).exists():
        return
    module = Module.objects.filter(organisation=organisation, code=MODULE).first()
    live = Question.objects.filter(bank__organisation=organisation, retired=False)
    if module is None or not live.filter(bank__module=module).exists():
        module = Module.objects.filter(organisation=organisation, code=FALLBACK_MODULE).first()
        if module is None:
            return
        bank_import(
            organisation=organisation,
            module=module,
            content=DEMO_BANK.encode(),
            filename="avvikelser.gift",
            actor=None,
        )
    module_switch(organisation=organisation, module=module, enabled=True, actor=None)
    questions = list(live.filter(bank__module=module).order_by("position").values_list("pk", flat=True))
    today = timezone.localdate()
    rnd = random.Random(10)  # noqa: S311 (demo data)
    colleagues = list(
        Person.objects.filter(organisation=organisation, unit=employee.unit, is_active=True)
        .exclude(pk=employee.pk)
        .order_by("employee_id")[:12]
    )
    # The employee completed the module nine days ago: its second day of questions is today.
    _course(employee, module, questions, today - dt.timedelta(days=7))
    for person in colleagues:
        completed = week_start(today) - dt.timedelta(weeks=WEEKS, days=1 + rnd.randrange(0, 5))
        _course(person, module, questions, completed)
        for week in range(WEEKS, 0, -1):
            if rnd.random() < 0.2:
                continue
            # A weekday of one of the last WEEKS closed weeks (published below).
            day = week_start(today) - dt.timedelta(weeks=week) + dt.timedelta(days=rnd.randrange(0, 5))
            shown = rnd.sample(questions, 4)
            right = sum(rnd.random() < 0.75 for _q in shown)
            QuestionSet.objects.get_or_create(
                person=person,
                day=day,
                defaults={
                    "organisation": organisation,
                    "questions": shown,
                    "right": right,
                    "answered_on": day,
                    "emailed_at": timezone.now(),
                },
            )
    # The completions count as participation everywhere (the participation summary, ADR 0006).
    participation.refresh_people(organisation.pk, [employee.pk, *(p.pk for p in colleagues)])
    items = list(Item.objects.filter(person=employee, due_on__isnull=False).order_by("due_on", "pk")[:4])
    QuestionSet.objects.get_or_create(
        person=employee,
        day=today,
        defaults={"organisation": organisation, "questions": [i.question_id for i in items]},
    )
    unit = employee.unit
    TeamChallenge.objects.create(
        organisation=organisation, unit=unit, started_on=week_start(today) - dt.timedelta(weeks=WEEKS)
    )
    # The closed weeks are published as the daily run would have done each Monday (ADR 0012).
    publish_team_weeks(today=today)


def _course(person: Person, module: Any, questions: list[int], completed: dt.date) -> None:
    # A course follows a completion (only completed modules feed micro-learning).
    Attendance.objects.get_or_create(
        person=person,
        module=module,
        date=completed,
        defaults={
            "status": Attendance.Status.COMPLETED,
            "hours": Decimal("1.00"),
            "unit_id": person.unit_id,
            "role_id": person.role_id,
            "source": "demo",
        },
    )
    Learner.objects.get_or_create(person=person, defaults={"organisation_id": person.organisation_id})
    Course.objects.get_or_create(person=person, module=module, defaults={"completed_on": completed})
    today = timezone.localdate()
    Item.objects.bulk_create(
        [
            Item(person=person, module=module, question_id=q, due_on=max(due, today) if due <= today else due)
            for q, due in first_items(person.pk, questions, completed)
        ],
        ignore_conflicts=True,
    )
