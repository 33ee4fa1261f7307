"""The search index per database vendor: PostgreSQL full-text search (a tsvector per entry in
its language's configuration, plus the stems and roots of ``stemming`` in the ``simple``
configuration; GIN index) and SQLite FTS5 (a virtual table of the stems and roots, bm25
ranking). Both take the same query terms, so both find "dokumentation" for "dokumentera"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Substr

from .models import Entry
from .stemming import CONFIGS, query_terms

Hit = dict[str, Any]  # what a result shows: the entry's fields below, best first
FIELDS = ("id", "kind", "object_id", "organisation_id", "title", "body", "link")

_PG_VECTOR = """
UPDATE search_entry SET vector =
    setweight(to_tsvector(c.config, title), 'A') || setweight(to_tsvector(c.config, body), 'B')
    || setweight(to_tsvector('simple', title_terms), 'A')
    || setweight(to_tsvector('simple', body_terms), 'B')
FROM (SELECT id AS entry_id, CAST(CASE language WHEN 'nb' THEN 'norwegian' WHEN 'en' THEN 'english'
      ELSE 'swedish' END AS regconfig) AS config FROM search_entry WHERE id = ANY(%s)) AS c
WHERE id = c.entry_id
"""


def postgres() -> bool:
    return connection.vendor == "postgresql"


def written(ids: Sequence[int]) -> None:
    """Bring the vendor's index in step with these (new or changed) entries."""
    if not ids:
        return
    with connection.cursor() as cursor:
        if postgres():
            cursor.execute(_PG_VECTOR, [list(ids)])
            return
        removed(ids, cursor=cursor)
        rows = [
            (pk, title, body, _scope_token(organisation_id))
            for pk, title, body, organisation_id in Entry.objects.filter(pk__in=list(ids)).values_list(
                "pk", "title_terms", "body_terms", "organisation_id"
            )
        ]
        cursor.executemany("INSERT INTO search_fts(rowid, title, body, scope) VALUES (%s, %s, %s, %s)", rows)


def removed(ids: Sequence[int], cursor: object = None) -> None:
    """Drop these entries from the FTS5 table (call before deleting the entries)."""
    if postgres() or not ids:
        return
    if cursor is None:
        with connection.cursor() as own:
            removed(ids, cursor=own)
        return
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join(["%s"] * len(chunk))
        cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", chunk)  # type: ignore[attr-defined]  # noqa: S608


def cleared() -> None:
    if not postgres():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_fts")


def _scope_token(organisation_id: int | None) -> str:
    """The FTS5 ``scope`` column: the owning organisation, or "shared" (the whole network)."""
    return "shared" if organisation_id is None else f"o{organisation_id}"


def _fts_match(options: list[set[str]], organisation_ids: list[int] | None) -> str:
    """An FTS5 query of our own terms only (word characters, quoted): never the user's syntax.
    The scope is a column of the FTS5 table, so counting and ranking need no join."""
    words = " AND ".join("(" + " OR ".join(f'"{term}"' for term in sorted(o)) + ")" for o in options)
    match = "{title body}: (" + words + ")"
    if organisation_ids is not None:
        scopes = ["shared", *(_scope_token(pk) for pk in organisation_ids)]
        match += " AND scope: (" + " OR ".join(scopes) + ")"
    return match


def search(
    query: str,
    organisation_ids: list[int] | None,
    *,
    limit: int,
    offset: int,
    adopted: Sequence[int] = (),
) -> tuple[list[Hit], int]:
    """The entries best first (limit/offset) and the number found. ``organisation_ids`` None is
    everything (the installation's superuser); shared entries (no organisation) are always in;
    ``adopted`` are the ids of other organisations' entries the viewer's organisations adopted."""
    options = query_terms(query)
    if not options:
        return [], 0
    if postgres():
        return _search_postgres(query, options, organisation_ids, adopted, limit=limit, offset=offset)
    # The scope is an FTS5 column, so the viewer's own entries need no join; the adopted ones
    # (few) are a second match of the same terms on their rowids.
    found = (
        "SELECT rowid, bm25(search_fts, 10.0, 1.0, 0.0) AS score FROM search_fts WHERE search_fts MATCH %s"
    )
    params: list[Any] = [_fts_match(options, organisation_ids)]  # title 10, body 1, scope 0
    if adopted and organisation_ids is not None:
        marks = ",".join(["%s"] * len(adopted))
        found += f" UNION ALL {found} AND rowid IN ({marks})"
        params += [_fts_match(options, None), *adopted]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({found})", params)  # noqa: S608 (our own SQL, marks)
        total = cursor.fetchone()[0]
        if not total:
            return [], 0
        # Our own SQL: the terms and ids are parameters.
        columns = "e.id, e.kind, e.object_id, e.organisation_id, e.title, substr(e.body, 1, 400), e.link"
        page = f"SELECT {columns} FROM ({found} ORDER BY score, rowid LIMIT %s OFFSET %s) AS hit "  # noqa: S608
        cursor.execute(
            page + "JOIN search_entry e ON e.id = hit.rowid ORDER BY hit.score, hit.rowid",
            [*params, limit, offset],
        )
        return [dict(zip(FIELDS, row, strict=True)) for row in cursor.fetchall()], total


def _search_postgres(
    query: str,
    options: list[set[str]],
    organisation_ids: list[int] | None,
    adopted: Sequence[int],
    *,
    limit: int,
    offset: int,
) -> tuple[list[Hit], int]:
    tsquery = SearchQuery(
        " & ".join("(" + " | ".join(f"'{term}'" for term in sorted(o)) + ")" for o in options),
        config="simple",
        search_type="raw",
    )
    for config in sorted(set(CONFIGS.values())):
        tsquery |= SearchQuery(query, config=config, search_type="websearch")
    entries = Entry.objects.filter(vector=tsquery)
    if organisation_ids is not None:
        entries = entries.filter(
            Q(organisation__isnull=True) | Q(organisation_id__in=organisation_ids) | Q(pk__in=list(adopted))
        )
    # One scan: the page, ranked, with the number found beside each row.
    ranked = list(
        entries.annotate(
            rank=SearchRank(F("vector"), tsquery), summary=Substr("body", 1, 400), found=Window(Count("pk"))
        )
        .order_by("-rank", "title", "pk")
        .values_list("pk", "kind", "object_id", "organisation_id", "title", "summary", "link", "found")[
            offset : offset + limit
        ]
    )
    total = ranked[0][-1] if ranked else (entries.count() if offset else 0)
    return [dict(zip(FIELDS, row[:-1], strict=True)) for row in ranked], total
