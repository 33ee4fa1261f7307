"""Writes of the knowledge tests: importing a GIFT question bank, a module's test settings,
starting and submitting an attempt (a passed test before the module exempts the person)."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.importing import ImportRefused, ImportResult
from kompetenslyft.core.published import closed_months
from kompetenslyft.learning import proposal_services
from kompetenslyft.learning.models import Module
from kompetenslyft.lrs import emit
from kompetenslyft.org.models import Organisation, Person

from . import gift
from .models import Attempt, KnowledgeTest, Option, Question, QuestionBank, ResultAtom, ResultMonth

MAX_FILE_BYTES = 512 * 1024


def exemption_reason(organisation: Organisation) -> str:
    """The reason stored on an exemption, in the organisation's language (shown as it is)."""
    with translation.override(organisation.language or "sv"):
        return _("passed the knowledge test")


# --- importing ---------------------------------------------------------------------------------


@dataclass
class BankImport:
    bank_name: str
    questions: list[gift.Question]
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    categories: list[str] = field(default_factory=list)


def bank_name_for(filename: str) -> str:
    stem = PurePath(filename or "").stem.strip()
    return " ".join(stem.split())[:200] or _("Questions")


def question_ident(question: gift.Question) -> str:
    """Stable within a bank: the title (as a slug) if the file gives one, else a digest of the text."""
    if question.title:
        slug = re.sub(r"[^\w-]+", "-", question.title.lower(), flags=re.UNICODE).strip("-")
        return ("t-" + slug)[:64]
    return "h-" + hashlib.sha256(question.text.encode()).hexdigest()[:40]


