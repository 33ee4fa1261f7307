"""The gap as an aggregates-only viewer sees it, attacked the way it was attacked: every page of
the export over the unit tree, with and without the role filter, and `report gap --anonymised`,
combined by any sum or difference — no hidden group may come out, no group under k be shown."""

from __future__ import annotations

import csv
import io
import json
import random
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kompetenslyft.assessment import gaps
from kompetenslyft.assessment.models import LATEST, GapCell
from kompetenslyft.core.importing import import_file
from kompetenslyft.core.tests.test_disclosure import Span
from kompetenslyft.org.models import Person, Role, Unit
from kompetenslyft.org.tests.factories import PersonFactory, RoleFactory

K = 5


def run(kind: str, text: str, org: Any) -> None:
    import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


@pytest.fixture
def gap_network(network: Any) -> Any:
    """Solgården-like homes: in each a head, a few nurses and assistant nurses; a head directly
    in each department (the cell that differencing gave away)."""
    org = network.org_a
    rng = random.Random(7)
    roles = {name: RoleFactory(organisation=org, name=name) for name in ("enhetschef", "sjuksköterska")}
    roles["undersköterska"] = Role.objects.get(organisation=org, name="undersköterska")
    for unit, staff in (
        (network.unit1, {"enhetschef": 1, "sjuksköterska": 2, "undersköterska": 9}),
        (network.unit2, {"enhetschef": 1, "sjuksköterska": 3, "undersköterska": 6}),
        (network.unit3, {"enhetschef": 1, "sjuksköterska": 1, "undersköterska": 12}),
        (network.dep1, {"enhetschef": 1}),
        (network.dep2, {"enhetschef": 1, "sjuksköterska": 2}),
    ):
        for name, n in staff.items():
            PersonFactory.create_batch(n, unit=unit, role=roles[name])
    run("framework", "competence_code,name,category\nMAIL,E-post,Kommunikation\n", org)
    run(
        "requirements",
        "role,competence_code,required_level\n"
        + "".join(f"{name},MAIL,3\n" for name in ("enhetschef", "sjuksköterska", "undersköterska")),
        org,
    )
    rows = "".join(
        f"{employee_id},MAIL,{rng.choice([1, 2, 3, 4])},0\n"
        for employee_id in Person.objects.filter(organisation=org).values_list("employee_id", flat=True)
    )
    run("assessments", "employee_id,competence_code,level,measurement_point\n" + rows, org)
    gaps.rebuild(org)
    org.anonymity_threshold = K
    org.save()
    return network


def atoms(org: Any) -> dict[tuple[str, str], int]:
    """The truth: people who answered, per (unit, role) directly in the unit."""
    found = {}
    for unit_id, role_name, n in GapCell.objects.filter(
        organisation=org, point=LATEST, direct_assessed__gt=0
    ).values_list("unit__unit_id", "role__name", "direct_assessed"):
        found[(unit_id, role_name)] = n
    return found


def subtree_codes(org: Any) -> dict[str, list[str]]:
    units = list(Unit.objects.filter(organisation=org))
    return {u.unit_id: [v.unit_id for v in units if v.path.startswith(u.path)] for u in units}


def check(shown: dict[tuple[str, str, str | None], int | None], org: Any) -> int:
    """Attack: every cell (unit_id, scope, role or None) that was shown or hidden. Returns the
    number of hidden cells with people (so a test can see there was something to protect)."""
    truth = atoms(org)
    subtrees = subtree_codes(org)
    names = sorted({r for _u, r in truth})
    index = {a: i for i, a in enumerate(sorted(truth))}
    span = Span()
    hidden = []
    for (unit_id, scope, role), value in shown.items():
        units = [unit_id] if scope == "unit" else subtrees[unit_id]
        wanted = names if role is None else [role]
        vector = [0] * len(index)
        true_value = 0
        for u in units:
            for r in wanted:
                if (u, r) in index:
                    vector[index[(u, r)]] = 1
                    true_value += truth[(u, r)]
        if value is None:
            if true_value:
                hidden.append(((unit_id, scope, role, true_value), vector))
        else:
            assert value == true_value, (unit_id, scope, role)
            assert not 0 < value < K, f"a group of {value} is shown: {(unit_id, scope, role)}"
            span.add(vector)
    worked_out = [cell for cell, vector in hidden if span.contains(vector)]
    assert worked_out == [], f"hidden groups worked out by differencing: {worked_out}"
    return len(hidden)


