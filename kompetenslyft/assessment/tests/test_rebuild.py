"""The chunked gap rebuild: over an existing (wrong, partial or changed) summary it gives the
same rows as a full recomputation, in many short transactions, and answers that arrive
between its chunks (or beside it, in another thread) are neither lost nor counted twice."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kompetenslyft.assessment import gaps
from kompetenslyft.assessment.models import LATEST, GapCell, GapState, Participant
from kompetenslyft.assessment.services import answers_submit
from kompetenslyft.org.models import Unit
from kompetenslyft.org.tests.factories import PersonFactory

from .test_gaps import competence, open_campaign, run, setup  # noqa: F401  (fixture)


def populate(network: Any, per_unit: int = 4) -> None:
    for unit in (network.unit1, network.unit2, network.unit3, network.dep1, network.admin_a):
        for _ in range(per_unit):
            PersonFactory(unit=unit, role=network.employee.role)


def answer_everyone(network: Any, capture: Any, point: int, seed: int, share: float = 0.8) -> None:
    rnd = random.Random(seed)
    mail_c, dok_c = competence("MAIL", network), competence("DOK", network)
    with capture(execute=True):
        campaign = open_campaign(network, point)
    for participant in Participant.objects.filter(campaign=campaign).select_related("person", "person__unit"):
        person = participant.person
        levels = {mail_c.pk: rnd.randint(0, 4)}
        if person.unit.path.startswith(network.dep2.path):
            levels[dok_c.pk] = rnd.randint(0, 4)
        if rnd.random() < share:
            with capture(execute=True):
                answers_submit(person=person, campaign=campaign, levels=levels)


def test_rebuild_over_a_wrong_summary_equals_a_full_recomputation(
    setup: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    populate(setup)
    answer_everyone(setup, django_capture_on_commit_callbacks, 0, seed=1)
    expected = gaps.compute(setup.org_a)
    assert len(expected) > 10
    # Damage the stored summary every way a stale one can be wrong: wrong direct and tree
    # counts, a missing cell, a cell that should not exist.
    GapCell.objects.filter(organisation=setup.org_a, point=LATEST).update(direct_assessed=99, tree_below=7)
    GapCell.objects.filter(organisation=setup.org_a, unit=setup.unit1).delete()
    stray = GapCell.objects.filter(organisation=setup.org_a).first()
    assert stray is not None
    GapCell.objects.create(
        organisation=setup.org_a,
        unit=setup.dep2,
        role=stray.role,
        competence=stray.competence,
        point=5,
        direct_required=3,
        tree_required=3,
    )
    # One person per chunk, so the rebuild really runs in many transactions.
    monkeypatch.setattr(gaps, "CHUNK_PEOPLE", 1)
    monkeypatch.setattr(gaps, "CHUNK_TREE_CELLS", 1)
    stats = gaps.RebuildStats()
    with CaptureQueriesContext(connection) as queries:
        cells = gaps.rebuild(setup.org_a, stats=stats)
    assert gaps.stored(setup.org_a) == expected
    assert cells == len(expected) == stats.cells
    assert stats.chunks >= 12  # 6 units × (direct + tree) at one unit a chunk
    savepoints = [q for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) >= stats.chunks  # each chunk its own (here nested) transaction
    state = GapState.objects.get(organisation=setup.org_a)
    assert state.points == [0] and not state.stale
    # A second rebuild over a correct summary writes nothing.
    again = gaps.RebuildStats()
    gaps.rebuild(setup.org_a, stats=again)
    assert again.written == 0
    assert gaps.stored(setup.org_a) == expected


def test_rebuild_after_the_tree_changed(setup: Any, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    populate(setup)
    answer_everyone(setup, django_capture_on_commit_callbacks, 0, seed=2)
    answer_everyone(setup, django_capture_on_commit_callbacks, 1, seed=3, share=0.5)
    before = gaps.stored(setup.org_a)
    assert before == gaps.compute(setup.org_a)
    # U2 moves from Hemtjänst to Särskilt boende, where DOK is required too: its people's
    # direct counts change, and so do both departments' tree counts.
    run("units", "unit_id,name,parent_id\nU2,Hemtjänst Södra,DEP2\n", setup.org_a)
    assert gaps.compute(setup.org_a) != before
    gaps.rebuild(setup.org_a)
    assert gaps.stored(setup.org_a) == gaps.compute(setup.org_a)
    moved = Unit.objects.get(pk=setup.unit2.pk)
    assert moved.path.startswith(setup.dep2.path)


def test_answers_between_rebuild_chunks_are_counted_once(
    setup: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    """Answers saved (and their refresh_group run) between any two chunks of a rebuild, in
    the direct phase and in the tree phase, end up in the summary exactly once."""
    populate(setup)
    answer_everyone(setup, django_capture_on_commit_callbacks, 0, seed=4, share=0.3)
    # Make the stored summary wrong, so that the rebuild has something to do in every chunk.
    GapCell.objects.filter(organisation=setup.org_a).update(tree_required=1, direct_assessed=0)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_campaign(setup, 1)
    waiting = list(Participant.objects.filter(campaign=campaign).select_related("person", "person__unit"))
    random.Random(6).shuffle(waiting)
    mail_c, dok_c = competence("MAIL", setup), competence("DOK", setup)
    original_chunk, original_write = gaps._chunk, gaps._write_direct
    interleaved = 0

    def answer(unit_ids: list[int] | None = None) -> None:
        nonlocal interleaved
        mine = [p for p in waiting if unit_ids is None or p.person.unit_id in unit_ids]
        for participant in mine[:2]:
            waiting.remove(participant)
            person = participant.person
            levels = {mail_c.pk: random.Random(person.pk).randint(0, 4)}
            if person.unit.path.startswith(setup.dep2.path):
                levels[dok_c.pk] = 1
            with django_capture_on_commit_callbacks(execute=True):
                answers_submit(person=person, campaign=campaign, levels=levels)
            interleaved += 1

    def chunk_then_answer(*args: Any, **kwargs: Any) -> None:
        original_chunk(*args, **kwargs)
        answer()

    def answer_between_read_and_write(organisation: Any, unit_ids: list[int], *args: Any) -> int:
        # The chunk has aggregated its answers; answers of its own units arrive (and are
        # refreshed) before it takes the lock.
        answer(unit_ids)
        return original_write(organisation, unit_ids, *args)

    monkeypatch.setattr(gaps, "_chunk", chunk_then_answer)
    monkeypatch.setattr(gaps, "_write_direct", answer_between_read_and_write)
    monkeypatch.setattr(gaps, "CHUNK_PEOPLE", 3)
    monkeypatch.setattr(gaps, "CHUNK_TREE_CELLS", 1)
    gaps.rebuild(setup.org_a)
    assert interleaved >= 10
    assert gaps.stored(setup.org_a) == gaps.compute(setup.org_a)
    assert 1 in GapState.objects.get(organisation=setup.org_a).points


@pytest.mark.django_db(transaction=True)
def test_answers_beside_a_rebuild_in_another_thread(
    setup: Any,  # noqa: F811
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
) -> None:
    """A rebuild in one thread (its own connection) and answers with their refreshes in
    another, on the real database with real commits: no error, and the summary is right."""
    populate(setup, per_unit=6)
    answer_everyone(setup, django_capture_on_commit_callbacks, 0, seed=7, share=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_campaign(setup, 1)
    people = [
        p.person
        for p in Participant.objects.filter(campaign=campaign).select_related("person", "person__unit")
    ]
    mail_c = competence("MAIL", setup)
    monkeypatch.setattr(gaps, "CHUNK_PEOPLE", 2)
    monkeypatch.setattr(gaps, "CHUNK_TREE_CELLS", 1)
    monkeypatch.setattr(gaps, "SQLITE_PAUSE", (0.005, 0.01))
    errors: list[BaseException] = []
    rebuilt = threading.Event()

    def rebuild_twice() -> None:
        try:
            for _ in range(2):
                gaps.rebuild(setup.org_a)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            rebuilt.set()
            connection.close()

    thread = threading.Thread(target=rebuild_twice)
    thread.start()
    saved = during = 0
    for index, person in enumerate(people * 3):
        # Answers through the service; the immediate task backend runs refresh_group on commit.
        answers_submit(person=person, campaign=campaign, levels={mail_c.pk: (index + person.pk) % 5})
        saved += 1
        during += 0 if rebuilt.is_set() else 1
        if rebuilt.is_set() and saved >= len(people):
            break
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert errors == []
    assert saved >= len(people) and during > 0
    assert gaps.stored(setup.org_a) == gaps.compute(setup.org_a)
