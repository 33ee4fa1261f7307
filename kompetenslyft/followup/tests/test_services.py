from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from kompetenslyft.followup import services
from kompetenslyft.followup.models import FollowUp
from kompetenslyft.org.tests.factories import PersonFactory

from .helpers import complete, module

pytestmark = pytest.mark.django_db


def test_talks_fall_due_30_and_90_days_after_the_completion(network: Any) -> None:
    m = module(network)
    complete(network.employee, m, days_ago=29)
    assert services.followups_create_due() == 0
    today = timezone.localdate()
    assert services.followups_create_due(today=today + dt.timedelta(days=1)) == 1
    row = FollowUp.objects.get()
    assert (row.kind, row.completed_on, row.due_on) == (
        30,
        today - dt.timedelta(days=29),
        today + dt.timedelta(days=1),
    )
    assert row.manager_id == network.manager.pk
    assert (row.unit_id, row.role_id) == (network.unit1.pk, network.employee.role_id)
    assert services.followups_create_due(today=today + dt.timedelta(days=61)) == 1
    ninety = FollowUp.objects.get(kind=90)
    assert ninety.due_on == today + dt.timedelta(days=61)


def test_the_daily_run_is_idempotent(network: Any) -> None:
    m = module(network)
    complete(network.employee, m, days_ago=30)
    complete(network.colleague, m, days_ago=35)
    assert services.followups_create_due() == 2
    assert services.followups_create_due() == 0
    call_command("followup_reminders")
    assert FollowUp.objects.count() == 2


def test_an_attended_module_with_a_session_still_booked_is_not_completed(network: Any) -> None:
    from kompetenslyft.evaluation.tests.conftest import hold_session
    from kompetenslyft.learning.models import Attendance, Booking

    session = hold_session(network, days_ago=-3, people=[network.employee])
    Attendance.objects.create(
        person=network.employee,
        module=session.module,
        unit=network.unit1,
        role=network.employee.role,
        date=timezone.localdate() - dt.timedelta(days=30),
        hours=2,
        status="attended",
    )
    assert Booking.objects.filter(person=network.employee).exists()
    assert services.followups_create_due() == 0


def test_old_completions_outside_the_catch_up_window_get_no_talk(network: Any) -> None:
    complete(network.employee, module(network), days_ago=30 + services.CATCH_UP_DAYS + 1)
    assert services.followups_create_due() == 0


def test_the_manager_is_the_nearest_above_and_never_the_person(network: Any) -> None:
    m = module(network)
    # unit1 has no manager of its own: its department's (network.manager).
    assert services.manager_of(network.employee) == network.manager.pk
    # The manager's own talk goes to the manager above it.
    boss = PersonFactory(unit=network.admin_a, role=network.employee.role)
    network.admin_a.manager = boss
    network.admin_a.save()
    assert services.manager_of(network.manager) == boss.pk
    # A unit's own manager comes first.
    near = PersonFactory(unit=network.unit1, role=network.employee.role)
    network.unit1.manager = near
    network.unit1.save()
    complete(network.employee, m, days_ago=30)
    complete(network.manager, m, days_ago=30)
    services.followups_create_due()
    assert FollowUp.objects.get(person=network.employee).manager_id == near.pk
    assert FollowUp.objects.get(person=network.manager).manager_id == boss.pk


def test_no_manager_anywhere_leaves_the_talk_unassigned(network: Any) -> None:
    complete(network.other_employee, module(network), days_ago=30)
    services.followups_create_due()
    assert FollowUp.objects.get().manager_id is None


