"""Reads of the knowledge tests, scoped: a person sees its own tests and attempts only; a lead
of the organisation or a trainer of the module's sessions manages its question banks and tests
(never a person's score: results are aggregates, see ``results``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.learning import module_selectors
from kompetenslyft.learning.models import Enrolment, Module, Proposal, Session
from kompetenslyft.learning.selectors import completed_modules
from kompetenslyft.org.models import Organisation, Person

from .models import Attempt, KnowledgeTest, Option, Question, QuestionBank, option_label


@dataclass
class AttemptState:
    test: KnowledgeTest
    finished: int = 0
    passed: bool = False
    best: Any = None  # the best score so far (percent) or None
    open_attempt: Attempt | None = None
    last: Attempt | None = None
    can_start: bool = False
    reason: str = ""
    next_try_at: dt.datetime | None = None


def _state(test: KnowledgeTest, attempts: list[Attempt], now: dt.datetime) -> AttemptState:
    state = AttemptState(test)
    finished = [a for a in attempts if a.submitted_at is not None]
    state.finished = len(finished)
    state.open_attempt = next((a for a in attempts if a.submitted_at is None), None)
    state.passed = any(a.passed for a in finished)
    if finished:
        state.best = max(a.score for a in finished if a.score is not None)
        state.last = max(finished, key=lambda a: (a.submitted_at or now, a.number))
    if not test.active:
        state.reason = _("The test is closed.")
    elif state.passed:
        state.reason = _("You have passed the test.")
    elif test.max_attempts and state.finished >= test.max_attempts:
        state.reason = _("You have used all your tries.")
    elif state.last is not None and state.last.submitted_at is not None and test.wait_hours:
        ready = state.last.submitted_at + dt.timedelta(hours=test.wait_hours)
        if ready > now:
            state.next_try_at = ready
            state.reason = _("You can try again after %(when)s.") % {
                "when": timezone.localtime(ready).strftime("%Y-%m-%d %H:%M")
            }
    state.can_start = not state.reason
    return state


def attempt_state(test: KnowledgeTest, person: Person) -> AttemptState:
    attempts = list(Attempt.objects.filter(test=test, person=person).order_by("number"))
    return _state(test, attempts, timezone.now())


def test_for_person(person: Person, pk: int) -> KnowledgeTest | None:
    """An open test of the person's organisation that it is offered (``tests_for_person``'s
    rule: before a module on its journey it has not completed, after one it completed);
    anything else is missing to it."""
    test = (
        KnowledgeTest.objects.filter(pk=pk, organisation_id=person.organisation_id, active=True)
        .select_related("module")
        .first()
    )
    if test is None:
        return None
    modules, done = journey_module_ids(person)
    return test if offered(test, modules, done) else None


def offered(test: KnowledgeTest, modules: set[int], done: set[int]) -> bool:
    """Whether ``test`` is offered to a person with these journey and completed modules."""
    return test.module_id in modules and (test.kind == KnowledgeTest.Kind.PRE) != (test.module_id in done)


def questions_to_draw(test: KnowledgeTest) -> int:
    """How many questions a try draws: the test's number, or fewer if its banks hold fewer."""
    in_bank = Question.objects.filter(
        bank__organisation_id=test.organisation_id, bank__module_id=test.module_id, retired=False
    ).count()
    return min(test.questions_drawn, in_bank)


def attempt_for_person(person: Person, pk: int) -> Attempt | None:
    """The person's own attempt; another person's is missing (404), whoever asks."""
    return Attempt.objects.filter(pk=pk, person=person).select_related("test", "test__module").first()


@dataclass(frozen=True)
class ShownOption:
    pk: int
    text: str
    weight: Decimal
    feedback: str
    kind: str  # its question's

    @property
    def label(self) -> str:
        return option_label(self.text, self.kind)


@dataclass(frozen=True)
class ShownQuestion:
    pk: int
    kind: str
    text: str
    general_feedback: str


def attempt_questions(attempt: Attempt) -> list[tuple[ShownQuestion, list[ShownOption]]]:
    """The attempt's questions in their drawn order, each with its options in their shown order:
    plain rows from two narrow queries (the test page is opened by everyone taking a test)."""
    ids = attempt.question_ids()
    questions = {
        pk: ShownQuestion(pk, kind, text, general_feedback)
        for pk, kind, text, general_feedback in Question.objects.filter(pk__in=ids).values_list(
            "pk", "kind", "text", "general_feedback"
        )
    }
    options: dict[int, ShownOption] = {}
    for pk, question_id, text, weight, feedback in Option.objects.filter(question_id__in=ids).values_list(
        "pk", "question_id", "text", "weight", "feedback"
    ):
        question = questions.get(question_id)
        if question is not None:
            options[pk] = ShownOption(pk, text, weight, feedback, question.kind)
    result = []
    for question_id, option_ids in attempt.drawn:
        found = questions.get(int(question_id))
        if found is None:
            continue
        result.append((found, [options[int(o)] for o in option_ids if int(o) in options]))
    return result


