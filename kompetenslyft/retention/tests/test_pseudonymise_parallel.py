"""A retention run's batches written at once (PostgreSQL, outside a transaction: two
connections) lose no one's rewrite: a statement or a support text that names people of two
batches ends with neither name, each batch seeing the other's rewrite (rows locked first)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection

from kompetenslyft.learning.models import SupportRequest
from kompetenslyft.lrs.models import Statement
from kompetenslyft.lrs.tests.helpers import Xapi, body, statement
from kompetenslyft.org.tests.factories import PersonFactory
from kompetenslyft.retention import pseudonymise
from kompetenslyft.retention.models import Erasure


@pytest.mark.django_db(transaction=True)
def test_batches_at_once_keep_each_others_rewrites(network: Any, monkeypatch: Any) -> None:
    names = [("Anna", "Ahlberg"), ("Bo", "Bengtsson"), ("Cia", "Carlström"), ("Dan", "Dahlqvist")]
    leavers = [
        PersonFactory(
            unit=network.unit1,
            given_name=given,
            family_name=family,
            email=f"{given.lower()}@alfa.se",
            employee_id=f"E-{n}",
            is_active=False,
            deactivated_on=dt.date(2020, 1, 1),
        )
        for n, (given, family) in enumerate(names, 1)
    ]
    anna, bo, cia, dan = leavers
    x = Xapi(network.org_a)

    def agent(person: Any) -> dict[str, Any]:
        return {"objectType": "Agent", "name": person.full_name, "mbox": f"mailto:{person.email}"}

    sent = [
        # each names people of two batches (one person per batch): both must go
        statement(actor=agent(anna), context={"instructor": agent(bo)}),
        statement(actor=agent(bo), context={"instructor": agent(anna)}),
        statement(actor=agent(cia), context={"team": {"objectType": "Group", "member": [agent(dan)]}}),
        statement(actor={"account": {"homePage": "https://hr.alfa.se", "name": dan.employee_id}}),
        *[statement(actor=agent(person)) for person in leavers],
    ]
    ids = [body(x.post(s))[0] for s in sent]
    question = SupportRequest.objects.create(
        organisation=network.org_a,
        person=network.employee,
        unit=network.employee.unit,
        topic="Fråga",
        question=f"{anna.full_name} och {bo.full_name} kommer inte in, inte heller {cia.full_name}.",
    )
    threads: set[str] = set()
    batch = pseudonymise._people_batch

    def noted(*args: Any, **kwargs: Any) -> int:
        threads.add(threading.current_thread().name)
        return batch(*args, **kwargs)

    monkeypatch.setattr(pseudonymise, "_people_batch", noted)
    seen: list[int] = []

    done = pseudonymise.pseudonymise_people(
        [p.pk for p in leavers], source=Erasure.Source.RULE, batch=1, workers=2, progress=seen.append
    )

    assert done == 4 and Erasure.objects.count() == 4
    # on PostgreSQL the batches ran on worker threads' connections; SQLite (one writer) one
    # after another in the caller's
    main = threading.current_thread().name
    assert (main not in threads) == (connection.vendor == "postgresql")
    assert sorted(seen) == [1, 2, 3, 4]
    for row in Statement.objects.filter(organisation=network.org_a, statement_id__in=ids):
        for person in leavers:
            for text in (person.email, person.given_name, person.family_name, person.employee_id):
                assert text not in row.data and text not in row.related_agents, (row.statement_id, text)
    text = SupportRequest.objects.get(pk=question.pk).question
    assert not any(person.family_name in text for person in leavers), text
    assert text.count("Pseudonym") == 3