def test_one_digest_per_manager_in_its_language_and_one_reminder(network: Any) -> None:
    m, m2 = module(network), module(network, "M2", "Läkemedel")
    network.manager.language = "nb"
    network.manager.save()
    complete(network.employee, m, days_ago=30)
    complete(network.colleague, m2, days_ago=31)
    result = services.followups_daily()
    assert result == {
        "made": 2,
        "digests": 1,
        "reminded": 0,
        "rate_months": 0,
        "result_months": 0,
        "movement_months": 0,
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [network.manager.email]
    assert message.subject.endswith(": 2")
    assert network.employee.family_name in message.body and network.colleague.family_name in message.body
    assert "/followup/" in message.body
    # The next day: nothing new, no reminder yet.
    assert services.followups_daily() == {
        "made": 0,
        "digests": 0,
        "reminded": 0,
        "rate_months": 0,
        "result_months": 0,
        "movement_months": 0,
    }
    # 14 days after falling due, the one reminder; never again.
    later = timezone.localdate() + dt.timedelta(days=14)
    assert services.followups_send_digests(today=later) == (1, 2)
    assert services.followups_send_digests(today=later + dt.timedelta(days=5)) == (0, 0)
    assert len(mail.outbox) == 2
    # A recorded talk is not reminded.
    assert FollowUp.objects.filter(reminded_at__isnull=False).count() == 2


def test_a_recorded_talk_is_not_reminded(network: Any) -> None:
    complete(network.employee, module(network), days_ago=30)
    services.followups_daily()
    row = FollowUp.objects.get()
    services.followup_record(
        followup=row,
        applying="yes",
        hindrances=[],
        hindrance_other="",
        support_needed="",
        held_on=timezone.localdate(),
        actor=network.manager.user,
    )
    assert services.followups_send_digests(today=timezone.localdate() + dt.timedelta(days=20)) == (0, 0)


def test_record_and_change_within_14_days(network: Any) -> None:
    from kompetenslyft.core.models import AuditEntry

    complete(network.employee, module(network), days_ago=30)
    services.followups_create_due()
    row = FollowUp.objects.get()
    services.followup_record(
        followup=row,
        applying="partly",
        hindrances=["time", "bogus-free"][:1],
        hindrance_other="Schemat",
        support_needed="Handledning",
        held_on=timezone.localdate(),
        actor=network.manager.user,
    )
    row.refresh_from_db()
    assert (row.applying, row.hindrances, row.hindrance_other) == ("partly", ["time", "other"], "Schemat")
    with pytest.raises(ValidationError):
        services.followup_record(
            followup=row,
            applying="yes",
            hindrances=[],
            hindrance_other="",
            support_needed="",
            held_on=timezone.localdate(),
            actor=network.manager.user,
        )
    services.followup_change(
        followup=row,
        applying="yes",
        hindrances=[],
        hindrance_other="",
        support_needed="",
        held_on=timezone.localdate(),
        actor=network.manager.user,
    )
    row.refresh_from_db()
    assert row.applying == "yes"
    assert list(
        AuditEntry.objects.filter(target_type="followup").values_list("action", flat=True).order_by("pk")
    ) == ["followup.recorded", "followup.changed"]
    FollowUp.objects.filter(pk=row.pk).update(recorded_at=timezone.now() - dt.timedelta(days=15))
    row.refresh_from_db()
    with pytest.raises(ValidationError):
        services.followup_change(
            followup=row,
            applying="not_yet",
            hindrances=[],
            hindrance_other="",
            support_needed="",
            held_on=timezone.localdate(),
            actor=network.manager.user,
        )


def test_record_refuses_bad_values(network: Any) -> None:
    complete(network.employee, module(network), days_ago=30)
    services.followups_create_due()
    row = FollowUp.objects.get()
    for kwargs in (
        {"applying": "maybe"},
        {"hindrances": ["weather"]},
        {"held_on": timezone.localdate() + dt.timedelta(days=1)},
        {"held_on": timezone.localdate() - dt.timedelta(days=60)},
    ):
        values = {
            "applying": "yes",
            "hindrances": [],
            "hindrance_other": "",
            "support_needed": "",
            "held_on": timezone.localdate(),
            **kwargs,
        }
        with pytest.raises(ValidationError):
            services.followup_record(followup=row, actor=None, **values)


def test_a_run_at_the_same_time_writes_each_talk_once(network: Any) -> None:
    complete(network.employee, module(network), days_ago=30)
    complete(network.colleague, module(network, "M2", "Läkemedel"), days_ago=30)
    services.followups_create_due()
    made = list(FollowUp.objects.order_by("pk").values_list(*services.COLUMNS[:10]))
    FollowUp.objects.filter(person=network.colleague).delete()
    now = timezone.now()
    # Both rows again, as a second run would write them: the one still there is skipped.
    services._insert([(*row, now, now, "[]", "", "", "") for row in made])
    assert FollowUp.objects.count() == 2
    assert FollowUp.objects.get(person=network.colleague).hindrances == []


def test_a_former_manager_is_not_emailed_about_a_person_who_moved(network: Any) -> None:
    complete(network.employee, module(network), days_ago=30)
    services.followups_create_due()
    network.employee.unit = network.unit3  # dep2, which network.manager does not manage
    network.employee.save()
    assert services.followups_send_digests() == (0, 0)
    assert mail.outbox == []
    later = timezone.localdate() + dt.timedelta(days=14)
    assert services.followups_send_digests(today=later) == (0, 0)
    assert mail.outbox == []


def test_a_talk_with_no_manager_up_the_tree_goes_to_the_lead_saying_so(network: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    person = network.other_employee
    complete(person, module(network), days_ago=30)
    result = services.followups_daily()
    talk = FollowUp.objects.get()
    assert talk.manager_id is None and result["made"] == 1
    lead = network.lead if person.organisation_id == network.org_a.pk else network.lead_b
    other_lead = network.lead_b if lead is network.lead else network.lead
    assert [m.to for m in mail.outbox] == [[lead.email]]
    body = mail.outbox[0].body
    assert person.family_name in body and "/followup/" in body
    assert "manager" in mail.outbox[0].subject.lower() or "chef" in mail.outbox[0].subject.lower()
    # told once
    assert services.followups_daily()["digests"] == 0 and len(mail.outbox) == 1
    # The lead reaches the talk from its start page and may record it; the other
    # organisation's lead and the person itself may not.
    client = Client()
    client.force_login(lead.user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("followup:list") in home
    assert person.family_name in client.get(reverse("followup:list")).content.decode()
    assert client.get(reverse("followup:record", args=[talk.pk])).status_code == 200
    for outsider in (other_lead.user, person.user):
        stranger = Client()
        stranger.force_login(outsider)
        assert stranger.get(reverse("followup:record", args=[talk.pk])).status_code == 404


def test_a_manager_set_since_the_talk_fell_due_gets_it(network: Any) -> None:
    person = network.other_employee
    complete(person, module(network), days_ago=30)
    services.followups_create_due()
    boss = PersonFactory(unit=person.unit, role=person.role)
    person.unit.manager = boss
    person.unit.save()
    services.followups_send_digests()
    assert FollowUp.objects.get().manager_id == boss.pk
    assert [m.to for m in mail.outbox] == [[boss.email]]