def bank_parse(*, content: bytes, filename: str) -> list[gift.Question]:
    """The file's questions, or :class:`gift.GiftError` naming every problem (size, encoding,
    unsupported question types, two questions with the same title)."""
    if len(content) > MAX_FILE_BYTES:
        raise gift.GiftError([_("The file is larger than %(kb)s kB.") % {"kb": MAX_FILE_BYTES // 1024}])
    questions = gift.parse(content)
    seen: dict[str, gift.Question] = {}
    problems = []
    for question in questions:
        ident = question_ident(question)
        if ident in seen:
            problems.append(
                _("question %(label)s, line %(line)s: the same question as question %(first)s.")
                % {"label": question.label, "line": question.line, "first": seen[ident].label}
            )
        seen[ident] = question
    if problems:
        raise gift.GiftError(problems)
    return questions


@transaction.atomic
def bank_import(
    *,
    organisation: Organisation,
    module: Module,
    content: bytes,
    filename: str,
    actor: Any,
    dry_run: bool = False,
) -> BankImport:
    """Import a GIFT file into the module's bank named after the file: new questions are added,
    changed ones updated in place (same ident), those no longer in the file retired. All or
    nothing; importing the same file again changes nothing. ``dry_run`` counts and rolls back."""
    questions = bank_parse(content=content, filename=filename)
    # The bank the same file went into before (it may have been renamed since), else the bank
    # named after the file.
    bank = QuestionBank.objects.filter(
        organisation=organisation, module=module, source=filename[:200]
    ).first()
    if bank is None:
        bank, _created = QuestionBank.objects.get_or_create(
            organisation=organisation,
            module=module,
            name=bank_name_for(filename),
            defaults={"source": filename[:200]},
        )
    name = bank.name
    existing = {q.ident: q for q in bank.questions.prefetch_related("options")}
    result = BankImport(name, questions)
    result.categories = sorted({q.category for q in questions if q.category})
    wanted = set()
    for position, parsed in enumerate(questions):
        ident = question_ident(parsed)
        wanted.add(ident)
        current = existing.get(ident)
        options = [(o.text, o.weight.quantize(Decimal("0.0001")), o.feedback) for o in parsed.options]
        fields = {
            "kind": parsed.kind,
            "title": parsed.title,
            "category": parsed.category[:200],
            "text": parsed.text,
            "text_format": parsed.text_format,
            "general_feedback": parsed.general_feedback,
            "position": position,
            "retired": False,
        }
        if current is None:
            question = Question.objects.create(bank=bank, ident=ident, **fields)
            result.new += 1
        else:
            same = (
                all(getattr(current, k) == v for k, v in fields.items())
                and [(o.text, o.weight, o.feedback) for o in current.options.all()] == options
            )
            if same:
                result.unchanged += 1
                continue
            for key, value in fields.items():
                setattr(current, key, value)
            current.save()
            current.options.all().delete()
            question = current
            result.updated += 1
        Option.objects.bulk_create(
            Option(question=question, text=text, weight=weight, feedback=feedback, position=i)
            for i, (text, weight, feedback) in enumerate(options)
        )
    retire = [q.pk for ident, q in existing.items() if ident not in wanted and not q.retired]
    result.retired = Question.objects.filter(pk__in=retire).update(retired=True)
    if dry_run:
        transaction.set_rollback(True)
        return result
    bank.source = filename[:200]
    bank.save(update_fields=["source", "updated_at"])
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent(
            "knowledge.bank_imported",
            "module",
            str(module.pk),
            f"{module.code}: {name}",
            {"new": result.new, "updated": result.updated, "retired": result.retired, "file": filename},
        ),
    )
    return result


@transaction.atomic
def bank_rename(*, bank: QuestionBank, name: str, actor: Any) -> QuestionBank:
    """Give a bank a new name (unique among the module's banks of the organisation). Importing
    the file it came from again still updates it: the import finds a bank by its file first."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Give the bank a name."))
    if len(name) > 200:
        raise ValidationError(_("The name is longer than 200 characters."))
    bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
    if name == bank.name:
        return bank
    taken = (
        QuestionBank.objects.filter(organisation_id=bank.organisation_id, module_id=bank.module_id, name=name)
        .exclude(pk=bank.pk)
        .exists()
    )
    if taken:
        raise ValidationError(_("The module already has a bank with that name."))
    old = bank.name
    bank.name = name
    bank.save(update_fields=["name", "updated_at"])
    audit_record(
        actor=actor,
        organisation=Organisation.objects.get(pk=bank.organisation_id),
        event=AuditEvent(
            "knowledge.bank_renamed", "question_bank", str(bank.pk), name, {"name": [old, name]}
        ),
    )
    return bank


def gift_import_command(
    *, content: bytes, filename: str, organisation: Organisation, actor: Any, dry_run: bool, **options: Any
) -> ImportResult:
    """``kompetenslyft import gift FILE --module CODE [--dry-run]`` (core.importing's text kinds)."""
    result = ImportResult(kind="gift", organisation=organisation.code, dry_run=dry_run)
    code = options.get("module") or ""
    module = (
        Module.objects.filter(code=code, organisation=organisation).first()
        or Module.objects.filter(code=code, organisation__isnull=True).first()
    )
    if module is None:
        result.error(0, "", _("No module with the code '%(code)s' (give --module).") % {"code": code})
        raise ImportRefused(result)
    try:
        done = bank_import(
            organisation=organisation,
            module=module,
            content=content,
            filename=filename,
            actor=actor,
            dry_run=dry_run,
        )
    except gift.GiftError as exc:
        for problem in exc.problems:
            result.error(0, "", problem)
        raise ImportRefused(result) from exc
    result.rows = len(done.questions)
    result.counts = {
        "new": done.new,
        "updated": done.updated,
        "unchanged": done.unchanged,
        "retired": done.retired,
    }
    return result


# --- tests -----------------------------------------------------------------------------------------


@transaction.atomic
def test_save(
    *,
    organisation: Organisation,
    module: Module,
    kind: str,
    pass_mark: int,
    questions_drawn: int,
    max_attempts: int,
    wait_hours: int,
    active: bool,
    actor: Any,
) -> KnowledgeTest:
    """Create or change the module's test before (``pre``) or after (``post``) it."""
    if kind not in KnowledgeTest.Kind.values:
        raise ValidationError(_("Unknown kind of test."))
    if not 1 <= pass_mark <= 100:
        raise ValidationError(_("The pass mark must be between 1 and 100 %."))
    if not 1 <= questions_drawn <= 100:
        raise ValidationError(_("Draw between 1 and 100 questions."))
    if not 0 <= max_attempts <= 50 or not 0 <= wait_hours <= 24 * 60:
        raise ValidationError(_("Tries or hours between tries out of range."))
    in_bank = Question.objects.filter(
        bank__organisation=organisation, bank__module=module, retired=False
    ).count()
    if questions_drawn > in_bank:
        raise ValidationError(
            {
                "questions_drawn": ngettext(
                    "The module's question bank has %(n)s question in use: draw at most %(n)s.",
                    "The module's question bank has %(n)s questions in use: draw at most %(n)s.",
                    in_bank,
                )
                % {"n": in_bank}
            }
        )
    test, created = KnowledgeTest.objects.update_or_create(
        organisation=organisation,
        module=module,
        kind=kind,
        defaults={
            "pass_mark": pass_mark,
            "questions_drawn": questions_drawn,
            "max_attempts": max_attempts,
            "wait_hours": wait_hours,
            "active": active,
        },
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent(
            "knowledge.test_created" if created else "knowledge.test_changed",
            "module",
            str(module.pk),
            f"{module.code} ({kind})",
            {
                "pass_mark": pass_mark,
                "questions_drawn": questions_drawn,
                "max_attempts": max_attempts,
                "wait_hours": wait_hours,
                "active": active,
            },
        ),
    )
    return test


def _pool(test: KnowledgeTest) -> list[Question]:
    return list(
        Question.objects.filter(
            bank__organisation_id=test.organisation_id, bank__module_id=test.module_id, retired=False
        ).prefetch_related("options")
    )


@transaction.atomic
def attempt_start(*, test: KnowledgeTest, person: Person, rng: random.Random | None = None) -> Attempt:
    """The person's open attempt at ``test``, or a new one with questions drawn at random and
    their options shuffled. Refused when the test is closed, the tries are used up, the wait
    between tries is not over, or it was already passed."""
    from . import selectors

    Person.objects.select_for_update().filter(pk=person.pk).first()  # one attempt at a time
    state = selectors.attempt_state(test, person)
    if state.open_attempt is not None:
        return state.open_attempt
    if not state.can_start:
        raise ValidationError(state.reason)
    rng = rng or random.SystemRandom()
    pool = _pool(test)
    if not pool:
        raise ValidationError(_("The test has no questions yet."))
    drawn = rng.sample(pool, min(test.questions_drawn, len(pool)))
    entries = []
    for question in drawn:
        options = [o.pk for o in question.options.all()]
        rng.shuffle(options)
        entries.append([question.pk, options])
    return Attempt.objects.create(
        test=test,
        person=person,
        unit_id=person.unit_id,
        role_id=person.role_id,
        number=state.finished + 1,
        drawn=entries,
        started_at=timezone.now(),
    )


def question_score(question: Question, chosen: list[int]) -> Decimal:
    """0–1: a single-answer or true/false question, the weight of the one chosen option; a
    multiple-answer one, the sum of the chosen options' weights, between 0 and 100 %."""
    return score_of(question.kind, {o.pk: o.weight for o in question.options.all()}, chosen)


def score_of(kind: str, weights: dict[int, Decimal], chosen: list[int]) -> Decimal:
    """:func:`question_score` on a question's kind and its options' weights by id."""
    picked = [weights[c] for c in chosen if c in weights]
    if kind != Question.Kind.MULTIPLE:
        picked = picked[:1]
    total = sum(picked, Decimal(0))
    return max(Decimal(0), min(Decimal(100), total)) / 100


@transaction.atomic
def attempt_submit(*, attempt: Attempt, answers: dict[int, list[int]], actor: Any) -> tuple[Attempt, int]:
    """Score the person's open attempt (answers: question id → chosen option ids, only those
    drawn count). A passed test before the module exempts the person from it on its current
    proposals, with "passed the knowledge test" as the reason, and cancels its coming bookings
    of the module (``attempt.cancelled_bookings`` says how many). Returns the attempt and the
    number of proposals the module was exempted on."""
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("test", "test__module", "person")
        .get(pk=attempt.pk)
    )
    if attempt.submitted_at is not None:
        raise ValidationError(_("This try was already handed in."))
    drawn = {int(q): [int(o) for o in options] for q, options in attempt.drawn}
    questions = Question.objects.filter(pk__in=list(drawn)).prefetch_related("options").in_bulk()
    stored: dict[str, list[int]] = {}
    total = Decimal(0)
    for question_id, allowed in drawn.items():
        chosen = [c for c in answers.get(question_id, []) if c in allowed]
        question = questions.get(question_id)
        if question is None:
            continue
        if question.kind != Question.Kind.MULTIPLE:
            chosen = chosen[:1]
        stored[str(question_id)] = chosen
        total += question_score(question, chosen)
    if not any(stored.values()):
        # An empty hand-in (a double click, a slip of the Enter key) is no try: refused, the
        # try stays open instead of using one of the person's tries with a score of 0.
        raise ValidationError(_("Answer at least one question before handing in."))
    score = (total * 100 / len(drawn)).quantize(Decimal("0.01")) if drawn else Decimal(0)
    attempt.answers = stored
    attempt.score = score
    attempt.passed = score >= attempt.test.pass_mark
    attempt.submitted_at = timezone.now()
    attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
    emit.test_submitted(attempt)
    exempted = 0
    if attempt.passed and attempt.test.kind == KnowledgeTest.Kind.PRE:
        organisation = Organisation.objects.get(pk=attempt.test.organisation_id)
        exempted = proposal_services.proposals_exempt_on_evidence(
            person=attempt.person,
            module=attempt.test.module,
            reason=exemption_reason(organisation),
            actor=actor,
        )
    # The exemption frees the person's place on the module's coming sessions (or its waiting-list
    # place): told on the page (``cancelled_bookings``), seen by the trainer on the session's list.
    attempt.cancelled_bookings = (  # type: ignore[attr-defined]
        proposal_services.bookings_cancel_when_exempt(
            person=attempt.person, module=attempt.test.module, actor=actor
        )
        if exempted
        else 0
    )
    return attempt, exempted


# --- publication per closed month (ADR 0019) -----------------------------------------------------


def publish_result_months(*, today: dt.date | None = None) -> int:
    """Publish the test results of every closed calendar month not yet published, in each
    organisation with a knowledge test: from the month of its first try handed in, at most
    :data:`core.published.MONTHS` months back (so a missed run catches up). A published month is
    never changed. Returns the number of months published."""
    from django.db.models import Min

    today = today or timezone.localdate()
    published = 0
    firsts = (
        Attempt.objects.filter(number=1, submitted_at__isnull=False)
        .values_list("test__organisation_id")
        .annotate(first=Min("submitted_at"))
        .order_by("test__organisation_id")
    )
    for organisation_id, first in firsts:
        done = set(
            ResultMonth.objects.filter(organisation_id=organisation_id).values_list("month", flat=True)
        )
        for month in closed_months(timezone.localdate(first), today):
            if month not in done and _publish_result_month(organisation_id, month):
                published += 1
    return published


@transaction.atomic
def _publish_result_month(organisation_id: int, month: dt.date) -> bool:
    """One organisation's closed month, computed once (``results.month_atoms``) and stored."""
    from . import results

    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    if ResultMonth.objects.filter(organisation=organisation, month=month).exists():
        return False
    atoms = results.month_atoms(organisation, month)
    run = ResultMonth.objects.create(
        organisation=organisation,
        month=month,
        threshold=max(1, organisation.anonymity_threshold),
        published_at=timezone.now(),
    )
    for atom in atoms:
        atom.run = run
    ResultAtom.objects.bulk_create(atoms, batch_size=2000)
    return True
