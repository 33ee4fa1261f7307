from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.tests.pages import EN, client_for
from kompetenslyft.microlearning import selectors, services
from kompetenslyft.microlearning.models import (
    BOX_DAYS,
    SCHEDULE,
    Course,
    DailyRun,
    Item,
    QuestionSet,
    TeamChallenge,
    TeamWeek,
    TeamWeekRun,
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
    with pytest.raises(Exception, match="Answer each question"):
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


def _last_closed_wednesday() -> dt.date:
    return selectors.week_start(timezone.localdate()) - dt.timedelta(days=5)


def _team(network: Any, unit: Any, n: int, *, day: dt.date | None = None, right: int = 3) -> list[Any]:
    """n people in ``unit`` in micro-learning, each with one set answered (right of 4) on
    ``day`` (by default the Wednesday of the week that closed last)."""
    from kompetenslyft.microlearning.models import Learner

    people = [PersonFactory(unit=unit, organisation=network.org_a) for _ in range(n)]
    day = day or _last_closed_wednesday()
    for person in people:
        Learner.objects.create(person=person, organisation=network.org_a)
        _answer(network, person, day, right)
    return people


def _answer(network: Any, person: Any, day: dt.date, right: int) -> None:
    QuestionSet.objects.create(
        person=person,
        organisation=network.org_a,
        day=day,
        questions=[1, 2, 3, 4],
        right=right,
        answered_on=day,
    )


def _challenge(unit: Any, days_ago: int = 30) -> TeamChallenge:
    return TeamChallenge.objects.create(
        organisation=unit.organisation,
        unit=unit,
        started_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def _publish(today: dt.date | None = None) -> int:
    return services.publish_team_weeks(today=today or timezone.localdate())


def _seen(figure: Any) -> tuple[Any, ...]:
    """Everything a viewer reads of one challenge's row."""
    weeks = tuple(figure.figures.weeks) if figure.figures else None
    total = figure.figures.total if figure.figures else None
    return (figure.shown, figure.participants, figure.last_week, weeks, total)


def test_a_closed_week_is_published_once_with_its_points_and_people(network: Any) -> None:
    people = _team(network, network.unit1, 6)
    challenge = _challenge(network.unit1)
    (figure,) = selectors.team_figures(network.org_a, [challenge])
    assert not figure.shown and figure.pending  # nothing before the daily run publishes
    last_closed = selectors.week_start(timezone.localdate()) - dt.timedelta(weeks=1)
    closed = (last_closed - selectors.week_start(challenge.started_on)).days // 7 + 1
    assert closed in (4, 5) and _publish() == closed  # the closed weeks since the start (30 days back)
    assert _publish() == 0  # a second run publishes nothing new
    (figure,) = selectors.team_figures(network.org_a, [challenge])
    monday = selectors.week_start(timezone.localdate()) - dt.timedelta(weeks=1)
    assert figure.shown and figure.participants == 6
    assert figure.last_week == (monday, 6 * (3 + 1))
    assert figure.figures is not None and figure.figures.total == 24 and figure.figures.streak == 1
    # the weeks nobody took part in read as hidden, like a week of 1 to k−1 (ADR 0012)
    assert [p for _m, p in figure.figures.weeks] == [None] * (closed - 1) + [24]
    row = TeamWeek.objects.get(run__monday=monday, unit=network.unit1)
    assert (row.shown, row.participants, row.points) == (True, 6, 24)
    assert people


def test_leaving_or_opting_out_does_not_rewrite_published_weeks(network: Any) -> None:
    """The attack: read the unit's past weeks, let one person leave, read again — the
    difference would be that person's points. Published weeks do not move."""
    people = _team(network, network.unit1, 6)
    challenge = _challenge(network.unit1)
    _publish()
    (before,) = selectors.team_figures(network.org_a, [challenge])
    services.learner_choose(person=people[0], choice="team_out")
    services.learner_choose(person=people[1], choice="leave")
    people[2].is_active = False
    people[2].save()
    _publish()
    (after,) = selectors.team_figures(network.org_a, [challenge])
    assert _seen(after) == _seen(before) and before.figures is not None and before.figures.total == 24
    # The next week counts only who is still in the game: 3 left of 6, too few for a figure.
    next_week = timezone.localdate() + dt.timedelta(days=7)
    for person in people:
        _answer(network, person, selectors.week_start(timezone.localdate()) + dt.timedelta(days=1), 1)
    _publish(next_week)
    (later,) = selectors.team_figures(network.org_a, [challenge], today=next_week)
    assert later.figures is not None
    assert later.figures.weeks[-1] == (selectors.week_start(timezone.localdate()), None)  # hidden
    assert later.figures.weeks[-2][1] == 24 and later.figures.total == 24 and later.figures.streak == 0


def test_an_answer_in_the_week_under_way_moves_no_figure(network: Any) -> None:
    """The attack: read, answer one set right now, read again (+1 per right answer)."""
    people = _team(network, network.unit1, 6)
    challenge = _challenge(network.unit1)
    _publish()
    (before,) = selectors.team_figures(network.org_a, [challenge])
    _answer(network, people[0], timezone.localdate(), 4)
    _publish()  # the daily run the same day: the week is not closed
    (after,) = selectors.team_figures(network.org_a, [challenge])
    assert _seen(after) == _seen(before)
    assert before.figures is not None
    assert all(m < selectors.week_start(timezone.localdate()) for m, _p in before.figures.weeks)


def test_the_daily_run_publishes_the_closed_weeks(network: Any) -> None:
    _team(network, network.unit1, 5, right=1)
    _challenge(network.unit1, days_ago=14)
    services.microlearning_daily(today=timezone.localdate())
    last_closed = selectors.week_start(timezone.localdate()) - dt.timedelta(weeks=1)
    runs = dict(TeamWeekRun.objects.filter(organisation=network.org_a).values_list("monday", "participants"))
    assert runs[last_closed] == 5 and set(runs.values()) == {0, 5} and len(runs) == 2
    assert DailyRun.objects.get(day=timezone.localdate()).stage == "done"


def _row(page: str, challenge: Any) -> str:
    """A challenge's row on the page, without its unit and id: what tells one week from another."""
    found = re.search(rf'<tr data-challenge="{challenge.pk}".*?</tr>', page, re.S)
    assert found is not None
    row = re.sub(r'<th scope="row">.*?</th>', "", found.group(0))
    return re.sub(r'data-challenge="\d+"|/teams/\d+/end/', "", row)


def test_a_week_nobody_took_part_in_reads_as_one_too_few_took_part_in(network: Any) -> None:
    """The attack (ADR 0012, addendum): a week nobody took part in showed 0 and a week 1 to k−1
    took part in showed "hidden", so the difference told that a few took part. Both are
    hidden now, in the figures and on the page. Norra: 2 (< k = 5) two weeks ago, 5 last week;
    Södra: nobody two weeks ago, 5 last week."""
    two_weeks_ago = _last_closed_wednesday() - dt.timedelta(weeks=1)
    _team(network, network.unit1, 2, day=two_weeks_ago)
    _team(network, network.unit1, 5)
    _team(network, network.unit2, 5)
    few, empty = _challenge(network.unit1, days_ago=16), _challenge(network.unit2, days_ago=16)
    _publish()
    figures = {f.challenge.pk: f for f in selectors.team_figures(network.org_a, [few, empty])}
    assert _seen(figures[empty.pk]) == _seen(figures[few.pk])
    weeks = figures[empty.pk].figures.weeks  # type: ignore[union-attr]
    assert weeks[-2][1] is None and weeks[-1][1] == 5 * (3 + 1)
    page = client_for(network.lead.user).get(reverse("microlearning:teams"), **EN).content.decode()
    assert _row(page, empty) == _row(page, few)
    assert ": 0<" not in page
    assert "a week nobody took part in reads the same" in page


def test_a_team_nobody_took_part_in_reads_as_one_too_few_took_part_in(network: Any) -> None:
    _team(network, network.unit1, 2)
    few, empty = _challenge(network.unit1), _challenge(network.unit2)
    _publish()
    figures = {f.challenge.pk: f for f in selectors.team_figures(network.org_a, [few, empty])}
    assert _seen(figures[empty.pk]) == _seen(figures[few.pk]) == (False, None, None, None, None)
    page = client_for(network.lead.user).get(reverse("microlearning:teams"), **EN).content.decode()
    assert _row(page, empty) == _row(page, few)
    assert "Too few taking part to show a figure." in _row(page, empty)


def test_streak_counts_published_weeks_with_points_in_a_row() -> None:
    assert selectors._streak([2, 0, 3, 1, 4]) == 3
    assert selectors._streak([2, 3, None, 4]) == 1  # a hidden week ends it
    assert selectors._streak([5, 0]) == 0
    assert selectors._streak([]) == 0


def test_differencing_a_unit_minus_its_child_never_shows_a_small_group(network: Any) -> None:
    """dep1 (Hemtjänst) holds unit1 and unit2. In the closed week unit1 had 5 taking part,
    dep1's own 2 and unit2 none: showing dep1 (7) and unit1 (5) would tell the 2 by
    difference — one of the two must be hidden that week."""
    unit_people = _team(network, network.unit1, 5)
    dep_people = _team(network, network.dep1, 2, right=0)
    parent, child = _challenge(network.dep1), _challenge(network.unit1)
    _publish()
    figures = {f.challenge.pk: f for f in selectors.team_figures(network.org_a, [parent, child])}
    assert figures[parent.pk].last_week is not None and figures[parent.pk].last_week[1] == 5 * 4 + 2 * 1
    assert figures[parent.pk].participants == 7  # the larger whole stays
    # The child's week goes, else 7 − 5 would tell the 2.
    assert not figures[child.pk].shown and figures[child.pk].participants is None
    assert TeamWeek.objects.get(unit=network.unit1).shown is False
    # The week under way: 5 more in dep1 itself; once it closes both are shown, 7 apart.
    this_week = selectors.week_start(timezone.localdate()) + dt.timedelta(days=2)
    for person in [*unit_people, *dep_people]:
        _answer(network, person, this_week, 2)
    _team(network, network.dep1, 5, day=this_week, right=2)
    next_week = timezone.localdate() + dt.timedelta(days=7)
    _publish(next_week)
    figures = {
        f.challenge.pk: f for f in selectors.team_figures(network.org_a, [parent, child], today=next_week)
    }
    assert figures[parent.pk].participants == 12 and figures[child.pk].participants == 5
    assert figures[parent.pk].last_week[1] == 12 * 3  # type: ignore[index]
    assert figures[child.pk].last_week[1] == 5 * 3  # type: ignore[index]
    # The earlier week stays as published: the child's figure of it is still hidden.
    assert figures[child.pk].figures is not None and figures[child.pk].figures.weeks[-2][1] is None
    assert figures[parent.pk].figures is not None and figures[parent.pk].figures.weeks[-2][1] == 22


def test_an_exempt_module_never_completed_gets_no_questions(network: Any) -> None:
    """Course and items of a module the person was exempted from (a passed pre-test) and
    never completed feed no set: only completed modules feed micro-learning."""
    from kompetenslyft.knowledge.models import Question

    module = switched_on_module(network)
    today = timezone.localdate()
    questions = list(Question.objects.filter(bank__module=module).values_list("pk", flat=True))
    Course.objects.create(person=network.employee, module=module, completed_on=today - dt.timedelta(days=9))
    Item.objects.bulk_create(
        [Item(person=network.employee, module=module, question_id=q, due_on=today) for q in questions[:4]]
    )
    assert services.make_sets(today=today) == 0
    assert not QuestionSet.objects.filter(person=network.employee).exists()
    complete(network.employee, module, days_ago=9)  # once completed, the same items are asked
    assert services.make_sets(today=today) == 1
