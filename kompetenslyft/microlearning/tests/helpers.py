"""A module with a question bank switched on for micro-learning, and completions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

BANK = """::Q1::Ett plus ett är två.{TRUE#Fel.#Rätt!}

::Q2::Vilken färg har snö?{=Vit#Rätt! ~Svart#Nej. ~Grön#Nej.}

::Q3::Jorden är platt.{FALSE#Fel.#Rätt!}

::Q4::Vilka är primtal?{~%50%2#Ja. ~%50%3#Ja. ~%-100%4#Nej.}

::Q5::Vad heter Sveriges huvudstad?{=Stockholm ~Oslo ~Köpenhamn}

::Q6::Vatten fryser vid noll grader.{TRUE}

::Q7::Hur många dagar har en vecka?{=Sju ~Fem ~Tio}

::Q8::Solen går upp i väster.{FALSE}
"""


def switched_on_module(network: Any, code: str = "M-AVVIK") -> Any:
    from kompetenslyft.knowledge.services import bank_import
    from kompetenslyft.learning.models import Module
    from kompetenslyft.microlearning.services import module_switch

    module = Module.objects.create(
        organisation=network.org_a,
        code=code,
        name="Avvikelser",
        category="Dokumentation",
        level="basic",
        format="onsite",
        hours=2,
    )
    bank_import(
        organisation=network.org_a, module=module, content=BANK.encode(), filename="b.gift", actor=None
    )
    module_switch(organisation=network.org_a, module=module, enabled=True, actor=None)
    return module


def complete(person: Any, module: Any, *, days_ago: int) -> Any:
    from kompetenslyft.learning.models import Attendance

    return Attendance.objects.create(
        person=person,
        module=module,
        unit_id=person.unit_id,
        role_id=person.role_id,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        hours=Decimal("2"),
        status=Attendance.Status.COMPLETED,
        source="import",
    )


def right_answers(question_set: Any) -> dict[int, list[int]]:
    from kompetenslyft.knowledge.models import Option

    answers: dict[int, list[int]] = {}
    for qid in question_set.questions:
        answers[int(qid)] = list(
            Option.objects.filter(question_id=qid, weight__gt=0).values_list("pk", flat=True)
        )
    return answers


def wrong_answers(question_set: Any) -> dict[int, list[int]]:
    from kompetenslyft.knowledge.models import Option

    return {
        int(qid): list(Option.objects.filter(question_id=qid, weight__lte=0).values_list("pk", flat=True)[:1])
        for qid in question_set.questions
    }
