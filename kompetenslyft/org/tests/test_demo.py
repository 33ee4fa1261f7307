"""The demo network loads through the real import path, with one login per product role."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kompetenslyft.assessment.models import Answer
from kompetenslyft.core.access import access_for
from kompetenslyft.core.models import ProductRole
from kompetenslyft.evaluation.models import Answer as EvaluationAnswer
from kompetenslyft.learning.models import Participation, Proposal
from kompetenslyft.org.demo import load_demo
from kompetenslyft.org.models import Organisation, Person, Unit


@pytest.mark.django_db
def test_demo_network(capsys: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kompetenslyft.core.tests.test_db import analysed_tables

    with CaptureQueriesContext(connection) as queries:
        call_command("demo", "--no-serve")
    # Its tables' statistics are read before its commit (here: a transaction that never commits),
    # so that the pages right after the load are planned with the demo's real sizes.
    analysed = analysed_tables(queries)
    for model in (Person, Unit, Answer, Participation, Proposal, EvaluationAnswer):
        assert model._meta.db_table in analysed
    out = capsys.readouterr().out
    for username in (
        "admin",
        "lead",
        "project-leader",
        "trainer",
        "manager",
        "employee",
        "top-management",
        "evaluator",
        "lead-fjellvik",
    ):
        assert f"  {username}" in out
    solvik = Organisation.objects.get(code="solvik")
    people = Person.objects.filter(organisation=solvik).count()
    assert 1200 <= people <= 1400
    assert 25 <= Unit.objects.filter(organisation=solvik).count() <= 35
    assert Unit.objects.filter(organisation=solvik, manager__isnull=True).count() == 0
    assert Organisation.objects.filter(code="fjellvik").exists()
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    assert ProductRole.LEAD in access_for(users["lead"]).product_roles
    manager = access_for(users["manager"])
    assert manager.is_manager
    assert Person.objects.filter(access_for(users["manager"]).people_filter()).count() > 200
    assert access_for(users["employee"]).product_roles == ["employee"]
    trainers = Person.objects.filter(user__grants__role=ProductRole.TRAINER).count()
    assert trainers >= 10  # the group of digital competence leaders
    # issue 10's data: tests taken, talks recorded and due, an indicator, costs, a story
    from kompetenslyft.costs.models import CostEntry
    from kompetenslyft.followup.models import FollowUp
    from kompetenslyft.indicators.models import IndicatorValue
    from kompetenslyft.knowledge.models import Attempt, KnowledgeTest
    from kompetenslyft.successcases.models import Story

    assert (
        Attempt.objects.filter(test__kind="pre").count() > 20
        and Attempt.objects.filter(test__kind="post").exists()
    )
    assert KnowledgeTest.objects.filter(module__code="M-AVVIK", kind="pre", active=True).exists()
    assert FollowUp.objects.filter(held_on__isnull=False).count() > 10
    assert FollowUp.objects.filter(held_on__isnull=True, person__unit__path__contains="/").exists()
    assert IndicatorValue.objects.filter(indicator__initiatives__code="digitalt-lyft").count() > 50
    assert CostEntry.objects.filter(initiative__code="digitalt-lyft").count() == 5
    assert Story.objects.count() == 2
    # micro-learning's team challenge shows its closed weeks, published (ADR 0012)
    from kompetenslyft.microlearning import selectors as micro
    from kompetenslyft.microlearning.models import TeamChallenge, TeamWeekRun

    challenge = TeamChallenge.objects.select_related("organisation", "unit").get()
    assert TeamWeekRun.objects.filter(organisation=challenge.organisation).count() == 5
    (team,) = micro.team_figures(challenge.organisation, [challenge])
    assert team.shown and team.figures is not None and len([p for _m, p in team.figures.weeks if p]) == 5
    assert team.participants is not None and team.participants >= challenge.organisation.anonymity_threshold
    # issue 12: leavers past the retention time for the lead's dry run and the nightly run
    import datetime as dt

    from django.utils import timezone

    from kompetenslyft.retention import selectors as retention
    from kompetenslyft.retention import services as retention_services
    from kompetenslyft.retention.models import Erasure

    today = timezone.localdate()
    lines = {line.kind.key: line.count for line in retention.dry_run(solvik, today=today)}
    assert lines["leavers"] == 4
    assert Person.objects.filter(organisation=solvik, is_active=False).count() == 5
    # Every effect column of the success cases shows figures: the demo's follow-up answers and
    # e-learning completions lie in closed months and are published when it loads (ADR 0019);
    # the units trained before this month, so they have months after it for the indicator.
    from kompetenslyft.learning.models import Initiative
    from kompetenslyft.successcases.figures import candidates

    found = candidates(Initiative.objects.get(code="digitalt-lyft"))
    rows = [*found.units, *found.roles, *found.modules]
    for column in ("before", "after", "gain", "talks", "applying", "moved", "movement", "indicator"):
        assert any(getattr(r, column) is not None for r in rows), column
    assert sum(1 for r in found.units if r.indicator is not None) >= 5
    assert sum(1 for r in found.units if r.movement is not None) >= 5
    # a second run changes nothing and prints the same logins
    load_demo()
    assert Person.objects.filter(organisation=solvik).count() == people
    assert retention_services.rules_apply(solvik, today=today)["leavers"] == 4
    assert Erasure.objects.filter(organisation=solvik).count() == 4
    kept = Person.objects.filter(
        organisation=solvik, employee_id__in=["S9001", "S9002", "S9003", "S9004", "S9005"]
    )
    assert list(kept.values_list("employee_id", flat=True)) == ["S9005"]
    # the one who left recently is due in time
    later = today + dt.timedelta(days=2 * 365)
    assert {line.kind.key: line.count for line in retention.dry_run(solvik, today=later)}["leavers"] == 1
    load_demo()
    assert Person.objects.filter(organisation=solvik).count() == people


@pytest.mark.django_db
def test_demo_links_in_e_mails_use_its_port(monkeypatch: Any, settings: Any) -> None:
    """`demo --port N` serves with DEBUG off and e-mails link to http://127.0.0.1:N."""
    from django.core import mail

    from kompetenslyft.learning.models import Booking
    from kompetenslyft.learning.services import booking_send_invitation

    monkeypatch.delenv("KOMPETENSLYFT_BASE_URL", raising=False)
    settings.DEBUG = True
    call_command("demo", "--no-serve", "--port", "8123")
    assert settings.DEBUG is False
    assert {"127.0.0.1", "localhost"} <= set(settings.ALLOWED_HOSTS)
    assert settings.KOMPETENSLYFT_BASE_URL == "http://127.0.0.1:8123"
    booking = Booking.objects.filter(status=Booking.Status.BOOKED, person__email__gt="").first()
    assert booking is not None
    mail.outbox.clear()
    assert booking_send_invitation(booking_id=booking.pk)
    body = mail.outbox[-1].body
    assert "http://127.0.0.1:8123/learning/me/" in body
    assert "127.0.0.1:8000" not in body
