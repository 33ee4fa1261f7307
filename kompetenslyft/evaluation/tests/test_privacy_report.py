"""Attack `report evaluation`: run it over many combinations of options, collect every figure
shown as a vector over the answers, and check with exact linear algebra that no hidden group
with answers, and no cell of 1 to k−1 answers, is a combination of the figures shown."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest
from django.core.management import call_command

from kompetenslyft.evaluation.reports import build_evaluation
from kompetenslyft.org.models import Role

from .attack import Attack, Filters, build

BY = (None, "unit", "role", "gender", "module", "month")
MONTH_RANGES = (
    (None, None),
    ("2026-01", "2026-01"),
    ("2026-02", "2026-02"),
    ("2026-03", "2026-03"),
    ("2026-01", "2026-02"),
    ("2026-02", "2026-03"),
    ("2026-02", None),
    (None, "2026-02"),
)


def combinations(fx: Any) -> list[dict[str, Any]]:
    units = [None, *sorted(fx.unit_codes)]
    roles = [None, *fx.roles]
    genders = [None, "woman", "man", "other"]
    modules = [None, "M1", "M2"]
    every = list(itertools.product(units, roles, genders, modules, MONTH_RANGES, BY))
    # every option on its own (with each --by), and a large random sample of the rest
    single = [c for c in every if sum(x is not None for x in c[:4]) + (c[4] != (None, None)) <= 1]
    rng = random.Random(3)
    picked = set(single) | set(rng.sample(every, 900))
    return [
        {"unit": u, "role": r, "gender": g, "module": m, "months": months, "by": by}
        for u, r, g, m, months, by in sorted(picked, key=repr)
    ]


@pytest.mark.django_db
def test_report_evaluation_gives_nothing_away(network: Any) -> None:
    fx = build(network)
    # other roles of the fixture's organisation appear as groups with nothing in them
    assert Role.objects.filter(organisation=fx.organisation).count() > len(fx.roles)
    attack = Attack(fx, fx.organisation.anonymity_threshold)
    for combo in combinations(fx):
        options = {
            "organisation": "alpha",
            "unit": fx.unit_codes[combo["unit"]] if combo["unit"] else None,
            "role": combo["role"],
            "gender": combo["gender"],
            "module": combo["module"],
            "month_from": combo["months"][0],
            "month_to": combo["months"][1],
            "by": combo["by"],
        }
        result = build_evaluation(**options)
        filters = Filters(
            modules=frozenset({combo["module"]}) if combo["module"] else None,
            unit=combo["unit"],
            role=combo["role"],
            gender=combo["gender"],
            month_from=combo["months"][0],
            month_to=combo["months"][1],
        )
        attack.add_result(result, filters, combo["by"], repr(options))
    assert attack.figures > 3000
    assert len(attack.shown) > 20, "the fixture shows too little to attack"
    assert attack.hidden, "the fixture hides nothing"
    assert attack.leaks() == []


@pytest.mark.django_db
def test_the_command_prints_what_the_attack_read(network: Any, capsys: Any) -> None:
    fx = build(network)
    capsys.readouterr()
    call_command("report", "evaluation", "--format", "json", "--unit", "DEP1", "--by", "role")
    printed = json.loads(capsys.readouterr().out)
    assert printed == build_evaluation(unit="DEP1", by="role")
    assert (
        printed["total"]["responses"] is None
        or printed["total"]["responses"] >= fx.organisation.anonymity_threshold
    )


@pytest.mark.django_db
def test_the_attack_finds_what_primary_suppression_alone_gives_away(network: Any, monkeypatch: Any) -> None:
    """The check is not vacuous: with the threshold rule only (every cell a block of its own),
    the same options give hidden groups away."""
    from kompetenslyft.core import disclosure
    from kompetenslyft.evaluation import cube

    def every_cell_alone(atoms: Any, threshold: int) -> Any:
        return disclosure.Blocks(
            threshold, {atom: i for i, atom in enumerate(atoms)}, [1] * len(atoms), [10**6] * len(atoms)
        )

    monkeypatch.setattr(disclosure, "pool_paths", every_cell_alone)
    from kompetenslyft.evaluation import results

    built = cube.cube_for

    def primary_only(organisation: Any) -> Any:
        found = built(organisation)
        found.block_size = found.block_size * 0 + 10**6  # every cell "large": the threshold on totals only
        found._totals.clear()
        return found

    monkeypatch.setattr(results, "cube_for", primary_only)
    cube._CUBES.clear()
    fx = build(network)
    attack = Attack(fx, fx.organisation.anonymity_threshold)
    for combo in combinations(fx)[:400]:
        filters = Filters(
            modules=frozenset({combo["module"]}) if combo["module"] else None,
            unit=combo["unit"],
            role=combo["role"],
            gender=combo["gender"],
            month_from=combo["months"][0],
            month_to=combo["months"][1],
        )
        result = build_evaluation(
            unit=fx.unit_codes[combo["unit"]] if combo["unit"] else None,
            role=combo["role"],
            gender=combo["gender"],
            module=combo["module"],
            month_from=combo["months"][0],
            month_to=combo["months"][1],
            by=combo["by"],
        )
        attack.add_result(result, filters, combo["by"], repr(combo))
    cube._CUBES.clear()
    assert attack.leaks()
