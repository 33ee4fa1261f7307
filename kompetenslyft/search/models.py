"""One row per searchable thing (a module, a job aid, a published question), written by
``services`` in the same transaction as the thing itself. PostgreSQL searches ``vector``
(GIN index); SQLite searches the FTS5 table ``search_fts`` whose rowid is the entry's id."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Entry(models.Model):
    class Kind(models.TextChoices):
        MODULE = "module"
        JOB_AID = "job_aid"
        FAQ = "faq"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )  # empty: shared with the whole network
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=2000, blank=True)  # a job aid's own link, if any
    # Stems and derivational roots (stemming.terms) of title and body: the FTS5 columns on
    # SQLite, the language-neutral part of the vector on PostgreSQL.
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    vector = SearchVectorField(null=True)  # PostgreSQL only; NULL on SQLite

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
