"""The modules and attendance imports of formats.md."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetenslyft.competence.imports import competence_for_row
from kompetenslyft.competence.selectors import competence_codes
from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.db import analyse
from kompetenslyft.core.importing import ImportResult, register
from kompetenslyft.core.tabular import Table
from kompetenslyft.lrs import emit
from kompetenslyft.org.models import Person, Placement, Role
from kompetenslyft.search.services import index_modules

from . import participation
from .models import Attendance, Module
from .module_rules import check_module_fields, cycle_message, find_cycle, parse_hours

STATUSES = {"": "attended", "attended": "attended", "completed": "completed", "no_show": "no_show"}


def parse_day(value: str) -> dt.date | None:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def modules_by_code(organisation: Any) -> dict[str, Module]:
    """The modules the organisation uses, by code: its own, the network's and those it adopted
    from another organisation (its own win)."""
    modules = {m.code.casefold(): m for m in Module.objects.filter(organisation__isnull=True)}
    modules.update(
        {m.code.casefold(): m for m in Module.objects.filter(adoptions__organisation=organisation)}
    )
    modules.update({m.code.casefold(): m for m in Module.objects.filter(organisation=organisation)})
    return modules


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ";").split(";") if part.strip()]


def _import_modules(
    table: Table, organisation: Any, actor: Any, result: ImportResult, **_options: Any
) -> None:
    index = competence_codes(organisation)
    roles = {r.name.casefold(): r for r in Role.objects.filter(organisation=organisation)}
    usable = modules_by_code(organisation)  # prerequisites may be any module the organisation uses
    seen: dict[str, int] = {}
    wanted: list[dict[str, Any]] = []
    for number, data in table.rows:
        code = data["module_code"]
        if code and code.casefold() in seen:
            result.error(
                number,
                "module_code",
                _("'%(value)s' appears again (first in row %(first)s)")
                % {"value": code, "first": seen[code.casefold()]},
            )
        clean, problems = check_module_fields(data)
        for column, message in problems:
            result.error(number, column, message)
        competence_ids = []
        for part in _split(data.get("competence_codes", "")):
            competence_id = competence_for_row(index, part, number, result)
            if competence_id is not None:
                competence_ids.append(competence_id)
        role_ids = []
        for part in _split(data.get("mandatory_roles", "")):
            role = roles.get(part.casefold())
            if role is None:
                result.error(
                    number,
                    "mandatory_roles",
                    _("'%(value)s' is not a role of the organisation") % {"value": part},
                )
            else:
                role_ids.append(role.pk)
        prerequisites = [part.casefold() for part in _split(data.get("prerequisites", ""))]
        if code and code.casefold() not in seen:  # a repeat is named above; its other cells too
            seen[code.casefold()] = number
            wanted.append(
                {
                    **clean,
                    "number": number,
                    "competences": sorted(set(competence_ids)),
                    "roles": sorted(set(role_ids)),
                    "prerequisites": prerequisites,
                }
            )
    for row in wanted:
        for part in row["prerequisites"]:
            if part not in usable and part not in seen:
                result.error(
                    row["number"], "prerequisites", _("'%(value)s' is not a known module") % {"value": part}
                )
            elif part == row["code"].casefold():
                result.error(row["number"], "prerequisites", _("a module cannot be its own prerequisite"))
    has_prerequisites = "prerequisites" in table.columns
    if has_prerequisites and not result.errors:
        edges = prerequisite_codes([m.pk for m in usable.values()])
        edges.update({row["code"].casefold(): set(row["prerequisites"]) for row in wanted})
        cycle = find_cycle(edges)
        if cycle:
            result.error(seen.get(cycle[0], 0), "prerequisites", cycle_message(cycle))
    if result.errors:
        return
    # A column left out of the file leaves those links as they are.
    has_competences, has_roles = "competence_codes" in table.columns, "mandatory_roles" in table.columns
    existing = {
        m.code.casefold(): m
        for m in Module.objects.filter(organisation=organisation).prefetch_related(
            "competences", "mandatory_roles", "prerequisites"
        )
    }
    events = []
    saved: dict[str, Module] = {}
    touched: list[Module] = []
    for row in wanted:
        module = existing.get(row["code"].casefold())
        fields = {k: row[k] for k in ("name", "category", "level", "format", "hours")}
        # Optional columns change the module only when the file has them.
        fields.update(
            {k: row[k] for k in ("description", "pre_material", "refresh_months") if k in table.columns}
        )
        if module is None:
            module = Module.objects.create(organisation=organisation, code=row["code"], **fields)
            touched.append(module)
            module.competences.set(row["competences"])
            module.mandatory_roles.set(row["roles"])
            saved[row["code"].casefold()] = module
            result.count("new", f"{row['code']} {row['name']}")
            events.append(AuditEvent("module.created", "module", row["code"], row["name"]))
            continue
        saved[row["code"].casefold()] = module
        changes = {k: [str(getattr(module, k)), str(v)] for k, v in fields.items() if getattr(module, k) != v}
        if changes:
            for key, value in fields.items():
                setattr(module, key, value)
            module.save()
            touched.append(module)
        if has_competences and sorted(c.pk for c in module.competences.all()) != row["competences"]:
            module.competences.set(row["competences"])
            changes["competence_codes"] = ["", ""]
        if has_roles and sorted(r.pk for r in module.mandatory_roles.all()) != row["roles"]:
            module.mandatory_roles.set(row["roles"])
            changes["mandatory_roles"] = ["", ""]
        if has_prerequisites and sorted(p.code.casefold() for p in module.prerequisites.all()) != sorted(
            set(row["prerequisites"])
        ):
            changes["prerequisites"] = [
                "; ".join(sorted(p.code for p in module.prerequisites.all())),
                "; ".join(sorted(set(row["prerequisites"]))),
            ]
        if changes:
            result.count("changed", f"{row['code']}: " + ", ".join(changes))
            events.append(AuditEvent("module.changed", "module", row["code"], row["name"], changes))
        else:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1
    if has_prerequisites:
        usable.update(saved)
        for row in wanted:
            saved[row["code"].casefold()].prerequisites.set([usable[p] for p in set(row["prerequisites"])])
    index_modules(touched)
    audit_record_many(actor=actor, organisation=organisation, events=events)


def prerequisite_codes(module_ids: list[int]) -> dict[str, set[str]]:
    """The prerequisites of these modules, by case-folded code."""
    edges: dict[str, set[str]] = {}
    for code, before in Module.objects.filter(pk__in=module_ids).values_list("code", "prerequisites__code"):
        edges.setdefault(code.casefold(), set())
        if before:
            edges[code.casefold()].add(before.casefold())
    return edges


def unit_on(
    placements: dict[int, list[tuple[dt.date, dt.date | None, int]]],
    person_id: int,
    day: dt.date,
    current: int,
) -> int:
    for valid_from, valid_to, unit_id in placements.get(person_id, []):
        if valid_from <= day and (valid_to is None or valid_to >= day):
            return unit_id
    return current


def _import_attendance(
    table: Table, organisation: Any, actor: Any, result: ImportResult, **_options: Any
) -> None:
    people = {
        p["employee_id"]: p
        for p in Person.objects.filter(organisation=organisation).values(
            "pk", "employee_id", "unit_id", "role_id"
        )
    }
    modules = modules_by_code(organisation)
    seen: dict[tuple[int, int, dt.date], int] = {}
    wanted: dict[tuple[int, int, dt.date], tuple[Decimal, str]] = {}
    for number, data in table.rows:
        person = people.get(data["employee_id"])
        if not data["employee_id"]:
            result.error(number, "employee_id", _("is empty"))
        elif person is None:
            result.error(
                number,
                "employee_id",
                _("'%(value)s' is not a person of the organisation") % {"value": data["employee_id"]},
            )
        module = modules.get(data["module_code"].casefold()) if data["module_code"] else None
        if not data["module_code"]:
            result.error(number, "module_code", _("is empty"))
        elif module is None:
            result.error(
                number,
                "module_code",
                _("'%(value)s' is not a module (import or create it first)") % {"value": data["module_code"]},
            )
        day = parse_day(data["date"]) if data["date"] else None
        if day is None:
            result.error(
                number, "date", _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": data["date"]}
            )
        hours = parse_hours(data["hours"])
        if hours is None:
            result.error(
                number, "hours", _("'%(value)s' is not a number of hours") % {"value": data["hours"]}
            )
        status = STATUSES.get(data.get("status", "").strip().casefold())
        if status is None:
            result.error(
                number,
                "status",
                _("'%(value)s' is not one of attended, completed, no_show")
                % {"value": data.get("status", "")},
            )
        if person is None or module is None or day is None or hours is None or status is None:
            continue
        key = (person["pk"], module.pk, day)
        if result.first_time(
            seen,
            key,
            number,
            "date",
            _("the same person, module and date appear again (first in row %(first)s)"),
        ):
            wanted[key] = (hours, status)
    if result.errors:
        return
    person_ids = {k[0] for k in wanted}
    placements: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}
    role_placements: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}
    for person_id, valid_from, valid_to, unit_id, role_id in Placement.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "valid_from", "valid_to", "unit_id", "role_id"):
        placements.setdefault(person_id, []).append((valid_from, valid_to, unit_id))
        role_placements.setdefault(person_id, []).append((valid_from, valid_to, role_id))
    current_unit = {p["pk"]: p["unit_id"] for p in people.values()}
    current_role = {p["pk"]: p["role_id"] for p in people.values()}
    existing = {
        (a.person_id, a.module_id, a.date): a
        for a in Attendance.objects.filter(
            Q(person_id__in=person_ids) & Q(module_id__in={k[1] for k in wanted})
        )
    }
    to_create, to_update = [], []
    for key, (hours, status) in wanted.items():
        row = existing.get(key)
        if row is None:
            to_create.append(
                Attendance(
                    person_id=key[0],
                    module_id=key[1],
                    date=key[2],
                    hours=hours,
                    status=status,
                    source="import",
                    unit_id=unit_on(placements, key[0], key[2], current_unit[key[0]]),
                    role_id=unit_on(role_placements, key[0], key[2], current_role[key[0]]),
                )
            )
            result.counts["new"] = result.counts.get("new", 0) + 1
        elif (row.hours, row.status) != (hours, status):
            row.hours, row.status = hours, status
            to_update.append(row)
            result.counts["changed"] = result.counts.get("changed", 0) + 1
        else:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1
    Attendance.objects.bulk_create(to_create, batch_size=2000)
    Attendance.objects.bulk_update(to_update, ["hours", "status"], batch_size=2000)
    if to_create or to_update:
        employee_ids = {p["pk"]: p["employee_id"] for p in people.values()}
        by_pk = {m.pk: m for m in modules.values()}
        emit.imported(
            organisation.pk,
            [
                (employee_ids[a.person_id], by_pk[a.module_id], a.date, a.hours, a.status)
                for a in [*to_create, *to_update]
            ],
        )
        participation.refresh_people(organisation.pk, {a.person_id for a in [*to_create, *to_update]})
        analyse(Attendance)
        audit_record_many(
            actor=actor,
            organisation=organisation,
            events=[
                AuditEvent(
                    "attendance.imported",
                    "organisation",
                    organisation.code,
                    organisation.name,
                    {"new": len(to_create), "changed": len(to_update)},
                )
            ],
        )


register(
    "modules",
    required=("module_code", "name", "category", "level", "format", "hours"),
    optional=(
        "competence_codes",
        "mandatory_roles",
        "description",
        "pre_material",
        "prerequisites",
        "refresh_months",
    ),
    handler=_import_modules,
    label=gettext_lazy("Modules (module_code, name, category, level, format, hours, …)"),  # type: ignore[arg-type]
)
register(
    "attendance",
    required=("employee_id", "module_code", "date", "hours"),
    optional=("status",),
    handler=_import_attendance,
    label=gettext_lazy("Attendance (employee_id, module_code, date, hours, status)"),  # type: ignore[arg-type]
)
