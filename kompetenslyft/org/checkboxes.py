"""The unit tree people pick units from with checkboxes (checking a unit includes every unit
below it): built here, shown by ``org/unit_checkboxes.html``. Used by the self-assessment's
target group and the initiative's target units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Unit


@dataclass
class UnitNode:
    unit: Unit
    children: list[UnitNode] = field(default_factory=list)


def unit_tree(units: Iterable[Unit]) -> list[UnitNode]:
    """The units as a tree (siblings by name); a unit whose parent is not among them is a root."""
    nodes = {u.pk: UnitNode(u) for u in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)

    def sort(level: list[UnitNode]) -> None:
        level.sort(key=lambda n: n.unit.name.casefold())
        for n in level:
            sort(n.children)

    sort(roots)
    return roots


def checked(values: Iterable[object] | None) -> set[str]:
    """What a form's checkboxes show checked (posted strings or initial ids), as strings."""
    return {str(v) for v in values or []}
