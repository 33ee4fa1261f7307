"""The participation summary (:class:`~.models.Participation`, ADR 0006), kept current in the
same transaction as attendance, as the gap summary is.

One row per person, scope and placement: the scope is "all attendance" (``initiative`` empty)
or one initiative (its modules, within its period); the placement is the unit and role the
person had on the days it took part. Distinct participants of a scope are then the distinct
people among a few rows per person, whatever the number of attendance rows behind them.

* :func:`refresh_people` rewrites the rows of some people (after a register, an import);
* :func:`refresh_initiative` rewrites one initiative's rows (its modules or period changed);
* :func:`rebuild` rewrites an organisation's rows from its attendance (the command
  ``kompetenslyft participation rebuild``); incremental refreshes and a rebuild give the same
  rows (a test holds them equal).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum

from kompetenslyft.core.db import analyse

from .models import Attendance, Initiative, Participation, ParticipationFormat, ParticipationState

COUNTED = (Attendance.Status.ATTENDED, Attendance.Status.COMPLETED)
CHUNK = 2000


def gender_code(gender: str | None) -> str:
    """The three groups of formats.md: woman, man, other (other or unspecified)."""
    return gender if gender in ("woman", "man") else "other"


def state_changed(organisation_id: int) -> None:
    """Raise the version (inside the caller's transaction)."""
    updated = ParticipationState.objects.filter(organisation_id=organisation_id).update(
        version=F("version") + 1
    )
    if not updated:
        ParticipationState.objects.get_or_create(organisation_id=organisation_id, defaults={"version": 1})


def version(organisation_id: int) -> tuple[str, int]:
    found = (
        ParticipationState.objects.filter(organisation_id=organisation_id)
        .values_list("epoch", "version")
        .first()
    )
    return (str(found[0]), int(found[1])) if found is not None else ("", 0)


# Raised when the rows an initiative's scope holds change shape (2: the per-format rows; 3: the
# completed count), so that every initiative's rows are rewritten on their next read.
SHAPE = 3


def fingerprint(initiative: Initiative) -> list[Any]:
    """What an initiative's rows were made for: its modules (and their formats) and period (and
    the rows' shape). Lists, not tuples: it is compared with what JSON gave back."""
    modules = sorted([m.pk, m.format] for m in initiative.modules.all())
    return [modules, str(initiative.starts_on or ""), str(initiative.ends_on or ""), SHAPE]


def _remember(organisation_id: int, made: dict[str, list[Any]], *, replace: bool = False) -> None:
    state, _created = ParticipationState.objects.select_for_update().get_or_create(
        organisation_id=organisation_id
    )
    state.scopes = made if replace else {**state.scopes, **made}
    state.save(update_fields=["scopes"])


def ensure_current(initiative: Initiative) -> None:
    """Rewrite the initiative's rows if its modules or period changed since they were made (an
    edit anywhere — a service, the admin — is caught on the next read)."""
    found = (
        ParticipationState.objects.filter(organisation_id=initiative.organisation_id)
        .values_list("scopes", flat=True)
        .first()
    )
    if (found or {}).get(str(initiative.pk)) != fingerprint(initiative):
        refresh_initiative(initiative)


def _scopes(organisation_id: int, initiatives: Sequence[Initiative] | None = None) -> list[tuple[Any, Q]]:
    """(initiative or None, the attendance filter of its scope)."""
    scopes: list[tuple[Any, Q]] = [(None, Q())]
    chosen = (
        initiatives
        if initiatives is not None
        else list(Initiative.objects.filter(organisation_id=organisation_id).prefetch_related("modules"))
    )
    for initiative in chosen:
        where = Q(module_id__in=[m.pk for m in initiative.modules.all()])
        if initiative.starts_on:
            where &= Q(date__gte=initiative.starts_on)
        if initiative.ends_on:
            where &= Q(date__lte=initiative.ends_on)
        scopes.append((initiative, where))
    return scopes


def _rows(organisation_id: int, people: Q, scopes: Iterable[tuple[Any, Q]]) -> list[Participation]:
    base = Attendance.objects.filter(people, status__in=COUNTED, person__organisation_id=organisation_id)
    made = []
    for initiative, where in scopes:
        grouped = (
            base.filter(where)
            .values("person_id", "unit_id", "role_id", "person__gender")
            .annotate(
                first=Min("date"),
                last=Max("date"),
                hours=Sum("hours"),
                n=Count("pk"),
                done=Count("pk", filter=Q(status=Attendance.Status.COMPLETED)),
            )
            .order_by()
        )
        for row in grouped:
            made.append(
                Participation(
                    organisation_id=organisation_id,
                    person_id=row["person_id"],
                    initiative=initiative,
                    unit_id=row["unit_id"],
                    role_id=row["role_id"],
                    gender=gender_code(row["person__gender"]),
                    first_on=row["first"],
                    last_on=row["last"],
                    hours=row["hours"] or 0,
                    rows=row["n"],
                    completed=row["done"],
                )
            )
    return made


def _format_rows(
    organisation_id: int, people: Q, scopes: Iterable[tuple[Any, Q]]
) -> list[ParticipationFormat]:
    """The initiatives' rows per person, role on the day and module format."""
    base = Attendance.objects.filter(people, status__in=COUNTED, person__organisation_id=organisation_id)
    made = []
    for initiative, where in scopes:
        if initiative is None:
            continue
        for person_id, role_id, fmt, hours, n in (
            base.filter(where)
            .values("person_id", "role_id", "module__format")
            .annotate(hours=Sum("hours"), n=Count("pk"))
            .values_list("person_id", "role_id", "module__format", "hours", "n")
            .order_by()
        ):
            made.append(
                ParticipationFormat(
                    organisation_id=organisation_id,
                    initiative=initiative,
                    person_id=person_id,
                    role_id=role_id,
                    format=fmt,
                    hours=hours or 0,
                    rows=n,
                )
            )
    return made


@transaction.atomic
def refresh_people(organisation_id: int, person_ids: Iterable[int]) -> int:
    """Rewrite every scope's rows of these people from their attendance. Returns the rows
    written."""
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    scopes = _scopes(organisation_id)
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        Participation.objects.filter(organisation_id=organisation_id, person_id__in=chunk).delete()
        ParticipationFormat.objects.filter(organisation_id=organisation_id, person_id__in=chunk).delete()
        rows = _rows(organisation_id, Q(person_id__in=chunk), scopes)
        Participation.objects.bulk_create(rows, batch_size=2000)
        ParticipationFormat.objects.bulk_create(
            _format_rows(organisation_id, Q(person_id__in=chunk), scopes), batch_size=2000
        )
        written += len(rows)
    state_changed(organisation_id)
    if len(ids) > CHUNK:
        analyse(Participation, ParticipationFormat)
    return written


@transaction.atomic
def refresh_initiative(initiative: Initiative) -> int:
    """Rewrite one initiative's rows (its modules or period changed)."""
    Participation.objects.filter(initiative=initiative)._raw_delete(Participation.objects.db)
    ParticipationFormat.objects.filter(initiative=initiative)._raw_delete(ParticipationFormat.objects.db)
    scopes = _scopes(initiative.organisation_id, [initiative])[1:]
    rows = _rows(initiative.organisation_id, Q(), scopes)
    Participation.objects.bulk_create(rows, batch_size=2000)
    ParticipationFormat.objects.bulk_create(
        _format_rows(initiative.organisation_id, Q(), scopes), batch_size=2000
    )
    _remember(initiative.organisation_id, {str(initiative.pk): fingerprint(initiative)})
    state_changed(initiative.organisation_id)
    return len(rows)


@transaction.atomic
def rebuild(organisation: Any) -> int:
    """Rewrite the organisation's whole summary from its attendance."""
    Participation.objects.filter(organisation=organisation)._raw_delete(Participation.objects.db)
    ParticipationFormat.objects.filter(organisation=organisation)._raw_delete(ParticipationFormat.objects.db)
    scopes = _scopes(organisation.pk)
    rows = _rows(organisation.pk, Q(), scopes)
    Participation.objects.bulk_create(rows, batch_size=2000)
    ParticipationFormat.objects.bulk_create(_format_rows(organisation.pk, Q(), scopes), batch_size=2000)
    _remember(
        organisation.pk,
        {str(i.pk): fingerprint(i) for i, _where in scopes if i is not None},
        replace=True,
    )
    state_changed(organisation.pk)
    analyse(Participation, ParticipationFormat)
    return len(rows)


@transaction.atomic
def genders_changed(organisation: Any) -> None:
    """People were imported: their gender (the summary keeps the current one) may have changed."""
    from kompetenslyft.org.models import Person

    changed = 0
    for gender, code in (("woman", "woman"), ("man", "man")):
        changed += (
            Participation.objects.filter(organisation=organisation)
            .exclude(gender=code)
            .filter(person__in=Person.objects.filter(organisation=organisation, gender=gender))
            .update(gender=code)
        )
    changed += (
        Participation.objects.filter(organisation=organisation)
        .exclude(gender="other")
        .exclude(person__in=Person.objects.filter(organisation=organisation, gender__in=("woman", "man")))
        .update(gender="other")
    )
    if changed:
        state_changed(organisation.pk)


def format_rows(organisation_id: int) -> list[tuple[Any, ...]]:
    """Every per-format row, in a stable order (tests compare refreshes with a rebuild)."""
    return sorted(
        ParticipationFormat.objects.filter(organisation_id=organisation_id).values_list(
            "person_id", "initiative_id", "role_id", "format", "hours", "rows"
        ),
        key=lambda r: tuple(-1 if v is None else v for v in r[:4]),
    )


def summary_rows(organisation_id: int) -> list[tuple[Any, ...]]:
    """Every row, in a stable order (tests compare refreshes with a rebuild)."""
    return sorted(
        Participation.objects.filter(organisation_id=organisation_id).values_list(
            "person_id",
            "initiative_id",
            "unit_id",
            "role_id",
            "gender",
            "first_on",
            "last_on",
            "hours",
            "rows",
            "completed",
        ),
        key=lambda r: tuple(-1 if v is None else v for v in r[:4]),
    )
