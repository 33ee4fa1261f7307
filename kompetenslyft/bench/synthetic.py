"""A synthetic organisation of any size, written as the import files of formats.md."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from kompetenslyft.org.imports import PEOPLE_HEADER, UNIT_HEADER

GIVEN = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Lena",
    "Emma",
    "Ida",
    "Johan",
    "Erik",
    "Lars",
    "Karl",
    "Anders",
    "Per",
    "Nils",
    "Elin",
    "Sofia",
    "Hanna",
    "Linnea",
    "Ali",
    "Fatima",
    "Omar",
]
FAMILY = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Lindberg",
    "Lindström",
    "Berg",
    "Holm",
    "Ek",
    "Sandberg",
    "Hussein",
    "Mohammed",
    "Nguyen",
    "Lund",
]
ROLES = [
    "undersköterska",
    "vårdbiträde",
    "stödassistent",
    "personlig assistent",
    "sjuksköterska",
    "förskollärare",
    "barnskötare",
    "lärare",
    "socialsekreterare",
    "handläggare",
]
MANAGER_ROLE = "enhetschef"


@dataclass
class SyntheticOrganisation:
    units_file: Path
    people_file: Path
    units: int
    people: int
    administrations: int
    admin_unit_ids: list[str]


def write_synthetic(directory: Path, *, people: int, units: int, seed: int = 7) -> SyntheticOrganisation:
    """Administrations of about 300 units each (1 + 15 departments + leaves); one manager per
    unit, placed in that unit; everyone else spread evenly over the leaves."""
    rnd = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    administrations = max(1, round(units / 300))
    unit_rows: list[tuple[str, str, str]] = []
    leaves: list[str] = []
    admin_ids: list[str] = []
    per_admin = units // administrations
    for a in range(administrations):
        admin_id = f"A{a:02d}"
        admin_ids.append(admin_id)
        unit_rows.append((admin_id, f"Förvaltning {a + 1}", ""))
        departments = max(1, min(10, (per_admin - 1) // 10))
        remaining = per_admin - 1 - departments
        for d in range(departments):
            dep_id = f"{admin_id}-D{d:02d}"
            unit_rows.append((dep_id, f"Avdelning {a + 1}.{d + 1}", admin_id))
            count = remaining // departments + (1 if d < remaining % departments else 0)
            for u in range(count):
                leaf = f"{dep_id}-U{u:03d}"
                unit_rows.append((leaf, f"Enhet {a + 1}.{d + 1}.{u + 1}", dep_id))
                leaves.append(leaf)
    number = 0
    people_rows: list[list[str]] = []
    managers: dict[str, str] = {}
    # As in a real municipality, a unit has a few roles: each leaf two of the ten.
    unit_roles = {
        leaf: [ROLES[(2 * i) % len(ROLES)], ROLES[(2 * i + 1) % len(ROLES)]] for i, leaf in enumerate(leaves)
    }

    def person(unit_id: str, role: str | None = None) -> str:
        nonlocal number
        number += 1
        employee_id = f"B{number:06d}"
        woman = rnd.random() < 0.8
        given = rnd.choice(GIVEN)
        family = rnd.choice(FAMILY)
        people_rows.append(
            [
                employee_id,
                given,
                family,
                unit_id,
                role or rnd.choice(unit_roles.get(unit_id, ROLES)),
                f"{employee_id.lower()}@bench.example",
                "woman" if woman else "man",
                "sv",
                f"20{rnd.randint(0, 25):02d}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            ]
        )
        return employee_id

    for unit_id, _name, _parent in unit_rows:
        managers[unit_id] = person(unit_id, MANAGER_ROLE)
    while number < people:
        person(leaves[number % len(leaves)])
    units_file = directory / "units.csv"
    with units_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(UNIT_HEADER)
        writer.writerows([u, n, p, managers[u]] for u, n, p in unit_rows)
    people_file = directory / "people.csv"
    with people_file.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(PEOPLE_HEADER)
        writer.writerows(people_rows)
    return SyntheticOrganisation(
        units_file, people_file, len(unit_rows), len(people_rows), administrations, admin_ids
    )
