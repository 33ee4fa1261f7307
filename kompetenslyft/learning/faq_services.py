"""Publishing answered support questions as FAQ entries (next to the job aids). The publisher
edits the texts so that nothing of the asker shows; the entry keeps no link to the asker on
any page (the FAQ page and search read only ``faq_question`` and ``faq_answer``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.search.services import index_faq

from .models import SupportRequest


@transaction.atomic
def support_request_publish(
    *, support_request: SupportRequest, question: str, answer: str, actor: Any = None
) -> SupportRequest:
    """Publish (or republish with new texts) an answered question as a FAQ entry."""
    question, answer = question.strip(), answer.strip()
    if not support_request.answer:
        raise ValidationError(_("Only an answered question can be published."))
    if not question or not answer:
        raise ValidationError(_("Both the question and the answer are needed."))
    support_request.faq_question = question
    support_request.faq_answer = answer
    support_request.faq_published_at = timezone.now()
    support_request.save(update_fields=["faq_question", "faq_answer", "faq_published_at"])
    index_faq(support_request)
    audit_record(
        actor=actor,
        organisation=support_request.organisation,
        event=AuditEvent("support_request.published", "support_request", str(support_request.pk), question),
    )
    return support_request


@transaction.atomic
def support_request_unpublish(*, support_request: SupportRequest, actor: Any = None) -> SupportRequest:
    support_request.faq_published_at = None
    support_request.save(update_fields=["faq_published_at"])
    index_faq(support_request)
    audit_record(
        actor=actor,
        organisation=support_request.organisation,
        event=AuditEvent(
            "support_request.unpublished",
            "support_request",
            str(support_request.pk),
            support_request.faq_question,
        ),
    )
    return support_request
