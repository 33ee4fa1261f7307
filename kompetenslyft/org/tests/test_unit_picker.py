"""The folded unit picker: a large organisation's tree shows its top levels (up to the limit),
every branch holding a checked unit, and the branches opened; the rest as "N units below"."""

from __future__ import annotations

from kompetenslyft.org.checkboxes import UnitNode, unit_picker
from kompetenslyft.org.models import Unit


def organisation(admins: int = 3, departments: int = 4, leaves: int = 5) -> list[Unit]:
    units, pk = [], 0
    for a in range(admins):
        pk += 1
        admin = Unit(pk=pk, name=f"Förvaltning {a}", parent_id=None)
        units.append(admin)
        for d in range(departments):
            pk += 1
            dep = Unit(pk=pk, name=f"Avdelning {a}.{d}", parent_id=admin.pk)
            units.append(dep)
            for leaf in range(leaves):
                pk += 1
                units.append(Unit(pk=pk, name=f"Enhet {a}.{d}.{leaf}", parent_id=dep.pk))
    return units


def shown(nodes: list[UnitNode]) -> list[str]:
    return [name for n in nodes for name in [n.unit.name, *shown(n.children)]]


def test_a_small_tree_is_shown_whole() -> None:
    picker = unit_picker(organisation(), checked=set())
    assert len(shown(picker.nodes)) == 3 + 12 + 60
    assert not any(n.folded for n in picker.nodes)


def test_a_large_tree_folds_below_the_levels_that_fit() -> None:
    units = organisation()
    picker = unit_picker(units, checked=set(), limit=20)  # 3 + 12 fit, the 60 leaves do not
    names = shown(picker.nodes)
    assert len(names) == 15 and "Avdelning 2.3" in names and "Enhet 0.0.0" not in names
    assert picker.nodes[0].children[0].folded == 5


def test_checked_and_opened_branches_stay_open() -> None:
    units = organisation()
    leaf = next(u for u in units if u.name == "Enhet 1.2.3")
    dep = next(u for u in units if u.name == "Avdelning 2.0")
    picker = unit_picker(units, checked={str(leaf.pk)}, opened=[str(dep.pk), "nonsense"], limit=20)
    names = shown(picker.nodes)
    assert "Enhet 1.2.3" in names and "Enhet 1.2.0" in names  # the checked unit with its siblings
    assert "Enhet 2.0.4" in names and "Enhet 0.0.0" not in names
    assert picker.opened == [str(dep.pk)]  # only real branches are carried on


def test_the_first_level_is_shown_even_when_it_alone_is_over_the_limit() -> None:
    picker = unit_picker(organisation(admins=30, departments=1, leaves=1), checked=set(), limit=10)
    assert len(picker.nodes) == 30 and all(n.folded == 2 for n in picker.nodes)
