"""The unit tree people pick units from with checkboxes (checking a unit includes every unit
below it): built here, shown by ``org/unit_checkboxes.html``. Used by the self-assessment's
target group and the initiative's target units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import Unit


@dataclass(frozen=True)
class UnitRow:
    """What a picker needs of a unit (read as three columns, not as a model object)."""

    pk: int
    name: str
    parent_id: int | None


@dataclass
class UnitNode:
    unit: Unit | UnitRow
    children: list[UnitNode] = field(default_factory=list)
    folded: int = 0  # the units below this one that a folded picker does not show


def unit_tree(units: Iterable[Unit | UnitRow]) -> list[UnitNode]:
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


# A picker shows at most about this many units at once: the top levels of the tree that fit, every
# branch that holds a checked unit, and the branches opened with their "Show the units below"
# buttons (a submit that re-renders the form as filled in, so it needs no JavaScript).
PICKER_LIMIT = 200


@dataclass
class UnitPicker:
    nodes: list[UnitNode]
    opened: list[str]  # the branches opened, carried in hidden "open" inputs


def unit_picker(
    units: Iterable[Unit | UnitRow],
    *,
    checked: set[str],
    opened: Iterable[object] = (),
    limit: int | None = None,
) -> UnitPicker:
    """The unit tree folded to fit ``limit`` units: levels are shown from the top while they fit
    (the top level always); below that a branch is folded (its ``folded`` count of units shown
    instead) unless it was opened or holds a checked unit."""
    limit = PICKER_LIMIT if limit is None else limit
    roots = unit_tree(units)
    per_level: list[int] = []
    level = roots
    while level:
        per_level.append(len(level))
        level = [c for n in level for c in n.children]
    depth, shown = 0, per_level[0] if per_level else 0
    while depth + 1 < len(per_level) and shown + per_level[depth + 1] <= limit:
        depth += 1
        shown += per_level[depth]
    opened_set = {str(v) for v in opened}
    really_opened: list[str] = []

    def fold(node: UnitNode, d: int) -> tuple[int, bool]:
        """The units below ``node`` and whether one of them is checked; folds ``node`` when it
        is deeper than ``depth`` and neither opened nor holding a checked unit."""
        below, checked_below = 0, False
        for child in node.children:
            size, has = fold(child, d + 1)
            below += size + 1
            checked_below = checked_below or has or str(child.unit.pk) in checked
        key = str(node.unit.pk)
        if node.children and key in opened_set:
            really_opened.append(key)
        elif node.children and d >= depth and not checked_below:
            node.folded, node.children = below, []
        return below, checked_below

    for root in roots:
        fold(root, 0)
    return UnitPicker(roots, really_opened)