def journey_module_ids(person: Person) -> tuple[set[int], set[int]]:
    """(modules on the person's journey, modules it completed) — for which tests to offer. A
    module it is exempt from (and not assigned by another initiative nor enrolled on) is not on
    it: no test before a module the person need not take."""
    on_journey: set[int] = set()
    for items in Proposal.objects.filter(person=person, status=Proposal.Status.CONFIRMED).values_list(
        "items", flat=True
    ):
        on_journey |= {
            module_id for module_id, d in Proposal(items=items).decisions().items() if d["s"] == "assigned"
        }
    on_journey |= set(Enrolment.objects.filter(person=person).values_list("module_id", flat=True))
    done = completed_modules([person.pk]).get(person.pk, set())
    return on_journey | done, done


def tests_for_person(person: Person) -> list[AttemptState]:
    """The tests to offer the person: before a module on its journey that it has not completed,
    after one it completed; with its tries so far."""
    if not KnowledgeTest.objects.filter(organisation_id=person.organisation_id, active=True).exists():
        return []
    modules, done = journey_module_ids(person)
    if not modules:
        return []
    tests = list(
        KnowledgeTest.objects.filter(
            organisation_id=person.organisation_id, active=True, module_id__in=modules
        )
        .select_related("module")
        .order_by("module__code", "kind")
    )
    tests = [t for t in tests if offered(t, modules, done)]
    if not tests:
        return []
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(person=person, test__in=tests).order_by("number"):
        attempts.setdefault(attempt.test_id, []).append(attempt)
    now = timezone.now()
    return [_state(t, attempts.get(t.pk, []), now) for t in tests]


@dataclass(frozen=True)
class PassedBefore:
    """A test before a module that the person passed: its first passing try, and whether the
    module is off its journey for it (exempt: neither on it nor completed)."""

    test: KnowledgeTest
    attempt: Attempt
    exempt: bool


def passed_before(person: Person, *, shown: set[int]) -> list[PassedBefore]:
    """The tests before a module that the person passed, other than those in ``shown`` (the
    tests its journey still offers, which say so themselves): passing exempts it from the
    module, so the journey no longer offers the test, and this is where it still sees it."""
    attempts = list(
        Attempt.objects.filter(
            person=person,
            passed=True,
            submitted_at__isnull=False,
            test__kind=KnowledgeTest.Kind.PRE,
            test__organisation_id=person.organisation_id,
        )
        .exclude(test_id__in=shown)
        .select_related("test", "test__module")
        .order_by("test__module__code", "submitted_at", "number")
    )
    if not attempts:
        return []
    modules, _done = journey_module_ids(person)
    found: dict[int, PassedBefore] = {}
    for attempt in attempts:
        if attempt.test_id not in found:
            found[attempt.test_id] = PassedBefore(
                attempt.test, attempt, exempt=attempt.test.module_id not in modules
            )
    return list(found.values())


def passed_pre_tests(initiative: Any, module_ids: list[int]) -> dict[tuple[int, int], str]:
    """learning's exemption source: (person, module) of everyone of the initiative's organisation
    who passed the test before one of the modules, with the reason in its language."""
    from .services import exemption_reason

    pairs = (
        Attempt.objects.filter(
            test__organisation_id=initiative.organisation_id,
            test__kind=KnowledgeTest.Kind.PRE,
            test__module_id__in=module_ids,
            passed=True,
        )
        .values_list("person_id", "test__module_id")
        .distinct()
    )
    found = list(pairs)
    if not found:
        return {}
    reason = exemption_reason(initiative.organisation)
    return dict.fromkeys(found, reason)


# --- managing banks and tests --------------------------------------------------------------------


def manages_module(access: Access, module: Module) -> Organisation | None:
    """The organisation whose bank and tests of ``module`` the viewer manages: one it leads that
    uses the module, or the organisation running a session of the module it trains on."""
    leads = module_selectors.lead_orgs_using(access, module)
    if leads:
        return leads[0]
    if not access.person_id:
        return None
    session = (
        Session.objects.filter(module=module, trainers__pk=access.person_id)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    return session.organisation if session is not None else None


def modules_trained(access: Access) -> QuerySet[Module]:
    """Modules of the sessions the viewer is a trainer of."""
    if not access.person_id:
        return Module.objects.none()
    return Module.objects.filter(
        pk__in=Session.objects.filter(trainers__pk=access.person_id).values("module_id")
    ).order_by("code")


def banks_of(organisation: Organisation, module: Module) -> QuerySet[QuestionBank]:
    return QuestionBank.objects.filter(organisation=organisation, module=module).annotate(
        active=Count("questions", filter=Q(questions__retired=False))
    )


def tests_of(organisation: Organisation, module: Module) -> dict[str, KnowledgeTest]:
    return {t.kind: t for t in KnowledgeTest.objects.filter(organisation=organisation, module=module)}


def question_count(organisation: Organisation, module: Module) -> int:
    return Question.objects.filter(
        bank__organisation=organisation, bank__module=module, retired=False
    ).count()


def bank_of(organisation: Organisation, module: Module, bank_id: int) -> QuestionBank | None:
    """One of the module's banks of the organisation (with ``active``, its questions in use)."""
    return banks_of(organisation, module).filter(pk=bank_id).first()


def bank_questions(bank: QuestionBank) -> tuple[list[Question], int]:
    """The bank's questions in use, in order, each with its options (two queries), and how many
    are retired (no longer in the file: kept for the tries that drew them, never drawn again)."""
    questions = list(bank.questions.filter(retired=False).prefetch_related("options"))
    retired = bank.questions.filter(retired=True).count()
    return questions, retired
