"""Keep the search index in step. The services that write modules, job aids and published
questions call these in their own transaction (no signals): ``index_module``,
``index_job_aid``, ``index_faq`` (which removes an unpublished question), ``remove``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction

from kompetenslyft.learning.models import JobAid, Module, SupportRequest

from . import index
from .models import Entry
from .stemming import detect, terms

Document = dict[str, Any]


def _fallback(organisation: Any) -> str:
    # The organisation's language once organisations carry one; the installation's otherwise.
    return getattr(organisation, "language", "") or settings.LANGUAGE_CODE


def _document(kind: str, pk: int, organisation: Any, title: str, body: str, link: str = "") -> Document:
    language = detect(f"{title} {body}", _fallback(organisation))
    return {
        "kind": kind,
        "object_id": pk,
        "organisation_id": organisation.pk if organisation is not None else None,
        "language": language,
        "title": title[:300],
        "body": body,
        "link": link,
        "title_terms": terms(title, language),
        "body_terms": terms(body, language),
    }


def module_document(module: Module) -> Document:
    body = "\n".join(p for p in (module.code, module.category, module.description, module.pre_material) if p)
    return _document(Entry.Kind.MODULE, module.pk, module.organisation, module.name, body)


def job_aid_document(aid: JobAid) -> Document:
    return _document(Entry.Kind.JOB_AID, aid.pk, aid.organisation, aid.title, aid.owner, aid.link)


def faq_document(question: SupportRequest) -> Document:
    return _document(
        Entry.Kind.FAQ, question.pk, question.organisation, question.faq_question, question.faq_answer
    )


def _write(documents: list[Document]) -> int:
    if not documents:
        return 0
    kinds = {d["kind"] for d in documents}
    object_ids = [d["object_id"] for d in documents]
    mine = Entry.objects.filter(kind__in=kinds, object_id__in=object_ids)
    existing = {(kind, object_id): pk for pk, kind, object_id in mine.values_list("pk", "kind", "object_id")}
    new: list[Entry] = []
    changed: list[Entry] = []
    for document in documents:
        pk = existing.get((document["kind"], document["object_id"]))
        (changed if pk else new).append(Entry(pk=pk, **document))
    Entry.objects.bulk_update(
        changed,
        ["organisation_id", "language", "title", "body", "link", "title_terms", "body_terms"],
        batch_size=500,
    )
    Entry.objects.bulk_create(new, batch_size=500)
    ids = list(mine.values_list("pk", flat=True))
    index.written(ids)
    return len(documents)


@transaction.atomic
def index_module(module: Module) -> None:
    _write([module_document(module)])


@transaction.atomic
def index_modules(modules: Iterable[Module]) -> int:
    return _write([module_document(m) for m in modules])


@transaction.atomic
def index_job_aid(aid: JobAid) -> None:
    _write([job_aid_document(aid)])


@transaction.atomic
def index_faq(question: SupportRequest) -> None:
    """Index a published question; remove an unpublished one."""
    if question.faq_published_at is None:
        remove(kind=Entry.Kind.FAQ, object_ids=[question.pk])
    else:
        _write([faq_document(question)])


@transaction.atomic
def remove(*, kind: str, object_ids: list[int]) -> int:
    entries = Entry.objects.filter(kind=kind, object_id__in=object_ids)
    index.removed(list(entries.values_list("pk", flat=True)))
    return entries.delete()[0]


@transaction.atomic
def reindex(*, batch: int = 2000) -> int:
    """Rebuild the whole index from modules, job aids and published questions."""
    index.cleared()
    Entry.objects.all().delete()
    count = 0
    sources: list[tuple[Any, Any]] = [
        (Module.objects.select_related("organisation").order_by("pk"), module_document),
        (JobAid.objects.select_related("organisation").defer("attachment").order_by("pk"), job_aid_document),
        (
            SupportRequest.objects.filter(faq_published_at__isnull=False)
            .select_related("organisation")
            .order_by("pk"),
            faq_document,
        ),
    ]
    for queryset, to_document in sources:
        documents: list[Document] = []
        for item in queryset.iterator(chunk_size=batch):
            documents.append(to_document(item))
            if len(documents) >= batch:
                count += _write(documents)
                documents = []
        count += _write(documents)
    return count
