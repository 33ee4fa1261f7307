"""Search, scoped to what the viewer may see: its organisations' entries and the shared ones."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import JobAid

from . import index
from .models import Entry

PAGE_SIZE = 20


@dataclass
class Result:
    kind: str
    title: str
    summary: str
    url: str
    shared: bool


@dataclass
class ResultPage:
    query: str
    results: list[Result]
    total: int
    page: int
    pages: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def scope_of(access: Access) -> list[int] | None:
    """The organisations whose entries the viewer may find (None: all, for the superuser)."""
    return None if access.is_superuser else sorted(access.organisation_ids)


def _url(entry: Entry, links: dict[int, str]) -> str:
    if entry.kind == Entry.Kind.MODULE:
        return f"{reverse('learning:catalogue')}#m-{entry.object_id}"
    if entry.kind == Entry.Kind.JOB_AID:
        return links.get(entry.object_id) or f"{reverse('learning:job_aids')}#job-aid-{entry.object_id}"
    return f"{reverse('learning:faq')}#faq-{entry.object_id}"


def _summary(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def search(access: Access, query: str, *, page: int = 1, page_size: int = PAGE_SIZE) -> ResultPage:
    """One page of results, best first. Each links to its page: a module to the catalogue, a
    job aid to its link (or the library), a published question to the FAQ."""
    query = query.strip()[:200]
    hits, total = index.search(query, scope_of(access), limit=page_size, offset=(page - 1) * page_size)
    pages = max(1, -(-total // page_size))
    entries = Entry.objects.in_bulk([pk for pk, _rank in hits])
    aid_ids = [e.object_id for e in entries.values() if e.kind == Entry.Kind.JOB_AID]
    links = dict(JobAid.objects.filter(pk__in=aid_ids).exclude(link="").values_list("pk", "link"))
    results = []
    for pk, _rank in hits:
        entry = entries[pk]
        results.append(
            Result(
                kind=entry.kind,
                title=entry.title,
                summary=_summary(entry.body),
                url=_url(entry, links),
                shared=entry.organisation_id is None,
            )
        )
    return ResultPage(query=query, results=results, total=total, page=page, pages=pages)
