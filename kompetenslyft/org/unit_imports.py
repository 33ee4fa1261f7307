"""The units import (``shared/formats.md``): the unit tree of an organisation, all or nothing;
registered with the people import in :mod:`.imports`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.db import analyse
from kompetenslyft.core.importing import (
    BATCH,
    ImportResult,
)
from kompetenslyft.core.tabular import Table

from .models import Organisation, Person, Unit


@dataclass
class _UnitRow:
    row: int
    unit_id: str
    name: str
    parent_id: str
    manager_employee_id: str


def import_units(table: Table, organisation: Organisation, actor: Any, result: ImportResult) -> None:
    existing = {u.unit_id: u for u in Unit.objects.filter(organisation=organisation)}
    by_pk = {u.pk: u for u in existing.values()}
    rows: dict[str, _UnitRow] = {}
    for number, data in table.rows:
        unit_id, name = data["unit_id"], data["name"]
        parent_id = data.get("parent_id", "")
        manager = data.get("manager_employee_id", "")
        if not unit_id:
            result.error(number, "unit_id", _("is empty"))
        elif len(unit_id) > 64:
            result.error(number, "unit_id", _("is longer than 64 characters"))
        elif unit_id in rows:
            result.error(
                number,
                "unit_id",
                _("'%(value)s' appears again (first in row %(first)s)")
                % {"value": unit_id, "first": rows[unit_id].row},
            )
        if not name:
            result.error(number, "name", _("is empty"))
        elif len(name) > 200:
            result.error(number, "name", _("is longer than 200 characters"))
        if len(manager) > 64:
            result.error(number, "manager_employee_id", _("is longer than 64 characters"))
        if parent_id and parent_id == unit_id:
            result.error(number, "parent_id", _("a unit cannot be its own parent"))
        if unit_id and unit_id not in rows:  # a repeat is named above; the first row counts
            rows[unit_id] = _UnitRow(number, unit_id, name, parent_id, manager)

    for r in rows.values():
        if (
            r.parent_id
            and r.parent_id != r.unit_id
            and r.parent_id not in rows
            and r.parent_id not in existing
        ):
            result.error(
                r.row,
                "parent_id",
                _("'%(value)s' is neither a unit in the file nor an existing unit") % {"value": r.parent_id},
            )
    if result.errors:
        return

    # The tree after the import: existing parents, overridden by the file. No cycles allowed.
    parent_of: dict[str, str] = {
        u.unit_id: (by_pk[u.parent_id].unit_id if u.parent_id else "") for u in existing.values()
    }
    parent_of.update({r.unit_id: r.parent_id for r in rows.values()})
    for r in rows.values():
        seen = [r.unit_id]
        current = parent_of.get(r.unit_id, "")
        while current:
            if current in seen:
                chain = " → ".join([*seen, current])
                result.error(r.row, "parent_id", _("makes a cycle: %(chain)s") % {"chain": chain})
                break
            seen.append(current)
            current = parent_of.get(current, "")
    if result.errors:
        return

    managers = dict(
        Person.objects.filter(
            organisation=organisation,
            employee_id__in={r.manager_employee_id for r in rows.values() if r.manager_employee_id},
        ).values_list("employee_id", "pk")
    )
    events: list[AuditEvent] = []
    new_units = [
        Unit(
            organisation=organisation,
            unit_id=r.unit_id,
            name=r.name,
            manager_employee_id=r.manager_employee_id,
            manager_id=managers.get(r.manager_employee_id),
        )
        for r in rows.values()
        if r.unit_id not in existing
    ]
    Unit.objects.bulk_create(new_units, batch_size=BATCH)
    for unit in new_units:
        result.count("new", f"{unit.unit_id} {unit.name}")
        events.append(AuditEvent("unit.created", "unit", unit.unit_id, unit.name))
    units = {**existing, **{u.unit_id: u for u in new_units}}
    if any(u.pk is None for u in new_units):  # databases that return no keys from bulk inserts
        units = {u.unit_id: u for u in Unit.objects.filter(organisation=organisation)}

    dirty: dict[str, set[str]] = {}
    for r in rows.values():
        unit = units[r.unit_id]
        if r.unit_id not in existing:
            unit.parent_id = units[r.parent_id].pk if r.parent_id else None
            dirty.setdefault(r.unit_id, set()).add("parent")
            continue
        changes: dict[str, list[str]] = {}
        if unit.name != r.name:
            changes["name"] = [unit.name, r.name]
            unit.name = r.name
        new_parent = units[r.parent_id].pk if r.parent_id else None
        if unit.parent_id != new_parent:
            changes["parent_id"] = [parent_of_existing(unit, by_pk), r.parent_id]
            unit.parent_id = new_parent
        if unit.manager_employee_id != r.manager_employee_id:
            changes["manager_employee_id"] = [unit.manager_employee_id, r.manager_employee_id]
            unit.manager_employee_id = r.manager_employee_id
        manager_id = managers.get(r.manager_employee_id)
        if unit.manager_id != manager_id:
            unit.manager_id = manager_id
            dirty.setdefault(r.unit_id, set()).add("manager")
        if changes:
            dirty.setdefault(r.unit_id, set()).update({"name", "parent", "manager_employee_id"})
            category = "moved" if "parent_id" in changes else "changed"
            result.count(
                category,
                f"{r.unit_id} {r.name}: "
                + ", ".join(f"{k} {v[0] or '–'} → {v[1] or '–'}" for k, v in changes.items()),
            )
            events.append(AuditEvent(f"unit.{category}", "unit", r.unit_id, r.name, changes))
        elif r.unit_id not in dirty:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1

    # Recompute the materialised paths of the whole tree; write only what changed.
    for unit_id in _recompute_paths(list(units.values())):
        dirty.setdefault(unit_id, set()).add("path")
    to_update = [units[u] for u in dirty]
    if to_update:
        Unit.objects.bulk_update(
            to_update, ["name", "parent", "path", "depth", "manager", "manager_employee_id"], batch_size=BATCH
        )
    if new_units or to_update:
        analyse(Unit)
    not_in_file = len(existing) - sum(1 for r in rows if r in existing)
    if not_in_file:
        result.warnings.append(
            _("%(count)s existing unit(s) are not in the file and were kept as they are.")
            % {"count": not_in_file}
        )
    if events:
        audit_record_many(actor=actor, organisation=organisation, events=events)


def parent_of_existing(unit: Unit, by_pk: dict[int, Unit]) -> str:
    # Read before the caller assigns the new parent.
    parent = by_pk.get(unit.parent_id) if unit.parent_id else None
    return parent.unit_id if parent else ""


def _recompute_paths(units: list[Unit]) -> list[str]:
    """Set path and depth on every unit from its parent; return the unit_ids that changed."""
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    changed: list[str] = []
    stack: list[tuple[Unit, str, int]] = [(u, "/", 0) for u in children.get(None, [])]
    while stack:
        unit, prefix, depth = stack.pop()
        path = f"{prefix}{unit.pk}/"
        if unit.path != path or unit.depth != depth:
            unit.path, unit.depth = path, depth
            changed.append(unit.unit_id)
        stack.extend((child, path, depth + 1) for child in children.get(unit.pk, []))
    return changed
