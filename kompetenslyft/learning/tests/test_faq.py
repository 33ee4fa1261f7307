"""Publishing answered support questions as a FAQ: who may, what is shown, attacks."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.learning.models import SupportContact, SupportRequest
from kompetenslyft.search.models import Entry


@pytest.fixture
def asked(network: Any) -> SupportRequest:
    SupportContact.objects.create(person=network.trainer, unit=network.dep1)
    return SupportRequest.objects.create(
        organisation=network.org_a,
        person=network.employee,
        unit=network.unit1,
        topic="Teams",
        question="Elin Employeesson här: hur delar jag skärmen i Teams?",
        answer="Klicka på Dela.",
        answered_by=network.trainer,
        answered_at=timezone.now(),
    )


def publish(client: Any, support_request: SupportRequest, **data: str) -> Any:
    return client.post(
        reverse("learning:faq_publish", args=[support_request.pk]),
        {"question": "Hur delar jag skärmen i Teams?", "answer": "Klicka på Dela.", **data},
    )


def test_routed_trainer_publishes_edited_texts_and_unpublishes(network: Any, client: Any, asked: Any) -> None:
    client.force_login(network.trainer.user)
    inbox = client.get(reverse("learning:support")).content.decode()
    assert reverse("learning:faq_publish", args=[asked.pk]) in inbox
    form = client.get(reverse("learning:faq_publish", args=[asked.pk]))
    assert form.status_code == 200 and "Klicka på Dela." in form.content.decode()
    assert publish(client, asked).status_code == 302
    asked.refresh_from_db()
    assert asked.faq_question == "Hur delar jag skärmen i Teams?" and asked.faq_published_at
    assert AuditEntry.objects.filter(action="support_request.published", target_id=str(asked.pk)).exists()
    assert Entry.objects.filter(kind="faq", object_id=asked.pk).exists()
    # Everyone of the organisation reads it next to the job aids; nothing of the asker.
    client.force_login(network.other_employee.user)
    aids = client.get(reverse("learning:job_aids")).content.decode()
    assert reverse("learning:faq") in aids
    faq = client.get(reverse("learning:faq")).content.decode()
    assert "Hur delar jag skärmen i Teams?" in faq
    for trace in ("Elin", "Employeesson", network.employee.employee_id, network.unit1.name):
        assert trace not in faq
    assert reverse("learning:faq_unpublish", args=[asked.pk]) not in faq
    client.force_login(network.trainer.user)
    assert client.post(reverse("learning:faq_unpublish", args=[asked.pk])).status_code == 302
    asked.refresh_from_db()
    assert asked.faq_published_at is None
    assert not Entry.objects.filter(kind="faq").exists()
    client.force_login(network.other_employee.user)
    assert "Teams" not in client.get(reverse("learning:faq")).content.decode()


def test_lead_may_publish_any_question_of_its_organisation(network: Any, client: Any, asked: Any) -> None:
    SupportContact.objects.all().delete()
    client.force_login(network.lead.user)
    assert publish(client, asked).status_code == 302
    client.force_login(network.lead_b.user)
    assert publish(client, asked, question="Hijacked").status_code == 404
    assert client.post(reverse("learning:faq_unpublish", args=[asked.pk])).status_code == 404
    asked.refresh_from_db()
    assert asked.faq_question == "Hur delar jag skärmen i Teams?" and asked.faq_published_at


def test_employee_cannot_publish(network: Any, client: Any, asked: Any) -> None:
    for user in (network.employee.user, network.other_employee.user, network.manager.user):
        client.force_login(user)
        assert client.get(reverse("learning:faq_publish", args=[asked.pk])).status_code == 404
        assert publish(client, asked).status_code == 404
    asked.refresh_from_db()
    assert asked.faq_published_at is None


def test_trainer_cannot_publish_a_question_not_routed_to_it(network: Any, client: Any, asked: Any) -> None:
    SupportContact.objects.all().delete()
    SupportContact.objects.create(person=network.trainer, unit=network.dep2)  # not the asker's branch
    client.force_login(network.trainer.user)
    assert publish(client, asked).status_code == 404
    asked.refresh_from_db()
    assert asked.faq_published_at is None


def test_unanswered_question_cannot_be_published(network: Any, client: Any, asked: Any) -> None:
    asked.answer = ""
    asked.save()
    client.force_login(network.trainer.user)
    assert publish(client, asked).status_code == 404
    asked.answer = "Svar"
    asked.save()
    response = publish(client, asked, question="  ")
    assert response.status_code == 200
    asked.refresh_from_db()
    assert asked.faq_published_at is None


def test_unpublish_needs_post_and_a_published_entry(network: Any, client: Any, asked: Any) -> None:
    client.force_login(network.trainer.user)
    assert client.get(reverse("learning:faq_unpublish", args=[asked.pk])).status_code == 405
    assert client.post(reverse("learning:faq_unpublish", args=[asked.pk])).status_code == 404


def test_faq_of_another_organisation_is_not_shown(network: Any, client: Any, asked: Any) -> None:
    client.force_login(network.trainer.user)
    publish(client, asked)
    client.force_login(network.lead_b.user)
    assert "Teams" not in client.get(reverse("learning:faq")).content.decode()
