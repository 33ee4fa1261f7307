"""The knowledge tests of the demo: question banks (imported from GIFT text, as a trainer would)
for "Möten och chatt i Teams" and "Avvikelser – rapportera och lära", a test before and after
each, and the first tries of the people who completed Teams (before and after, so that the
module's page shows the difference). The demo employee's journey offers the test before
Avvikelser."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from kompetenslyft.learning.models import Attendance, Module
from kompetenslyft.org.models import Organisation

from . import services
from .models import Attempt, KnowledgeTest, Question

TEAMS_GIFT = """// Möten och chatt i Teams
::Kalla till möte::Var bokar du ett Teams-möte så att det hamnar i kalendern?{
=I Teams-kalendern eller Outlook#Rätt: mötet syns i allas kalender.
~I en chatt med en länk#En länk i en chatt bokar ingen tid.
~På intranätet}

::Mikrofon::Du kommer in i ett möte som redan pågår. Vad gör du först?{
=Stänger av mikrofonen tills du ska prata
~Presenterar dig med kameran påslagen
~Lämnar mötet och ringer}

::Kanal eller chatt::En kanal i ett team passar bäst för samtal som hela arbetslaget ska kunna följa.{T#Fel: en kanal är gemensam för teamet.#Rätt: kanalen är gemensam.}

::Dela skärm::Vad ska du göra innan du delar skärmen?{
~%50%Stänga fönster med personuppgifter
~%50%Välja bara det fönster som ska visas
~%-50%Dela hela skrivbordet}

::Känsliga uppgifter::Det går bra att skriva en brukares personnummer i en Teams-chatt.{F#Fel: chatten är inte till för känsliga uppgifter.#Rätt: känsliga uppgifter skrivs i journalsystemet.}
"""

AVVIK_GIFT = """// Avvikelser – rapportera och lära
::Vad är en avvikelse::Vad är en avvikelse?{
=Något som avviker från det planerade och kan leda till skada
~Bara en händelse där någon skadats
~Ett klagomål från en anhörig}

::Vem rapporterar::Vem ska rapportera en avvikelse?{
=Den som upptäcker den
~Enhetschefen
~Sjuksköterskan}

::När::En avvikelse rapporteras så snart som möjligt, samma arbetspass.{T}

::Lära::Varför går arbetslaget igenom avvikelserna?{
=För att hitta orsaker och förebygga
~För att hitta den som gjorde fel
~För att statistiken ska bli bättre}

::Anonym::Rapporten ska beskriva vad som hände, inte vem som gjorde fel.{T}
"""


def knowledge_for_demo(organisation: Organisation) -> None:
    rnd = random.Random(10)
    modules = {
        m.code: m for m in Module.objects.filter(organisation=organisation, code__in=("M-TEAMS", "M-AVVIK"))
    }
    for code, text, filename in (
        ("M-TEAMS", TEAMS_GIFT, "teams_fragor.gift"),
        ("M-AVVIK", AVVIK_GIFT, "avvikelser.gift"),
    ):
        services.bank_import(
            organisation=organisation,
            module=modules[code],
            content=text.encode(),
            filename=filename,
            actor=None,
        )
        for kind in (KnowledgeTest.Kind.PRE, KnowledgeTest.Kind.POST):
            services.test_save(
                organisation=organisation,
                module=modules[code],
                kind=kind,
                pass_mark=80,
                questions_drawn=5,
                max_attempts=3,
                wait_hours=0,
                active=True,
                actor=None,
            )
    tests = {
        t.kind: t for t in KnowledgeTest.objects.filter(organisation=organisation, module=modules["M-TEAMS"])
    }
    questions = list(Question.objects.filter(bank__module=modules["M-TEAMS"]).prefetch_related("options"))
    completed = (
        Attendance.objects.filter(
            module=modules["M-TEAMS"], status=Attendance.Status.COMPLETED, person__organisation=organisation
        )
        .select_related("person")
        .order_by("person__employee_id")
    )
    now = timezone.now()
    tries = []
    for row in completed:
        person = row.person
        for kind, right_chance in ((KnowledgeTest.Kind.PRE, 0.5), (KnowledgeTest.Kind.POST, 0.85)):
            drawn, answers, total = [], {}, Decimal(0)
            for question in rnd.sample(questions, len(questions)):
                options = list(question.options.all())
                drawn.append([question.pk, [o.pk for o in options]])
                right = [o for o in options if o.weight > 0]
                wrong = [o for o in options if o.weight <= 0]
                chosen = right if rnd.random() < right_chance or not wrong else [rnd.choice(wrong)]
                if question.kind != Question.Kind.MULTIPLE:
                    chosen = chosen[:1]
                answers[str(question.pk)] = [o.pk for o in chosen]
                total += services.question_score(question, [o.pk for o in chosen])
            score = (total * 100 / len(questions)).quantize(Decimal("0.01"))
            # The day before the module and the day after it (never later than now).
            day = row.date + dt.timedelta(days=-1 if kind == KnowledgeTest.Kind.PRE else 1)
            handed_in = min(now, timezone.make_aware(dt.datetime.combine(day, dt.time(14))))
            tries.append(
                Attempt(
                    test=tests[kind],
                    person=person,
                    unit_id=row.unit_id,
                    role_id=row.role_id,
                    number=1,
                    drawn=drawn,
                    answers=answers,
                    started_at=handed_in,
                    submitted_at=handed_in,
                    score=score,
                    passed=score >= tests[kind].pass_mark,
                )
            )
    Attempt.objects.bulk_create(tries, batch_size=500)
    # The daily run publishes the months that have closed (ADR 0019); the demo's pages read them.
    services.publish_result_months()
