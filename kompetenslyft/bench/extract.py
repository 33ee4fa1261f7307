"""Issue 12, the register extract of a person with five years of history (≤ 2 s): one person of
the bench organisation gets five years of everything — moves, self-assessments each half year,
bookings and attendance, knowledge test tries, follow-up talks, support questions, a micro-
learning set most working days, learning records among the organisation's own, audit entries
and reads of its data — and its extract is built as JSON and PDF the way the task builds it.
The seeded person is removed at the end. ``bench run --only extract``."""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

import orjson
from django.db import transaction
from django.utils import timezone

from kompetenslyft.bench import sampling
from kompetenslyft.org.models import Organisation, Person, Placement

if TYPE_CHECKING:
    from .runner import BenchContext

TARGET_S = 2.0
YEARS = 5
EMPLOYEE_ID = "bench-extract"


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def seed_history(organisation: Organisation, *, years: int = YEARS) -> tuple[Person, dict[str, int]]:
    """A person with ``years`` of history in ``organisation``; returns it and the row counts."""
    from kompetenslyft.assessment.models import Answer
    from kompetenslyft.competence.models import Competence
    from kompetenslyft.core.models import AuditEntry
    from kompetenslyft.dataprotection.models import AccessEntry, AccessPerson
    from kompetenslyft.followup.models import FollowUp
    from kompetenslyft.knowledge.models import Attempt, KnowledgeTest
    from kompetenslyft.learning.models import Attendance, Booking, Enrolment, Module, Session, SupportRequest
    from kompetenslyft.lrs import keys
    from kompetenslyft.lrs.models import Client, Statement
    from kompetenslyft.microlearning.models import QuestionSet

    Person.objects.filter(organisation=organisation, employee_id=EMPLOYEE_ID).delete()
    template = (
        Person.objects.filter(organisation=organisation, is_active=True)
        .select_related("unit", "role")
        .first()
    )
    if template is None:
        raise RuntimeError("the bench organisation has no people")
    units = list(organisation.units.order_by("pk")[:6]) or [template.unit]
    start = timezone.localdate() - dt.timedelta(days=365 * years)
    person = Person.objects.create(
        organisation=organisation,
        employee_id=EMPLOYEE_ID,
        given_name="Åsa",
        family_name="Ødegård",
        email="bench-extract@example.org",
        unit=units[-1],
        role=template.role,
        start_date=start,
    )
    counts: dict[str, int] = {}
    moves = [start + dt.timedelta(days=365 * years * i // len(units)) for i in range(len(units))]
    Placement.objects.bulk_create(
        Placement(
            person=person,
            unit=unit,
            role=template.role,
            valid_from=begin,
            valid_to=(moves[i + 1] - dt.timedelta(days=1)) if i + 1 < len(moves) else None,
        )
        for i, (unit, begin) in enumerate(zip(units, moves, strict=True))
    )
    counts["placements"] = len(units)
    competences = list(Competence.objects.order_by("pk")[:30])
    points = years * 2
    Answer.objects.bulk_create(
        Answer(
            person=person,
            competence=competence,
            measurement_point=point,
            level=1 + (point + competence.pk) % 4,
            measured_at=_at(start + dt.timedelta(days=182 * point)),
            source="import",
            is_latest=point == points - 1,
        )
        for point in range(points)
        for competence in competences
    )
    counts["answers"] = points * len(competences)
    modules = list(Module.objects.filter(organisation=organisation).order_by("pk")[:20])
    if not modules:
        modules = [
            Module.objects.create(
                organisation=organisation,
                code="bench-extract",
                name="Dokumentation i hemtjänsten",
                category="IT",
                level="basic",
                format="onsite",
                hours=Decimal("2"),
            )
        ]
    sessions = Session.objects.bulk_create(
        Session(
            organisation=organisation,
            module=modules[i % len(modules)],
            starts_at=_at(start + dt.timedelta(days=22 * i)),
            place="Stadshuset, sal 2",
        )
        for i in range(80)
    )
    Booking.objects.bulk_create(Booking(session=s, person=person, status="booked") for s in sessions)
    Attendance.objects.bulk_create(
        Attendance(
            person=person,
            module=s.module,
            session=s,
            unit=person.unit,
            role=person.role,
            date=s.starts_at.date(),
            hours=Decimal("2"),
        )
        for s in sessions
    )
    Enrolment.objects.bulk_create(
        Enrolment(person=person, module=m, kind="mandatory", due_on=start + dt.timedelta(days=300))
        for m in modules
    )
    counts["sessions booked and attended"] = len(sessions)
    test = KnowledgeTest.objects.filter(organisation=organisation).first() or KnowledgeTest.objects.create(
        organisation=organisation, module=modules[0], kind="post"
    )
    Attempt.objects.bulk_create(
        Attempt(
            test=test,
            person=person,
            unit=person.unit,
            role=person.role,
            number=1 + i,
            drawn=list(range(i, i + 10)),
            answers={str(q): [q * 4 + 1] for q in range(i, i + 10)},
            started_at=_at(start + dt.timedelta(days=45 * i)),
            submitted_at=_at(start + dt.timedelta(days=45 * i), 10),
            score=Decimal("80.00"),
            passed=True,
        )
        for i in range(40)
    )
    counts["knowledge test tries"] = 40
    FollowUp.objects.bulk_create(
        FollowUp(
            organisation=organisation,
            person=person,
            module=modules[i % len(modules)],
            completed_on=start + dt.timedelta(days=45 * i),
            kind=30 if i % 2 else 90,
            due_on=start + dt.timedelta(days=45 * i + 30),
            unit=person.unit,
            role=person.role,
            held_on=start + dt.timedelta(days=45 * i + 32),
            applying="partly",
            support_needed="Mer tid att öva på journalföring.",
        )
        for i in range(40)
    )
    SupportRequest.objects.bulk_create(
        SupportRequest(
            organisation=organisation,
            person=person,
            unit=person.unit,
            topic="Lösenord",
            question=f"Hur byter jag lösenord i verksamhetssystemet? ({i})",
            answer="Via självservice, se lathunden.",
            answered_at=_at(start + dt.timedelta(days=70 * i)),
        )
        for i in range(25)
    )
    days = [
        start + dt.timedelta(days=d)
        for d in range(365 * years)
        if (start + dt.timedelta(days=d)).weekday() < 5
    ]
    QuestionSet.objects.bulk_create(
        (
            QuestionSet(
                person=person,
                organisation=organisation,
                day=day,
                questions=[1, 2, 3, 4],
                answers={"1": [2], "2": [5], "3": [9], "4": [13]},
                right=3,
                answered_on=day,
            )
            for day in days[::2]
        ),
        batch_size=2000,
    )
    counts["micro-learning sets"] = len(days[::2])
    client = Client.objects.filter(organisation=organisation).first() or Client.objects.create(
        organisation=organisation,
        name="bench extract",
        key=uuid.uuid4().hex,
        secret_hash="0" * 64,
        scopes="all",
    )
    actor = {"mbox": f"mailto:{person.email}", "name": "Åsa Ødegård"}
    actor_key = keys.agent_key(actor)
    statements = []
    for i in range(3000):
        stored = _at(start + dt.timedelta(hours=14 * i))
        statement_id = str(uuid.uuid4())
        activity = f"https://kurser.example.org/modul/{i % 40}"
        data = {
            "id": statement_id,
            "actor": actor,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"id": activity},
            "stored": stored.isoformat(),
            "timestamp": stored.isoformat(),
            "version": "1.0.3",
        }
        statements.append(
            Statement(
                organisation=organisation,
                client=client,
                statement_id=statement_id,
                stored=stored,
                version="1.0.3",
                actor_key=actor_key,
                object_key=activity,
                verb_id="http://adlnet.gov/expapi/verbs/completed",
                related_agents=keys.joined({actor_key}),
                related_activities=keys.joined({activity}),
                data=orjson.dumps(data).decode(),
            )
        )
    Statement.objects.bulk_create(statements, batch_size=2000)
    counts["learning records"] = len(statements)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor_label="import",
            organisation=organisation,
            action="person.moved",
            target_type="person",
            target_id=EMPLOYEE_ID,
            target_label="Åsa Ødegård",
            changes={"unit": [units[0].unit_id, units[-1].unit_id]},
        )
        for _ in range(len(units))
    )
    entries = AccessEntry.objects.bulk_create(
        AccessEntry(reader_label="chef", organisation=organisation, kind="team_progress", people=1)
        for _ in range(1000)
    )
    AccessPerson.objects.bulk_create((AccessPerson(entry=e, person=person) for e in entries), batch_size=2000)
    counts["reads of its data"] = len(entries)
    return person, counts


