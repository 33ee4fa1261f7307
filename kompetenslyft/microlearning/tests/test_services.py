from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from kompetenslyft.microlearning import selectors, services
from kompetenslyft.microlearning.models import (
    BOX_DAYS,
    SCHEDULE,
    Course,
    DailyRun,
    Item,
    QuestionSet,
    TeamChallenge,
)
from kompetenslyft.org.tests.factories import PersonFactory

from .helpers import complete, right_answers, switched_on_module, wrong_answers

pytestmark = pytest.mark.django_db


def test_a_completion_starts_micro_learning_spread_over_the_schedule(network: Any) -> None:
    module = switched_on_module(network)
    complete(network.employee, module, days_ago=1)
    today = timezone.localdate()
    result = services.microlearning_daily(today=today)
    assert result == {"enrolled": 1, "sets": 0, "emails": 0}
    course = Course.objects.get()
    assert course.completed_on == today - dt.timedelta(days=1)
    days = sorted({(d - course.completed_on).days for d in Item.objects.values_list("due_on", flat=True)})
    assert days == list(SCHEDULE)
    # Day 2 after the completion: a set of the items due, and one e-mail.
    tomorrow = today + dt.timedelta(days=1)
    result = services.microlearning_daily(today=tomorrow)
    assert result["sets"] == 1 and result["emails"] == 1
    question_set = QuestionSet.objects.get()
    assert 3 <= len(question_set.questions) <= 5
    assert mail.outbox[0].to == [network.employee.email]
    assert "/micro/" in mail.outbox[0].body
    # Idempotent: the same day again makes nothing and sends nothing.
    assert services.microlearning_daily(today=tomorrow) == {"enrolled": 0, "sets": 0, "emails": 0}
    assert len(mail.outbox) == 1
    run = DailyRun.objects.get(day=tomorrow)
    assert (run.stage, run.sets, run.emails) == ("done", 1, 1)


def test_a_module_not_switched_on_sends_nothing(network: Any) -> None:
    module = switched_on_module(network)
    services.module_switch(organisation=network.org_a, module=module, enabled=False, actor=None)
    complete(network.employee, module, days_ago=3)
    assert services.microlearning_daily() == {"enrolled": 0, "sets": 0, "emails": 0}


def test_leitner_a_missed_question_comes_back_sooner_a_right_one_later(network: Any) -> None:
    module = switched_on_module(network)
    complete(network.employee, module, days_ago=2)
    services.microlearning_daily()
    question_set = QuestionSet.objects.get()
    first, *rest = question_set.questions
    answers = right_answers(question_set)
    answers[first] = wrong_answers(question_set)[first]
    services.set_answer(question_set=question_set, answers=answers)
    today = timezone.localdate()
    missed = Item.objects.get(question_id=first)
    assert (missed.box, missed.due_on, missed.wrong) == (1, today + dt.timedelta(days=BOX_DAYS[1]), 1)
    for item in Item.objects.filter(question_id__in=rest):
        assert (item.box, item.due_on) == (2, today + dt.timedelta(days=BOX_DAYS[2]))
    question_set.refresh_from_db()
    assert question_set.right == len(rest) and question_set.points == len(rest) + 1
    with pytest.raises(Exception, match="already answered"):
        services.set_answer(question_set=question_set, answers=answers)
    # Two days later the missed question comes first in a set topped up to three.
    services.microlearning_daily(today=today + dt.timedelta(days=2))
    again = QuestionSet.objects.get(day=today + dt.timedelta(days=2))
    assert first in again.questions and len(again.questions) == 3


def test_a_set_with_a_question_left_out_is_refused_and_nothing_moves(network: Any) -> None:
    module = switched_on_module(network)
    complete(network.employee, module, days_ago=2)
    services.microlearning_daily()
    question_set = QuestionSet.objects.get()
    answers = right_answers(question_set)
    answers[int(question_set.questions[0])] = []
    with pytest.raises(Exception, match="Choose an answer to each question"):
        services.set_answer(question_set=question_set, answers=answers)
    question_set.refresh_from_db()
    assert question_set.answered_on is None
    assert not Item.objects.filter(question_id__in=question_set.questions, box__gt=1).exists()


def test_a_question_right_in_the_last_box_is_learnt(network: Any) -> None:
    module = switched_on_module(network)
    complete(network.employee, module, days_ago=2)
    services.microlearning_daily()
    question_set = QuestionSet.objects.get()
    Item.objects.filter(question_id__in=question_set.questions).update(box=max(BOX_DAYS))
    services.set_answer(question_set=question_set, answers=right_answers(question_set))
    assert not Item.objects.filter(question_id__in=question_set.questions, due_on__isnull=False).exists()


