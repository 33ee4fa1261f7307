"""The demo's e-learning: the learning platform (an outside LRS client) reports ``completed``
for the self-paced modules of the initiative, as an authoring tool's course would; the records
that count (ADR 0014) turn them into completions, so that e-learning has participants on the
dashboard, the costs and the funder report like every other format."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.utils import timezone

from kompetenslyft.learning.models import Initiative, Module
from kompetenslyft.org.models import Organisation, Person

from . import records
from .models import SCOPE_WRITE
from .services import client_create, statements_store
from .verbs import COMPLETED

SHARE = 0.08  # of the target group, for each e-learning module


def elearning_for_demo(organisation: Organisation) -> int:
    """Completions of the initiative's e-learning modules (returns the attendance rows written)."""
    initiative = Initiative.objects.filter(organisation=organisation).order_by("pk").first()
    if initiative is None:
        return 0
    modules = list(initiative.modules.filter(format=Module.Format.ELEARNING).order_by("code"))
    units = list(initiative.units.all())
    if not modules or not units:
        return 0
    rnd = random.Random(14)  # noqa: S311 (demo data)
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True, unit__path__startswith=units[0].path)
        .exclude(email="")
        .order_by("employee_id")
    )
    client, _secret = client_create(
        organisation=organisation, name="Lärplattformen (e-utbildningar)", scopes=[SCOPE_WRITE]
    )
    today = timezone.localdate()
    began = max(initiative.starts_on or today - dt.timedelta(days=60), today - dt.timedelta(days=60))
    # Completed before this month: the units' training (and so their indicator change, the
    # talks and tries that follow) lies in months that have closed (ADR 0019).
    ended = today.replace(day=1)
    statements = []
    for module in modules:
        for person in people:
            if rnd.random() >= SHARE:
                continue
            day = began + dt.timedelta(days=rnd.randint(0, max(0, (ended - began).days - 1)))
            moment = timezone.make_aware(
                dt.datetime.combine(day, dt.time(rnd.randint(8, 15), rnd.randint(0, 59)))
            )
            statements.append(
                {
                    "id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                    "actor": {
                        "objectType": "Agent",
                        "name": person.full_name,
                        "mbox": f"mailto:{person.email}",
                    },
                    "verb": {"id": COMPLETED, "display": {"sv-SE": "slutförde"}},
                    "object": {
                        "objectType": "Activity",
                        "id": module.activity_id,
                        "definition": {"name": {"sv-SE": module.name}},
                    },
                    "result": {"completion": True, "duration": f"PT{rnd.randint(18, 40)}M"},
                    "timestamp": moment.isoformat(),
                }
            )
    if not statements:
        return 0
    ids = statements_store(client=client, statements=statements, version="1.0.3")
    # The daily queue would count them after the commit; the demo counts them now (idempotent).
    return records.count_statements(organisation_id=organisation.pk, statement_ids=ids)
