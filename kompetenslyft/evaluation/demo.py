"""The demo's module evaluations: sessions of the last weeks with their register taken (which
asks everyone present), realistic answers written through ``store_answers``, and the demo
employee's own evaluation still to give. Results show for modules with k or more answers and
not for one with fewer."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from .models import Question, Request
from .services import Given, placement_of, store_answers

COMMENTS = [
    "Bra med konkreta exempel från vår vardag.",
    "Det gick lite för fort när vi skulle logga in första gången.",
    "Vill gärna ha en repetition om ett par månader.",
    "Lathunden var till stor hjälp, den sitter nu på kylskåpet.",
    "Svårt att höra i personalrummet när det var fullt.",
    "Skönt att få öva på riktigt i systemet och inte bara titta.",
    "Mer tid till frågor hade varit bra.",
]
# weights of 1..4 (the four items) and of 1..5 (the level), per module's reception
RECEPTION = {
    "good": ([0.04, 0.12, 0.44, 0.40], [0.02, 0.12, 0.68, 0.14, 0.04]),
    "mixed": ([0.10, 0.30, 0.40, 0.20], [0.02, 0.06, 0.50, 0.30, 0.12]),
}


def _past_session(
    *,
    module: Any,
    days_ago: int,
    place: str,
    trainer: Any,
    initiative: Any,
    booked: Sequence[Any],
    present: Sequence[Any],
) -> Any:
    from kompetenslyft.learning.models import Booking
    from kompetenslyft.learning.services import attendance_take, session_create

    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() - dt.timedelta(days=days_ago), dt.time(13, 0))
    )
    session = session_create(
        module=module,
        starts_at=start,
        duration_minutes=90,
        capacity=max(12, len(booked)),
        place=place,
        trainers=[trainer] if trainer else [],
        initiative=initiative,
    )
    Booking.objects.bulk_create(
        Booking(session=session, person=p, status=Booking.Status.BOOKED) for p in booked
    )
    attendance_take(session=session, present={p.pk for p in present})
    # They were e-mailed the link on the day (the demo prints no old e-mails).
    Request.objects.filter(session=session).update(sent_on=start.date())
    return session


def _answer(
    organisation_id: int,
    session: Any,
    people: Sequence[Any],
    rnd: random.Random,
    reception: str,
    questions: Sequence[Question],
) -> None:
    items, levels = RECEPTION[reception]
    day = timezone.localtime(session.starts_at).date()
    given = []
    for person in people:
        comment = rnd.choice(COMMENTS) if rnd.random() < 0.35 else ""
        extra: dict[int, int | str] = {}
        for question in questions:
            if question.kind == Question.Kind.SCALE and rnd.random() < 0.9:
                extra[question.pk] = rnd.choices([1, 2, 3, 4], items)[0]
        given.append(
            Given(
                module_id=session.module_id,
                occurred_on=day,
                where=placement_of(person, day),
                session_id=session.pk,
                motivated=rnd.choices([1, 2, 3, 4], items)[0],
                level=rnd.choices([1, 2, 3, 4, 5], levels)[0],
                method_good=rnd.choices([1, 2, 3, 4], items)[0],
                important=rnd.choices([1, 2, 3, 4], items)[0],
                will_use=rnd.choices([1, 2, 3, 4], items)[0] if rnd.random() < 0.95 else None,
                comment=comment,
                extra=extra,
            )
        )
    today = timezone.localdate()
    for person in people:
        answered = min(today, day + dt.timedelta(days=rnd.randint(0, 3)))
        Request.objects.filter(session=session, person=person).update(answered_on=answered)
    store_answers(organisation_id, given)


def evaluations_for_demo(
    *,
    organisation: Any,
    initiative: Any,
    modules: dict[str, Any],
    trainer: Any,
    employee: Any,
    people: list[Any],
) -> None:
    """``people``: the initiative's people (elderly care and disability), by employee id."""
    rnd = random.Random(43)  # noqa: S311 - demo data
    questions = [
        Question.objects.create(
            organisation=organisation,
            initiative=initiative,
            text="Fick du tillräckligt med tid att öva under passet?",
            kind=Question.Kind.SCALE,
            position=0,
        ),
        Question.objects.create(
            organisation=organisation,
            initiative=initiative,
            text="Vad vill du ha mer stöd med framöver?",
            kind=Question.Kind.TEXT,
            position=1,
        ),
    ]
    by_unit: dict[str, list[Any]] = {}
    for person in people:
        if person.pk not in (trainer.pk, employee.pk):
            by_unit.setdefault(person.unit.unit_id, []).append(person)
    plan = [
        # module, days ago, place, unit of those booked, first of them, booked, present, answered,
        # reception. Enough answers in each module, over two months and several units, that the
        # published blocks (k or more, ADR 0005) show figures to the lead, the trainer and in the
        # funder report — with the anonymity threshold as it is.
        ("M-AVVIK", 70, "Lindgården, samlingssalen", "VOF-SB-LIN", 0, 16, 15, 13, "good"),
        ("M-AVVIK", 55, "Solgården, matsalen", "VOF-SB-SOL", 0, 14, 13, 11, "good"),
        ("M-AVVIK", 40, "Hemtjänst Södra, mötesrummet", "VOF-HT-S", 0, 14, 12, 10, "good"),
        ("M-SOCDOK", 65, "Ekbacken, personalrummet", "VOF-SB-EKB", 0, 15, 14, 12, "mixed"),
        ("M-SOCDOK", 50, "Lindgården, samlingssalen", "VOF-SB-LIN", 16, 14, 13, 11, "mixed"),
        ("M-SOCDOK", 30, "Hemtjänst Centrum, personalrummet", "VOF-HT-C", 0, 12, 11, 7, "mixed"),
        ("M-HEMAPP", 60, "Hemtjänst Centrum, personalrummet", "VOF-HT-C", 12, 14, 13, 11, "good"),
        ("M-HEMAPP", 45, "Solgården, matsalen", "VOF-SB-SOL", 14, 12, 11, 9, "good"),
        # An elective that the undersköterskor found useful: "Suggested for you" on the demo
        # employee's journey gives it with the reason (its role's released shares).
        ("M-INTRA", 58, "Ekbacken, personalrummet", "VOF-SB-EKB", 15, 16, 15, 14, "good"),
        ("M-INTRA", 44, "Lindgården, samlingssalen", "VOF-SB-LIN", 30, 16, 15, 14, "good"),
        ("M-INTRA", 35, "Solgården, matsalen", "VOF-SB-SOL", 26, 16, 15, 14, "good"),
        # Last: its 3 answers (short of k) wait in the pool for the next answers of any module,
        # rather than joining an earlier module's block and hiding that module's figures.
        ("M-HEMAPP", 25, "Nattpatrullen, basen", "VOF-HT-NP", 0, 6, 5, 3, "good"),
    ]
    for code, days_ago, place, unit_id, first, n_booked, n_present, n_answered, reception in plan:
        booked = by_unit[unit_id][first : first + n_booked]
        session = _past_session(
            module=modules[code],
            days_ago=days_ago,
            place=place,
            trainer=trainer,
            initiative=initiative,
            booked=booked,
            present=booked[:n_present],
        )
        _answer(organisation.pk, session, booked[:n_answered], rnd, reception, questions)
    # Two days ago in Hemtjänst Norra: the demo employee was there and has its evaluation to give.
    north = [employee, *by_unit["VOF-HT-N"][14:21]]
    session = _past_session(
        module=modules["M-SOCDOK"],
        days_ago=2,
        place="Hemtjänst Norra, personalrummet",
        trainer=trainer,
        initiative=initiative,
        booked=north,
        present=north,
    )
    _answer(organisation.pk, session, north[1:5], rnd, "mixed", questions)
