"""Search, scoped to what the viewer may see: its organisations' entries and the shared ones."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import JobAidAdoption, ModuleAdoption

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


def adopted_entries(organisation_ids: list[int] | None) -> list[int]:
    """The index rows of other organisations' modules and job aids that these organisations
    adopted (an entry is indexed once, under its owner): the viewer finds them too."""
    if not organisation_ids:
        return []
    modules = ModuleAdoption.objects.filter(organisation_id__in=organisation_ids).values("module_id")
    aids = JobAidAdoption.objects.filter(organisation_id__in=organisation_ids).values("job_aid_id")
    return list(
        Entry.objects.filter(
            Q(kind=Entry.Kind.MODULE, object_id__in=modules) | Q(kind=Entry.Kind.JOB_AID, object_id__in=aids)
        )
        .exclude(organisation_id__in=organisation_ids)
        .exclude(organisation__isnull=True)
        .values_list("pk", flat=True)
    )


def _summary(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def search(access: Access, query: str, *, page: int = 1, page_size: int = PAGE_SIZE) -> ResultPage:
    """One page of results, best first. Each links to its page: a module to its page, a
    job aid to its link (or the library), a published question to the FAQ."""
    query = query.strip()[:200]
    scope = scope_of(access)
    hits, total = index.search(
        query, scope, limit=page_size, offset=(page - 1) * page_size, adopted=adopted_entries(scope)
    )
    pages = max(1, -(-total // page_size))
    bases = {
        Entry.Kind.MODULE: reverse("learning:module", args=[0]).replace("/0/", "/{}/"),
        Entry.Kind.JOB_AID: f"{reverse('learning:job_aids')}#job-aid-",
        Entry.Kind.FAQ: f"{reverse('learning:faq')}#faq-",
    }
    results = [
        Result(
            kind=hit["kind"],
            title=hit["title"],
            summary=_summary(hit["body"]),
            url=hit["link"]
            or (
                bases[hit["kind"]].format(hit["object_id"])
                if "{}" in bases[hit["kind"]]
                else f"{bases[hit['kind']]}{hit['object_id']}"
            ),
            shared=hit["organisation_id"] is None,
        )
        for hit in hits
    ]
    return ResultPage(query=query, results=results, total=total, page=page, pages=pages)
