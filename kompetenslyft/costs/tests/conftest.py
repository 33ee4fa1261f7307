"""An initiative with three formats and exact numbers (the figures in the tests follow from
these): 10 people; M1 onsite 2 h (people 0–5), M2 live remote 1 h (people 4–9), M3 e-learning
0.5 h (people 0–3); one M1 attendance before the period (not counted)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kompetenslyft.core.importing import import_file
from kompetenslyft.costs import services
from kompetenslyft.costs.models import CostEntry
from kompetenslyft.learning.models import Initiative, Module, Session
from kompetenslyft.org.tests.factories import PersonFactory


def run(kind: str, text: str, org: Any) -> None:
    import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


@pytest.fixture
def costed(network: Any) -> Any:
    org = network.org_a
    org.anonymity_threshold = 3
    org.save()
    run(
        "modules",
        "module_code,name,category,level,format,hours\n"
        "M1,Dokumentation,K,basic,onsite,2\nM2,Teams,K,basic,live_remote,1\nM3,E-post,K,basic,elearning,0.5\n",
        org,
    )
    units = (network.unit1, network.unit2, network.unit3)
    people = [PersonFactory(unit=units[i % 3], gender="woman" if i % 2 else "man") for i in range(10)]
    lines = ["employee_id,module_code,date,hours,status"]
    for i, p in enumerate(people):
        if i <= 5:
            lines.append(f"{p.employee_id},M1,2026-03-{i + 1:02d},2,attended")
        if i >= 4:
            lines.append(f"{p.employee_id},M2,2026-04-{i + 1:02d},1,completed")
        if i <= 3:
            lines.append(f"{p.employee_id},M3,2026-05-{i + 1:02d},0.5,completed")
    lines.append(f"{people[9].employee_id},M1,2025-12-01,2,attended")  # before the period
    run("attendance", "\n".join(lines) + "\n", org)
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Lyft",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    m1, m2, m3 = (Module.objects.get(code=c) for c in ("M1", "M2", "M3"))
    initiative.modules.add(m1, m2, m3)
    initiative.owners.add(network.project_leader)
    session = Session.objects.create(
        organisation=org,
        module=m2,
        initiative=initiative,
        starts_at=timezone.make_aware(dt.datetime(2026, 4, 2, 9, 0)),
        duration_minutes=90,
    )
    actor = network.lead.user
    services.cost_settings_save(
        initiative=initiative,
        hourly_cost=Decimal(300),
        travel_cost=Decimal(150),
        travel_minutes=45,
        actor=actor,
    )
    add = services.cost_entry_create
    add(initiative=initiative, kind="trainer", module=m1, hours=Decimal(4), rate=Decimal(1000), actor=actor)
    add(initiative=initiative, kind="trainer", session=session, rate=Decimal(800), actor=actor)
    add(initiative=initiative, kind="production", module=m3, amount=Decimal(6000), actor=actor)
    add(
        initiative=initiative,
        kind="licence",
        description='=HYPERLINK("x")',
        amount=Decimal(2000),
        actor=actor,
    )
    add(initiative=initiative, kind=CostEntry.Kind.TRAVEL, module=m1, amount=Decimal(500), actor=actor)
    network.initiative, network.people, network.session = initiative, people, session
    network.m1, network.m2, network.m3 = m1, m2, m3
    return network
