"""The lead's retention page, its rules form, the decision to pseudonymise one person and a run's
progress — and every way around them: other roles, another organisation's lead, bad ids and
bad numbers (400/404, never 500)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.org.models import Person
from kompetenslyft.org.tests.factories import PersonFactory
from kompetenslyft.retention.models import Erasure, RetentionRule, RetentionRun

pytestmark = pytest.mark.django_db


def _sv(text: str) -> str:
    """What the test client (Swedish) is shown for ``text``, whether or not it is translated yet."""
    with translation.override("sv"):
        return gettext(text)


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def leaver(network: Any) -> Person:
    return PersonFactory(
        unit=network.unit1,
        given_name="Lotta",
        family_name="Lämnadsdotter",
        is_active=False,
        deactivated_on=dt.date(2020, 1, 31),
    )


def test_the_lead_sees_rules_dry_run_and_the_leavers_due(network: Any, leaver: Person) -> None:
    PersonFactory(unit=network.unit2, is_active=False, deactivated_on=dt.date.today())  # not yet due
    response = _client(network.lead.user).get(reverse("retention:overview"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Lotta Lämnadsdotter" in text and reverse("org:person", args=[leaver.pk]) in text
    dry = {line.kind.key: line.count for line in response.context["dry_run"]}
    assert dry["leavers"] == 1
    # The lead's home page leads there.
    home = _client(network.lead.user).get("/").content.decode()
    assert reverse("retention:overview") in home


def test_rules_are_saved_and_reset(network: Any) -> None:
    client = _client(network.lead.user)
    response = client.post(
        reverse("retention:rules"), {"organisation": network.org_a.pk, "months_leavers": "12"}
    )
    assert response.status_code == 302
    assert RetentionRule.objects.get(organisation=network.org_a, kind="leavers").months == 12
    assert AuditEntry.objects.filter(action="retention.rule").count() == 1
    client.post(reverse("retention:rules"), {"organisation": network.org_a.pk, "months_leavers": ""})
    assert not RetentionRule.objects.filter(kind="leavers").exists()


@pytest.mark.parametrize("bad", ["-3", "0", "1201", "99999999999999999999", "tolv", "1.5", "²", "1e3"])
def test_bad_months_are_a_clear_form_error_and_nothing_is_saved(network: Any, bad: str) -> None:
    client = _client(network.lead.user)
    response = client.post(
        reverse("retention:rules"),
        {"organisation": network.org_a.pk, "months_leavers": bad, "months_support_questions": "10"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert (
        _sv("Give a whole number of months from 1 to %(maximum)s, or leave it empty.") % {"maximum": 1200}
        in text
    )
    assert 'aria-invalid="true"' in text and f'value="{bad}"' in text
    assert not RetentionRule.objects.exists()  # the good field is not saved either


def test_the_decision_needs_a_reason_and_runs_as_a_task(
    network: Any, leaver: Person, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(network.lead.user)
    url = reverse("retention:decide", args=[leaver.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Lotta Lämnadsdotter" in page.content.decode()
    assert 'name="exception"' not in page.content.decode()  # a leaver needs no exception
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400 and _sv("Give the reason for the decision.") in refused.content.decode()
    assert not Erasure.objects.exists() and not RetentionRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        done = client.post(url, {"reason": "Begäran om radering"})
    run = RetentionRun.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("retention:run", args=[run.pk])
    # Queued, not done in the request: the progress page says so and refreshes itself.
    assert run.status == RetentionRun.Status.QUEUED and len(queued) == 1
    leaver.refresh_from_db()
    assert leaver.given_name == "Lotta"
    waiting = client.get(reverse("retention:run", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in waiting and "0 / 1" in waiting
    queued[0]()  # the worker runs the task
    run.refresh_from_db()
    assert run.status == RetentionRun.Status.DONE and run.done == 1  # the immediate task backend
    leaver.refresh_from_db()
    assert leaver.given_name == "Pseudonym"
    progress = client.get(reverse("retention:run", args=[run.pk]))
    assert progress.status_code == 200 and "1 / 1" in progress.content.decode()
    again = client.post(url, {"reason": "igen"})
    assert again.status_code == 400 and RetentionRun.objects.count() == 1
    entry = AuditEntry.objects.get(action="retention.decision")
    assert entry.changes["reason"] == "Begäran om radering"


def test_a_person_who_has_not_left_needs_the_exception_box(
    network: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(network.lead.user)
    person = network.colleague
    url = reverse("retention:decide", args=[person.pk])
    assert 'name="exception"' in client.get(url).content.decode()
    refused = client.post(url, {"reason": "Begäran"})
    assert (
        refused.status_code == 400
        and _sv("This person has not left. Confirm that this is an exception, such as a request for erasure.")
        in refused.content.decode()
    )
    person.refresh_from_db()
    assert person.given_name == "Karin" and not Erasure.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "Begäran", "exception": "1"}).status_code == 302
    person.refresh_from_db()
    assert person.given_name == "Pseudonym" and not person.is_active
    assert AuditEntry.objects.get(action="retention.decision").changes["exception"] is True


def test_the_progress_page_refreshes_while_a_run_is_under_way(network: Any) -> None:
    run = RetentionRun.objects.create(
        organisation=network.org_a,
        kind=RetentionRun.Kind.NIGHTLY,
        status=RetentionRun.Status.RUNNING,
        total=9,
    )
    text = _client(network.lead.user).get(reverse("retention:run", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' in text and "0 / 9" in text
    RetentionRun.objects.filter(pk=run.pk).update(status=RetentionRun.Status.DONE, done=9)
    text = _client(network.lead.user).get(reverse("retention:run", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' not in text and "9 / 9" in text


@pytest.mark.parametrize("role", ["manager", "employee", "trainer", "top", "evaluator", "project_leader"])
def test_no_other_role_reaches_any_of_it(network: Any, leaver: Person, role: str) -> None:
    viewer = getattr(network, role)
    client = _client(getattr(viewer, "user", viewer))
    run = RetentionRun.objects.create(organisation=network.org_a, kind=RetentionRun.Kind.NIGHTLY)
    decide = reverse("retention:decide", args=[leaver.pk])
    for response in (
        client.get(reverse("retention:overview")),
        client.get(reverse("retention:overview"), {"organisation": network.org_a.pk}),
        client.post(reverse("retention:rules"), {"organisation": network.org_a.pk, "months_leavers": "1"}),
        client.get(decide),
        client.post(decide, {"reason": "x", "exception": "1"}),
        client.get(reverse("retention:run", args=[run.pk])),
    ):
        assert response.status_code in (403, 404), response
    assert not RetentionRule.objects.exists() and not Erasure.objects.exists()
    leaver.refresh_from_db()
    assert leaver.given_name == "Lotta"
    assert reverse("retention:overview") not in client.get("/").content.decode()


def test_a_lead_of_another_organisation_neither_sees_nor_pseudonymises(network: Any, leaver: Person) -> None:
    client = _client(network.lead_b.user)
    run = RetentionRun.objects.create(organisation=network.org_a, kind=RetentionRun.Kind.NIGHTLY)
    decide = reverse("retention:decide", args=[leaver.pk])
    get = client.get(decide)
    assert get.status_code == 404 and "Lämnadsdotter" not in get.content.decode()
    assert client.post(decide, {"reason": "x", "exception": "1"}).status_code == 404
    assert client.get(reverse("retention:run", args=[run.pk])).status_code == 404
    assert client.get(reverse("retention:overview"), {"organisation": network.org_a.pk}).status_code == 404
    rules = client.post(reverse("retention:rules"), {"organisation": network.org_a.pk, "months_leavers": "1"})
    assert rules.status_code == 404
    # Its own page shows its own organisation only: the other's leaver is not there.
    own = client.get(reverse("retention:overview"))
    assert own.status_code == 200 and "Lämnadsdotter" not in own.content.decode()
    assert own.context["organisation"] == network.org_b
    assert not Erasure.objects.exists() and not RetentionRule.objects.exists()
    leaver.refresh_from_db()
    assert leaver.given_name == "Lotta"


@pytest.mark.parametrize("value", ["abc", "²", "-1", "1.5", "99999999999999999999", " 1"])
def test_bad_ids_are_400_or_404(network: Any, value: str) -> None:
    client = _client(network.lead.user)
    for response in (
        client.get(reverse("retention:overview"), {"organisation": value}),
        client.post(reverse("retention:rules"), {"organisation": value, "months_leavers": "1"}),
        client.get(f"/retention/people/{value}/pseudonymise/"),
        client.post(f"/retention/people/{value}/pseudonymise/", {"reason": "x"}),
        client.get(f"/retention/runs/{value}/"),
    ):
        assert response.status_code in (400, 404), (value, response)
    assert client.get("/retention/people/999999/pseudonymise/").status_code == 404
    assert client.get("/retention/runs/999999/").status_code == 404


# --- the nightly task and the dry run of the command ---------------------------------------------


def _people_digest() -> tuple[int, str]:
    rows = Person.objects.order_by("pk").values_list(
        "pk", "given_name", "family_name", "email", "employee_id", "is_active", "user_id"
    )
    return len(rows), hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_dry_run_command_prints_and_changes_nothing(network: Any, leaver: Person) -> None:
    before = _people_digest()
    erasures, runs, audits = Erasure.objects.count(), RetentionRun.objects.count(), AuditEntry.objects.count()
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    lines = [line.split("\t") for line in out.getvalue().splitlines()]
    assert ["alpha", "leavers"] == lines[0][:2] or any(line[:2] == ["alpha", "leavers"] for line in lines)
    alpha_leavers = next(line for line in lines if line[:2] == ["alpha", "leavers"])
    assert alpha_leavers[2] == "24" and alpha_leavers[4] == "1"
    assert next(line for line in lines if line[:2] == ["beta", "leavers"])[4] == "0"
    assert _people_digest() == before
    assert (Erasure.objects.count(), RetentionRun.objects.count(), AuditEntry.objects.count()) == (
        erasures,
        runs,
        audits,
    )
    one = io.StringIO()
    call_command("retention", "--dry-run", "--organisation", "beta", stdout=one)
    assert {line.split("\t")[0] for line in one.getvalue().splitlines()} == {"beta"}
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retention", "--dry-run", "--organisation", "nope", stdout=io.StringIO())


def test_nightly_command_applies_the_rules_as_a_task(
    network: Any, leaver: Person, django_capture_on_commit_callbacks: Any
) -> None:
    recent = PersonFactory(unit=network.unit2, is_active=False, deactivated_on=dt.date.today())
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        call_command("retention", stdout=out)
    leaver.refresh_from_db()
    assert len(queued) == 1 and leaver.given_name == "Lotta"  # enqueued only
    queued[0]()  # the worker runs the task
    assert "enqueued" in out.getvalue()
    leaver.refresh_from_db()
    recent.refresh_from_db()
    assert leaver.given_name == "Pseudonym" and recent.given_name != "Pseudonym"
    assert Erasure.objects.get().source == Erasure.Source.RULE
    runs = {run.organisation.code: run for run in RetentionRun.objects.select_related("organisation")}
    assert runs["alpha"].status == RetentionRun.Status.DONE and runs["alpha"].counts["leavers"] == 1
    assert runs["beta"].counts.get("leavers", 0) == 0
    # A lead's shorter time counts from the next run.
    RetentionRule.objects.create(organisation=network.org_a, kind="leavers", months=0 + 1)
    Person.objects.filter(pk=recent.pk).update(deactivated_on=dt.date.today() - dt.timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", stdout=io.StringIO())
    recent.refresh_from_db()
    assert recent.given_name == "Pseudonym"
    # Run again, nothing more goes.
    before = _people_digest()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", stdout=io.StringIO())
    assert _people_digest() == before and Erasure.objects.count() == 2


def test_the_people_the_dry_run_names_are_a_logged_read(network: Any) -> None:
    """Found by the privacy review: the overview listed leavers without a trace in the log."""
    import datetime as dt

    from kompetenslyft.dataprotection.models import AccessEntry, AccessPerson
    from kompetenslyft.org.models import Person

    Person.objects.filter(pk=network.employee.pk).update(is_active=False, deactivated_on=dt.date(2020, 1, 1))
    page = _client(network.lead.user).get(reverse("retention:overview"))
    assert page.status_code == 200 and network.employee.family_name in page.content.decode()
    entry = AccessEntry.objects.get(organisation=network.org_a, kind="people_list")
    assert list(AccessPerson.objects.filter(entry=entry).values_list("person_id", flat=True)) == [
        network.employee.pk
    ]


def test_notes_and_questions_are_due_by_the_local_day_they_were_written(network: Any) -> None:
    """ "Recorded before the cutoff day" is the local day (Europe/Stockholm): a note written at
    23:30 the evening before counts, one written at 00:10 on the day does not."""
    from django.utils import timezone

    from kompetenslyft.followup.models import FollowUp
    from kompetenslyft.learning.models import Module, SupportRequest
    from kompetenslyft.retention import registry

    cutoff = dt.date(2024, 6, 1)
    module = Module.objects.create(organisation=network.org_a, code="R1", name="R1", hours=1)
    evening = timezone.make_aware(dt.datetime(2024, 5, 31, 23, 30))
    night = timezone.make_aware(dt.datetime(2024, 6, 1, 0, 10))
    for kind, when in ((30, evening), (90, night)):
        talk = FollowUp.objects.create(
            organisation=network.org_a,
            person=network.employee,
            module=module,
            completed_on=dt.date(2024, 3, 2),
            kind=kind,
            due_on=dt.date(2024, 4, 1),
            unit=network.unit1,
            hindrance_other="Tidsbrist",
        )
        FollowUp.objects.filter(pk=talk.pk).update(recorded_at=when)
        question = SupportRequest.objects.create(
            organisation=network.org_a, person=network.employee, unit=network.unit1, topic="T", question="Q?"
        )
        SupportRequest.objects.filter(pk=question.pk).update(created_at=when)
    assert registry.get("followup_notes").count(network.org_a, cutoff) == 1
    assert registry.get("support_questions").count(network.org_a, cutoff) == 1
