"""Importing a bank (idempotent, all or nothing, updates in place), drawing and scoring tries,
the limits on tries, and the exemption a passed test before the module gives."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from kompetenslyft.core.audit import AuditEntry
from kompetenslyft.knowledge import gift, services
from kompetenslyft.knowledge.models import Attempt, Option, Question, QuestionBank
from kompetenslyft.knowledge.selectors import attempt_state
from kompetenslyft.learning.models import Proposal
from kompetenslyft.learning.selectors import journey
from kompetenslyft.learning.services import proposals_generate

from .conftest import FIXTURES, right_answers, wrong_answers


def test_import_stores_the_bank_and_reimporting_the_same_file_changes_nothing(work: Any) -> None:
    bank = QuestionBank.objects.get(module=work.mail)
    assert bank.name == "digital_dokumentation" and bank.organisation == work.org_a
    assert bank.questions.count() == 7 and Option.objects.filter(question__bank=bank).count() == 20
    ids = dict(bank.questions.values_list("ident", "pk"))
    again = services.bank_import(
        organisation=work.org_a,
        module=work.mail,
        content=(FIXTURES / "digital_dokumentation.gift").read_bytes(),
        filename="digital_dokumentation.gift",
        actor=None,
    )
    assert (again.new, again.updated, again.unchanged, again.retired) == (0, 0, 7, 0)
    assert dict(bank.questions.values_list("ident", "pk")) == ids
    assert AuditEntry.objects.filter(action="knowledge.bank_imported").count() == 2


def test_a_changed_file_updates_in_place_and_retires_what_is_gone(work: Any) -> None:
    bank = QuestionBank.objects.get(module=work.mail)
    signing = bank.questions.get(title="Signering")
    text = "::Signering::En anteckning signeras av den som skrev den.{T}\n\n::Ny::Ny fråga?{=ja ~nej}\n"
    done = services.bank_import(
        organisation=work.org_a,
        module=work.mail,
        content=text.encode(),
        filename="digital_dokumentation.gift",
        actor=None,
    )
    assert (done.new, done.updated, done.retired) == (1, 1, 6)
    signing.refresh_from_db()
    assert signing.text == "En anteckning signeras av den som skrev den." and not signing.retired
    assert bank.questions.filter(retired=False).count() == 2


def test_a_file_with_one_bad_question_changes_nothing(work: Any) -> None:
    before = Question.objects.count()
    with pytest.raises(gift.GiftError):
        services.bank_import(
            organisation=work.org_a,
            module=work.teams,
            content=(FIXTURES / "blandet_ustottet.gift").read_bytes(),
            filename="blandet.gift",
            actor=None,
        )
    assert Question.objects.count() == before and not QuestionBank.objects.filter(module=work.teams).exists()


def test_the_same_title_twice_and_a_large_file_are_refused(work: Any) -> None:
    with pytest.raises(gift.GiftError) as refused:
        services.bank_parse(content=b"::A::x {=a ~b}\n\n::A::y {=a ~b}", filename="a.gift")
    assert refused.value.problems == ["question 2 (A), line 3: the same question as question 1 (A)."]
    with pytest.raises(gift.GiftError):
        services.bank_parse(content=b"x" * (services.MAX_FILE_BYTES + 1), filename="big.gift")


def test_the_command_imports_and_dry_runs_and_refuses_with_exit_2(work: Any, capsys: Any) -> None:
    path = FIXTURES / "hemtjenesten_nb.txt"
    call_command("import", "gift", str(path), "--module", "M-TEAMS", "--organisation", "alpha", "--dry-run")
    assert "dry run" in capsys.readouterr().out
    assert not QuestionBank.objects.filter(module=work.teams).exists()
    call_command("import", "gift", str(path), "--module", "M-TEAMS", "--organisation", "alpha")
    assert Question.objects.filter(bank__module=work.teams).count() == 4
    with pytest.raises(CommandError) as refused:
        call_command(
            "import",
            "gift",
            str(FIXTURES / "blandet_ustottet.gift"),
            "--module",
            "M-TEAMS",
            "--organisation",
            "alpha",
        )
    assert refused.value.returncode == 2
    assert "question 3 (Matchning), line 7: matching questions are not supported." in capsys.readouterr().err
    with pytest.raises(CommandError) as missing:
        call_command("import", "gift", str(path), "--module", "NOPE", "--organisation", "alpha")
    assert missing.value.returncode == 2


def test_questions_are_drawn_at_random_with_options_shuffled(work: Any) -> None:
    attempt = services.attempt_start(test=work.pre, person=work.employee, rng=random.Random(1))
    assert len(attempt.drawn) == 5 and len(set(attempt.question_ids())) == 5
    # Starting again gives the open try back.
    assert services.attempt_start(test=work.pre, person=work.employee).pk == attempt.pk
    orders = set()
    for seed in range(8):
        a = services.attempt_start(test=work.post, person=work.colleague, rng=random.Random(seed))
        orders.add(tuple(a.question_ids()))
        for question_id, option_ids in a.drawn:
            stored = list(Option.objects.filter(question_id=question_id).values_list("pk", flat=True))
            assert sorted(option_ids) == sorted(stored)
        a.delete()
    assert len(orders) > 1


def test_scoring_single_multiple_and_true_false(work: Any) -> None:
    bank = QuestionBank.objects.get(module=work.mail)
    sensitive = bank.questions.get(title="Känsliga uppgifter")
    health, origin, phone, _name = sensitive.options.all()
    assert services.question_score(sensitive, [health.pk, origin.pk]) == 1
    assert services.question_score(sensitive, [health.pk]) == Decimal("0.5")
    assert services.question_score(sensitive, [health.pk, phone.pk]) == 0  # never below 0
    signing = bank.questions.get(title="Signering")
    true, false = signing.options.all()
    assert services.question_score(signing, [true.pk]) == 1
    assert services.question_score(signing, [false.pk, true.pk]) == 0  # one answer only


def test_passing_the_pre_test_exempts_at_once_with_the_reason_and_in_new_proposals(work: Any) -> None:
    attempt = services.attempt_start(test=work.pre, person=work.employee)
    attempt, exempted = services.attempt_submit(
        attempt=attempt, answers=right_answers(attempt), actor=work.employee.user
    )
    assert attempt.score == Decimal("100.00") and attempt.passed and exempted == 1
    # The reason is stored in the organisation's language (Swedish: "klarade kunskapstestet").
    reason = services.exemption_reason(work.org_a)
    modules = {j.module.code: (j.state, j.reason, j.note) for j in journey(work.employee).modules}
    assert modules["M-MAIL"] == ("exempt", "manager", reason)
    entry = AuditEntry.objects.get(action="proposal.exempted_on_evidence")
    assert entry.changes == {
        "initiative": "lyft",
        "person": work.employee.employee_id,
        "module": "M-MAIL",
        "reason": reason,
    }
    # A proposal made afresh (the colleague's, still unconfirmed) shows the same reason.
    colleague_try = services.attempt_start(test=work.pre, person=work.colleague)
    services.attempt_submit(attempt=colleague_try, answers=right_answers(colleague_try), actor=None)
    proposals_generate(initiative_id=work.initiative.pk)
    decisions = Proposal.objects.get(person=work.colleague).decisions()
    assert decisions[work.mail.pk] == {"s": "exempt", "r": "manager", "c": [], "t": reason}
    assert decisions[work.teams.pk]["s"] == "assigned"


def test_failing_or_the_post_test_exempts_nothing_and_tries_are_limited(work: Any) -> None:
    for _ in range(2):
        attempt = services.attempt_start(test=work.pre, person=work.employee)
        attempt, exempted = services.attempt_submit(
            attempt=attempt, answers=wrong_answers(attempt), actor=None
        )
        assert attempt.score == 0 and not attempt.passed and exempted == 0
    with pytest.raises(ValidationError, match="used all your tries"):
        services.attempt_start(test=work.pre, person=work.employee)
    with pytest.raises(ValidationError, match="already handed in"):
        services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt), actor=None)
    post = services.attempt_start(test=work.post, person=work.employee)
    _post, exempted = services.attempt_submit(attempt=post, answers=right_answers(post), actor=None)
    assert exempted == 0
    assert journey(work.employee).modules[0].state == "assigned"


def test_the_wait_between_tries_and_a_passed_test_stop_a_new_try(work: Any) -> None:
    work.pre.wait_hours = 24
    work.pre.save()
    attempt = services.attempt_start(test=work.pre, person=work.employee)
    services.attempt_submit(attempt=attempt, answers=wrong_answers(attempt), actor=None)
    state = attempt_state(work.pre, work.employee)
    assert not state.can_start and state.next_try_at is not None
    work.pre.wait_hours = 0
    work.pre.max_attempts = 0
    work.pre.save()
    attempt = services.attempt_start(test=work.pre, person=work.employee)
    assert attempt.number == 2
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt), actor=None)
    with pytest.raises(ValidationError, match="passed"):
        services.attempt_start(test=work.pre, person=work.employee)
    assert Attempt.objects.filter(person=work.employee).count() == 2


def test_answers_to_options_not_drawn_do_not_count(work: Any) -> None:
    attempt = services.attempt_start(test=work.pre, person=work.employee)
    foreign = Option.objects.exclude(question_id__in=attempt.question_ids()).filter(weight__gt=0)
    answers = {q: [foreign[0].pk] for q in attempt.question_ids()}
    # Only options not drawn: nothing was answered, so the hand-in is refused like an empty one.
    with pytest.raises(ValidationError, match="Answer at least one question"):
        services.attempt_submit(attempt=attempt, answers=answers, actor=None)
    first = attempt.question_ids()[0]
    answers[first] = right_answers(attempt)[first]
    attempt, _n = services.attempt_submit(attempt=attempt, answers=answers, actor=None)
    assert attempt.score is not None and attempt.score > 0
    assert all(v == [] for q, v in attempt.answers.items() if int(q) != first)


def test_an_empty_hand_in_is_refused_and_uses_no_try(work: Any) -> None:
    work.pre.max_attempts = 1
    work.pre.save()
    attempt = services.attempt_start(test=work.pre, person=work.employee)
    with pytest.raises(ValidationError, match="Answer at least one question"):
        services.attempt_submit(attempt=attempt, answers={}, actor=None)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None
    attempt, _n = services.attempt_submit(attempt=attempt, answers=right_answers(attempt), actor=None)
    assert attempt.passed


def test_test_settings_are_checked_and_audited(work: Any) -> None:
    with pytest.raises(ValidationError):
        services.test_save(
            organisation=work.org_a,
            module=work.mail,
            kind="pre",
            pass_mark=0,
            questions_drawn=5,
            max_attempts=1,
            wait_hours=0,
            active=True,
            actor=None,
        )
    assert AuditEntry.objects.filter(action="knowledge.test_created").count() == 2