def _cleanup(organisation: Organisation, person: Person) -> None:
    from kompetenslyft.core.models import AuditEntry
    from kompetenslyft.dataprotection.models import AccessEntry
    from kompetenslyft.learning.models import Module, Session
    from kompetenslyft.lrs.models import Statement

    with transaction.atomic():
        Statement.objects.filter(organisation=organisation, actor_key=f"@mbox:mailto:{person.email}").delete()
        Session.objects.filter(
            organisation=organisation, place="Stadshuset, sal 2", bookings__person=person
        ).delete()
        AuditEntry.objects.filter(organisation=organisation, target_id=EMPLOYEE_ID).delete()
        AccessEntry.objects.filter(organisation=organisation, persons__person=person).delete()
        person.delete()
        Module.objects.filter(organisation=organisation, code="bench-extract").delete()


def op_extract(ctx: BenchContext) -> None:
    from kompetenslyft.dataprotection.services import extract_content

    from .runner import BENCH_CODE, Figure, timed  # the runner imports this module at its end

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    seconds, (person, counts) = timed(lambda: seed_history(organisation))
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    ctx.report(Figure(f"extract: seed five years of one person ({summary})", seconds, "s", note="setup"))
    person = Person.objects.select_related("organisation", "unit", "role", "user").get(pk=person.pk)
    try:
        samples, sizes = [], (0, 0)
        for _ in range(sampling.count(5)):
            took, sizes = timed(lambda: tuple(len(part) for part in extract_content(person, language="sv")))
            samples.append(took)
        ctx.report(
            Figure(
                f"extract: register extract, five years (JSON {sizes[0] // 1024} KiB + PDF {sizes[1] // 1024} KiB)",
                statistics.median(samples),
                "s",
                target=TARGET_S,
            )
        )
    finally:
        _cleanup(organisation, person)


__all__ = ["op_extract", "seed_history"]
