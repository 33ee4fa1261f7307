"""The people import (``shared/formats.md``): people, their placements (unit and role on a
day) and who leaves; registered with the units import in :mod:`.imports`."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.db import analyse
from kompetenslyft.core.importing import (
    BATCH,
    SAMPLE_SIZE,
    ImportResult,
)
from kompetenslyft.core.tabular import Table

from .models import Organisation, Person, Placement, Role, Unit

GENDERS = {
    "woman": "woman",
    "kvinna": "woman",
    "k": "woman",
    "kvinne": "woman",
    "f": "woman",
    "man": "man",
    "m": "man",
    "mann": "man",
    "other": "other",
    "annat": "other",
    "annen": "other",
    "annet": "other",
    "": "",
}
LANGUAGES = {"sv": "sv", "nb": "nb", "no": "nb", "en": "en", "": ""}
# An import that would deactivate more than 1/MASS_DEACTIVATION_DIVISOR of the active people is
# refused unless explicitly allowed (the web preview asks for a tick, the CLI for a flag).
MASS_DEACTIVATION_DIVISOR = 5


PERSON_FIELDS = ("given_name", "family_name", "email", "gender", "language", "start_date")


class _PersonValues:
    """One checked row of a people file (slots: a file of 200,000 people stays small)."""

    __slots__ = (
        "row",
        "given_name",
        "family_name",
        "role",
        "unit_id",
        "email",
        "gender",
        "language",
        "start_date",
        "role_id",
    )

    def __init__(self, row: int) -> None:
        self.row = row

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        setattr(self, key, value)


def _parse_date(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y%m%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def import_people(
    table: Table,
    organisation: Organisation,
    actor: Any,
    result: ImportResult,
    *,
    keep_missing: bool,
    allow_deactivation: bool,
) -> None:
    today = timezone.localdate()
    units = dict(Unit.objects.filter(organisation=organisation).values_list("unit_id", "pk"))
    unit_names = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "name"))
    roles = {r.name.casefold(): r for r in Role.objects.filter(organisation=organisation)}
    parsed: dict[str, _PersonValues] = {}
    first_row: dict[str, int] = {}
    for number, data in table.rows:
        employee_id = data["employee_id"]
        values = _PersonValues(number)
        if not employee_id:
            result.error(number, "employee_id", _("is empty"))
        elif len(employee_id) > 64:
            result.error(number, "employee_id", _("is longer than 64 characters"))
        elif employee_id in first_row:
            result.error(
                number,
                "employee_id",
                _("'%(value)s' appears again (first in row %(first)s)")
                % {"value": employee_id, "first": first_row[employee_id]},
            )
        else:
            first_row[employee_id] = number
        for column in ("given_name", "family_name", "role"):
            value = data[column]
            if not value:
                result.error(number, column, _("is empty"))
            elif len(value) > (200 if column == "role" else 150):
                result.error(number, column, _("is too long"))
            values[column] = sys.intern(value)  # names and roles repeat: keep one copy of each
        unit_id = data["unit_id"]
        if not unit_id:
            result.error(number, "unit_id", _("is empty"))
        elif unit_id not in units:
            result.error(
                number,
                "unit_id",
                _("'%(value)s' is not a unit of the organisation (import the units first)")
                % {"value": unit_id},
            )
        values["unit_id"] = units.get(unit_id)
        email = data.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                result.error(number, "email", _("'%(value)s' is not an e-mail address") % {"value": email})
        values["email"] = email.lower()
        gender = data.get("gender", "")
        if gender.casefold() not in GENDERS:
            result.error(
                number,
                "gender",
                _("'%(value)s' is not one of woman, man, other or empty") % {"value": gender},
            )
        values["gender"] = GENDERS.get(gender.casefold(), "")
        language = data.get("language", "")
        if language.casefold() not in LANGUAGES:
            result.error(
                number, "language", _("'%(value)s' is not one of sv, nb, en or empty") % {"value": language}
            )
        values["language"] = LANGUAGES.get(language.casefold(), "")
        start = data.get("start_date", "")
        values["start_date"] = None
        if start:
            values["start_date"] = _parse_date(start)
            if values["start_date"] is None:
                result.error(
                    number, "start_date", _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": start}
                )
        if employee_id and first_row.get(employee_id) == number:  # a repeat is named above
            parsed[employee_id] = values
    if result.errors:
        return

    new_roles = []
    for values in parsed.values():
        key = values["role"].casefold()
        if key not in roles:
            roles[key] = Role(organisation=organisation, name=values["role"])
            new_roles.append(roles[key])
    if new_roles:
        Role.objects.bulk_create(new_roles)
        if any(r.pk is None for r in new_roles):
            roles = {r.name.casefold(): r for r in Role.objects.filter(organisation=organisation)}
        result.counts["roles_created"] = len(new_roles)
        result.samples["roles_created"] = [r.name for r in new_roles][:SAMPLE_SIZE]
    role_names = {r.pk: r.name for r in roles.values()}
    for values in parsed.values():
        values["role_id"] = roles[values["role"].casefold()].pk

    existing = {
        p["employee_id"]: p
        for p in Person.objects.filter(organisation=organisation).values(
            "pk", "employee_id", *PERSON_FIELDS, "unit_id", "role_id", "is_active", "user_id"
        )
    }
    events: list[AuditEvent] = []
    to_create: list[str] = []  # employee ids; the Person rows are built chunk by chunk
    to_update: list[Person] = []
    update_fields: set[str] = set()
    moved_ids: list[int] = []
    reactivated_ids: list[int] = []
    deactivated_ids: list[int] = []
    user_active: dict[int, bool] = {}

    def where(unit_id: int, role_id: int) -> str:
        return f"{unit_names.get(unit_id, '?')} / {role_names.get(role_id, '?')}"

    for employee_id, values in parsed.items():
        old = existing.get(employee_id)
        label = f"{employee_id} {values['given_name']} {values['family_name']}"
        if old is None:
            to_create.append(employee_id)
            result.count("new", f"{label} ({where(values['unit_id'], values['role_id'])})")
            events.append(
                AuditEvent(
                    "person.created",
                    "person",
                    employee_id,
                    label,
                    {f: values[f] for f in (*PERSON_FIELDS, "unit_id", "role")},
                )
            )
            if len(events) >= BATCH:  # the audit log is written as it goes, not held
                audit_record_many(actor=actor, organisation=organisation, events=events)
                events.clear()
            continue
        changes: dict[str, list[Any]] = {f: [old[f], values[f]] for f in PERSON_FIELDS if old[f] != values[f]}
        moved = old["unit_id"] != values["unit_id"] or old["role_id"] != values["role_id"]
        if moved:
            changes["placement"] = [
                where(old["unit_id"], old["role_id"]),
                where(values["unit_id"], values["role_id"]),
            ]
        reactivated = not old["is_active"]
        if not changes and not reactivated:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1
            continue
        person = Person(
            pk=old["pk"],
            organisation=organisation,
            employee_id=employee_id,
            unit_id=values["unit_id"],
            role_id=values["role_id"],
            is_active=True,
            deactivated_on=None,
            **{f: values[f] for f in PERSON_FIELDS},
        )
        to_update.append(person)
        update_fields.update(f for f in changes if f != "placement")
        description = (
            label + ": " + "; ".join(f"{k} {v[0] or '–'} → {v[1] or '–'}" for k, v in changes.items())
        )
        if reactivated:
            update_fields.update({"is_active", "deactivated_on", "unit", "role"})
            reactivated_ids.append(old["pk"])
            if old["user_id"]:
                user_active[old["user_id"]] = True
            result.count("reactivated", description if changes else label)
            events.append(AuditEvent("person.reactivated", "person", employee_id, label, changes))
        elif moved:
            update_fields.update({"unit", "role"})
            moved_ids.append(old["pk"])
            result.count("moved", description)
            events.append(AuditEvent("person.moved", "person", employee_id, label, changes))
        else:
            result.count("changed", description)
            events.append(AuditEvent("person.changed", "person", employee_id, label, changes))

    if not keep_missing:
        for employee_id, old in existing.items():
            if old["is_active"] and employee_id not in parsed:
                label = f"{employee_id} {old['given_name']} {old['family_name']}"
                to_update.append(
                    Person(
                        pk=old["pk"],
                        is_active=False,
                        deactivated_on=today,
                        **{f: old[f] for f in PERSON_FIELDS},
                        unit_id=old["unit_id"],
                        role_id=old["role_id"],
                    )
                )
                update_fields.update({"is_active", "deactivated_on"})
                deactivated_ids.append(old["pk"])
                if old["user_id"]:
                    user_active[old["user_id"]] = False
                result.count("deactivated", label)
                events.append(AuditEvent("person.deactivated", "person", employee_id, label))

    active = sum(1 for old in existing.values() if old["is_active"])
    if deactivated_ids and len(deactivated_ids) * MASS_DEACTIVATION_DIVISOR > active:
        result.notices["mass_deactivation"] = {"count": len(deactivated_ids), "active": active}
        if not allow_deactivation:
            result.error(
                0,
                "",
                _(
                    "The file would deactivate %(count)s of the %(active)s active people (more than a "
                    "fifth): refused unless the deactivation is explicitly allowed."
                )
                % {"count": len(deactivated_ids), "active": active},
            )
            return

    # New people in chunks, each with its placement, so that memory does not grow with the file.
    for offset in range(0, len(to_create), BATCH):
        chunk = [
            Person(
                organisation=organisation,
                employee_id=employee_id,
                unit_id=parsed[employee_id]["unit_id"],
                role_id=parsed[employee_id]["role_id"],
                **{f: parsed[employee_id][f] for f in PERSON_FIELDS},
            )
            for employee_id in to_create[offset : offset + BATCH]
        ]
        Person.objects.bulk_create(chunk, batch_size=BATCH)
        if any(p.pk is None for p in chunk):  # databases that return no keys from bulk inserts
            pks = dict(
                Person.objects.filter(
                    organisation=organisation, employee_id__in=[p.employee_id for p in chunk]
                ).values_list("employee_id", "pk")
            )
            for p in chunk:
                p.pk = pks[p.employee_id]
        Placement.objects.bulk_create(
            [
                Placement(
                    person_id=p.pk,
                    unit_id=p.unit_id,
                    role_id=p.role_id,
                    valid_from=min(p.start_date, today) if p.start_date else today,
                )
                for p in chunk
            ],
            batch_size=BATCH,
        )
    if to_update:
        Person.objects.bulk_update(to_update, sorted(update_fields), batch_size=BATCH)

    # History: one open placement per active person.
    current = {p.pk: p for p in to_update}
    yesterday = today - dt.timedelta(days=1)
    closing = list(
        Placement.objects.filter(
            person_id__in=moved_ids + deactivated_ids + reactivated_ids, valid_to__isnull=True
        )
    )
    closed: list[Placement] = []
    corrected: list[Placement] = []
    for placement in closing:
        person = current[placement.person_id]
        if placement.person_id in deactivated_ids or placement.valid_from < today:
            placement.valid_to = max(placement.valid_from, yesterday)
            closed.append(placement)
        else:  # moved again on the day it started: correct that day's placement
            placement.unit_id, placement.role_id = person.unit_id, person.role_id
            corrected.append(placement)
    Placement.objects.bulk_update(closed, ["valid_to"], batch_size=BATCH)
    Placement.objects.bulk_update(corrected, ["unit", "role"], batch_size=BATCH)
    corrected_ids = {p.person_id for p in corrected}
    Placement.objects.bulk_create(
        [
            Placement(
                person_id=pk, unit_id=current[pk].unit_id, role_id=current[pk].role_id, valid_from=today
            )
            for pk in moved_ids + reactivated_ids
            if pk not in corrected_ids
        ],
        batch_size=BATCH,
    )

    if user_active:
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        for active in (True, False):
            ids = [uid for uid, a in user_active.items() if a is active]
            if ids:
                user_model.objects.filter(pk__in=ids).update(is_active=active)

    _resolve_managers(organisation)
    if to_create or to_update:
        analyse(Person, Placement, Role, Unit)
    if events:
        audit_record_many(actor=actor, organisation=organisation, events=events)


def _resolve_managers(organisation: Organisation) -> None:
    """Point every unit at the person its manager_employee_id names, once that person exists."""
    people = dict(Person.objects.filter(organisation=organisation).values_list("employee_id", "pk"))
    dirty = []
    for unit in Unit.objects.filter(organisation=organisation).only(
        "pk", "manager_id", "manager_employee_id"
    ):
        manager_id = people.get(unit.manager_employee_id) if unit.manager_employee_id else None
        if unit.manager_id != manager_id:
            unit.manager_id = manager_id
            dirty.append(unit)
    Unit.objects.bulk_update(dirty, ["manager"], batch_size=BATCH)
