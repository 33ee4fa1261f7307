"""Reads of data protection: the access log for a data protection officer, a person's own
"who read my data", and the register extracts one may follow and download."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from kompetenslyft.core.access import Access
from kompetenslyft.core.models import ProductRole

from .models import AccessEntry, AccessPerson, RegisterExtract


def dpo_organisation_ids(access: Access) -> set[int] | None:
    """The organisations whose access log this account reads (None: every one, the operator)."""
    if access.is_superuser:
        return None
    return access.org_ids_with(ProductRole.DATA_PROTECTION)


def is_data_protection_officer(access: Access) -> bool:
    return access.is_superuser or bool(access.org_ids_with(ProductRole.DATA_PROTECTION))


@dataclass(frozen=True)
class LogFilter:
    person: str = ""
    reader: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def access_log(access: Access, filters: LogFilter) -> QuerySet[AccessEntry]:
    """The entries of the officer's organisations, newest first, filtered by the person read
    (name, e-mail or employee id), the reader (account name or person name) and the day."""
    entries = AccessEntry.objects.all()
    orgs = dpo_organisation_ids(access)
    if orgs is not None:
        entries = entries.filter(organisation_id__in=sorted(orgs))
    if filters.person:
        people = AccessPerson.objects.all()
        for word in filters.person.split():
            people = people.filter(_person_word(word, "person__"))
        entries = entries.filter(pk__in=people.values("entry_id"))
    if filters.reader:
        for word in filters.reader.split():
            entries = entries.filter(
                Q(reader_label__icontains=word)
                | Q(reader_person__given_name__icontains=word)
                | Q(reader_person__family_name__icontains=word)
            )
    if filters.date_from:
        entries = entries.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        entries = entries.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return entries.select_related("reader_person", "organisation").order_by("-created_at", "-id")


def _person_word(word: str, prefix: str = "") -> Q:
    """A word of the person filter: part of a name, or a whole employee id or e-mail."""
    return (
        Q(**{f"{prefix}given_name__icontains": word})
        | Q(**{f"{prefix}family_name__icontains": word})
        | Q(**{f"{prefix}employee_id__iexact": word})
        | Q(**{f"{prefix}email__iexact": word})
    )


def people_matching(access: Access, text: str, *, up_to: int = 5) -> list[Any]:
    """The people of the officer's organisations the person filter ``text`` names (at most
    ``up_to`` + 1, so that the page can tell "more than"), by name: whom a filtered log is about."""
    from kompetenslyft.org.models import Person

    people = Person.objects.all()
    orgs = dpo_organisation_ids(access)
    if orgs is not None:
        people = people.filter(organisation_id__in=sorted(orgs))
    for word in text.split():
        people = people.filter(_person_word(word))
    return list(
        people.only("pk", "given_name", "family_name", "employee_id").order_by(
            "family_name", "given_name", "pk"
        )[: up_to + 1]
    )


def access_entry(access: Access, pk: int) -> AccessEntry:
    """One entry of the officer's organisations (``DoesNotExist`` otherwise)."""
    entries = AccessEntry.objects.select_related("reader_person", "organisation")
    orgs = dpo_organisation_ids(access)
    if orgs is not None:
        entries = entries.filter(organisation_id__in=sorted(orgs))
    return entries.get(pk=pk)


def entry_people(entry: AccessEntry) -> QuerySet[Any]:
    """The people an entry showed: name and employee id only."""
    from kompetenslyft.org.models import Person

    return (
        Person.objects.filter(pk__in=AccessPerson.objects.filter(entry=entry).values("person_id"))
        .only("pk", "given_name", "family_name", "employee_id")
        .order_by("family_name", "given_name", "pk")
    )


def people_of_entries(entries: list[AccessEntry], *, up_to: int = 5) -> dict[int, list[Any]]:
    """For each entry of a page that showed at most ``up_to`` people, those people (one query)."""
    small = [e.pk for e in entries if e.people <= up_to]
    found: dict[int, list[Any]] = {pk: [] for pk in small}
    if small:
        rows = (
            AccessPerson.objects.filter(entry_id__in=small)
            .select_related("person")
            .only("entry_id", "person__given_name", "person__family_name", "person__employee_id")
            .order_by("person__family_name", "person__given_name")
        )
        for row in rows:
            found[row.entry_id].append(row.person)
    return found


def reads_of(person_id: int) -> QuerySet[AccessPerson]:
    """Who read a person's data: each read with its reader and what it was, newest first."""
    return (
        AccessPerson.objects.filter(person_id=person_id)
        .select_related("entry", "entry__reader_person")
        .order_by("-entry__created_at", "-entry_id")
    )


def extracts_visible(access: Access) -> QuerySet[RegisterExtract]:
    """The extracts this account may follow and download: its own, and those it asked for
    about people of an organisation it still leads (a lead who loses the role loses them)."""
    q = Q(requested_by_id=access.user_id, person__organisation_id__in=sorted(access.lead_org_ids))
    if access.is_superuser:
        q = Q(requested_by_id=access.user_id)
    if access.person_id:
        q |= Q(person_id=access.person_id)
    return (
        RegisterExtract.objects.filter(q, expires_at__gte=timezone.now())
        .defer("json_content", "pdf_content")
        .select_related("person", "requested_by")
    )


def extract_file(access: Access, pk: int, fmt: str) -> tuple[RegisterExtract, bytes]:
    """A finished extract's JSON or PDF for one who may download it (``DoesNotExist``
    otherwise)."""
    extract = extracts_visible(access).get(pk=pk, status=RegisterExtract.Status.DONE)
    field = "json_content" if fmt == "json" else "pdf_content"
    content = RegisterExtract.objects.filter(pk=pk).values_list(field, flat=True).get()
    return extract, bytes(content or b"")