def test_pause_and_leave_stop_the_sets_e_mails_off_stops_the_e_mail(network: Any) -> None:
    module = switched_on_module(network)
    complete(network.employee, module, days_ago=2)
    services.learner_choose(person=network.employee, choice="pause")
    services.microlearning_daily()
    assert not QuestionSet.objects.exists()
    services.learner_choose(person=network.employee, choice="resume")
    services.learner_choose(person=network.employee, choice="emails_off")
    result = services.microlearning_daily(today=timezone.localdate() + dt.timedelta(days=1))
    assert result["sets"] == 1 and result["emails"] == 0
    services.learner_choose(person=network.employee, choice="leave")
    later = timezone.localdate() + dt.timedelta(days=OPEN_LATER)
    assert services.microlearning_daily(today=later)["sets"] == 0


OPEN_LATER = services.OPEN_DAYS + 3


def test_an_open_set_is_not_replaced_until_it_expires(network: Any) -> None:
    module = switched_on_module(network)
    complete(network.employee, module, days_ago=2)
    services.microlearning_daily()
    today = timezone.localdate()
    assert services.microlearning_daily(today=today + dt.timedelta(days=3))["sets"] == 0
    assert selectors.open_set(network.employee.pk, today + dt.timedelta(days=3)) is not None
    assert services.microlearning_daily(today=today + dt.timedelta(days=services.OPEN_DAYS))["sets"] == 1


def test_the_command_enqueues_the_run(network: Any, django_capture_on_commit_callbacks: Any) -> None:
    module = switched_on_module(network)
    complete(network.employee, module, days_ago=2)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("microlearning_send")
    assert QuestionSet.objects.count() == 1


# --- the team game ----------------------------------------------------------------------------------


def _team(network: Any, unit: Any, n: int, *, answered_days_ago: int = 1, right: int = 3) -> list[Any]:
    """n people in ``unit`` in micro-learning, each with one set answered (right of 4)."""
    from kompetenslyft.microlearning.models import Learner

    people = [PersonFactory(unit=unit, organisation=network.org_a) for _ in range(n)]
    day = timezone.localdate() - dt.timedelta(days=answered_days_ago)
    for person in people:
        Learner.objects.create(person=person, organisation=network.org_a)
        QuestionSet.objects.create(
            person=person,
            organisation=network.org_a,
            day=day,
            questions=[1, 2, 3, 4],
            right=right,
            answered_on=day,
        )
    return people


def _challenge(unit: Any, days_ago: int = 30) -> TeamChallenge:
    return TeamChallenge.objects.create(
        organisation=unit.organisation,
        unit=unit,
        started_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def test_team_points_count_right_answers_and_days_and_opt_out_removes_them(network: Any) -> None:
    people = _team(network, network.unit1, 6)
    challenge = _challenge(network.unit1)
    (figure,) = selectors.team_figures(network.org_a, [challenge])
    assert figure.shown and figure.participants == 6
    assert figure.figures is not None and figure.figures.total == 6 * (3 + 1)
    services.learner_choose(person=people[0], choice="team_out")
    (figure,) = selectors.team_figures(network.org_a, [challenge])
    assert figure.shown and figure.participants == 5 and figure.figures.total == 5 * 4  # type: ignore[union-attr]
    services.learner_choose(person=people[1], choice="team_out")
    (figure,) = selectors.team_figures(network.org_a, [challenge])
    assert not figure.shown and figure.figures is None and figure.participants is None


def test_streak_counts_weeks_with_answers_in_a_row(network: Any) -> None:
    from kompetenslyft.microlearning.selectors import _figures, week_start

    today = timezone.localdate()
    monday = week_start(today)
    points = {monday - dt.timedelta(weeks=w): 2 for w in (1, 2, 3, 5)}
    figures = _figures(points, monday - dt.timedelta(weeks=7), today)
    assert figures.streak == 3 and figures.total == 8
    points[monday] = 1
    assert _figures(points, monday - dt.timedelta(weeks=7), today).streak == 4


def test_differencing_a_unit_minus_its_child_never_shows_a_small_group(network: Any) -> None:
    """dep1 (Hemtjänst) holds unit1 and unit2. unit1 has 5 taking part, dep1's own 2 and
    unit2 none: showing dep1 (7) and unit1 (5) would tell the 2 by difference — one of the two
    must be hidden."""
    _team(network, network.unit1, 5)
    _team(network, network.dep1, 2, right=0)
    parent, child = _challenge(network.dep1), _challenge(network.unit1)
    figures = {f.challenge.pk: f for f in selectors.team_figures(network.org_a, [parent, child])}
    assert not (figures[parent.pk].shown and figures[child.pk].shown)
    assert figures[parent.pk].shown  # the larger whole stays
    # With 5 more in dep1 itself, both can be shown: the difference is 7 people.
    _team(network, network.dep1, 5)
    figures = {f.challenge.pk: f for f in selectors.team_figures(network.org_a, [parent, child])}
    assert figures[parent.pk].shown and figures[child.pk].shown
    assert figures[parent.pk].participants - figures[child.pk].participants >= 5  # type: ignore[operator]