def export_cells(client: Client, org: Any) -> dict[tuple[str, str, str | None], int | None]:
    """Everything the export gives: each unit as the parent, each role and none."""
    cells: dict[tuple[str, str, str | None], int | None] = {}
    roles = [None, *Role.objects.filter(organisation=org).order_by("name")]
    parents = [None, *Unit.objects.filter(organisation=org)]
    for parent in parents:
        for role in roles:
            query = {"unit": parent.pk if parent else "", "role": role.pk if role else ""}
            response = client.get("/assessment/gaps/export.csv", query, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code == 200
            for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))):
                scope = "unit" if row["Counts"] == "the unit itself" else "subtree"
                value = None if row["Answered"] == "" else int(row["Answered"])
                if value is None:
                    assert row["People with the requirement"] == "", "a hidden cell's head count bounds it"
                key = (row["Unit id"], scope, role.name if role else None)
                assert cells.get(key, value) == value, f"two pages disagree on {key}"
                cells[key] = value
    return cells


def test_evaluator_cannot_work_out_a_hidden_cell_from_the_exports(gap_network: Any) -> None:
    client = Client()
    client.force_login(gap_network.evaluator)
    cells = export_cells(client, gap_network.org_a)
    assert check(cells, gap_network.org_a) > 0
    # The department's head alone is never shown, with or without the role.
    assert cells[("DEP1", "unit", None)] is None
    assert cells[("DEP1", "unit", "enhetschef")] is None
    # Large groups still are: the administration as a whole.
    assert cells[("ADM", "subtree", None)] is not None


def test_top_management_sees_exact_figures_only_in_its_own_units(gap_network: Any) -> None:
    network = gap_network
    network.dep2.manager = network.top
    network.dep2.save()
    top, evaluator = Client(), Client()
    top.force_login(network.top.user)
    evaluator.force_login(network.evaluator)
    mine = export_cells(top, network.org_a)
    theirs = export_cells(evaluator, network.org_a)
    own = {u.unit_id for u in Unit.objects.filter(path__startswith=network.dep2.path)}
    truth = atoms(network.org_a)
    for key, value in mine.items():
        if key[0] in own:
            assert value is not None, key  # exact inside the units it manages
        else:
            assert value == theirs[key], key  # elsewhere exactly what the evaluator sees
    # Inside: the home's single nurse is there to see for its manager.
    assert mine[("U3", "unit", "sjuksköterska")] == truth[("U3", "sjuksköterska")] == 1
    # Outside it, what it sees survives the same attack (its own exact figures included).
    outside = {k: v for k, v in mine.items() if k[0] not in own}
    check(outside, network.org_a)
    # … and the heatmap links to people only where it may see them.
    page = top.get("/assessment/gaps/", {"unit": network.admin_a.pk}).content.decode()
    assert "gaps/people/" in page  # DEP2's cells lead to its people
    assert f"at={network.dep1.pk}&amp;" not in page and f"at={network.admin_a.pk}&amp;" not in page


def test_report_gap_anonymised_survives_the_same_attack(gap_network: Any, capsys: Any) -> None:
    org = gap_network.org_a
    cells: dict[tuple[str, str, str | None], int | None] = {}
    for role in [None, *Role.objects.filter(organisation=org).values_list("name", flat=True)]:
        for unit in [None, "ADM", "DEP1", "DEP2", "U1"]:
            args = ["report", "gap", "--format", "json", "--anonymised", "--organisation", org.code]
            args += ["--role", role] if role else []
            args += ["--unit", unit] if unit else []
            call_command(*args)
            answer = json.loads(capsys.readouterr().out)
            assert answer["threshold"] == K
            for row in answer["rows"]:
                assert row["scope"] in ("unit", "subtree")
                key = (row["unit_id"], row["scope"], role)
                assert cells.get(key, row["assessed"]) == row["assessed"]
                cells[key] = row["assessed"]
                if row["assessed"] is None:
                    assert row["below"] is None and row["share_below"] is None
    # a row of each scope per unit and competence
    for unit_id in ("ADM", "DEP1", "DEP2", "U1", "U2", "U3"):
        assert (unit_id, "unit", None) in cells and (unit_id, "subtree", None) in cells
    assert check(cells, org) > 0


def test_a_release_is_not_served_to_a_new_state_row_with_the_same_version(gap_network: Any) -> None:
    """The per-process memo of releases keys on the state row's epoch beside its version: a
    restored database (or the next test's fresh one) repeats versions, and a release of other
    people must never answer for them."""
    from kompetenslyft.assessment.gap_selectors import gap_releases
    from kompetenslyft.assessment.models import GapState
    from kompetenslyft.competence.models import Competence

    org = gap_network.org_a
    mail = Competence.objects.get(framework__organisation=org, code="MAIL")
    first = gap_releases(org, point=0, competence_ids=[mail.pk])
    state = GapState.objects.get(organisation=org)
    version = state.version
    state.delete()
    again = GapState.objects.create(organisation=org, version=version, stale=False, points=[0])
    assert again.epoch != state.epoch
    second = gap_releases(org, point=0, competence_ids=[mail.pk])
    assert second[mail.pk] is not first[mail.pk]  # computed anew, not the kept one
    assert gap_releases(org, point=0, competence_ids=[mail.pk])[mail.pk] is second[mail.pk]  # kept
