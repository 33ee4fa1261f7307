"""Issue 12, erasure: the nightly retention run pseudonymising 5,000 leavers whose learning record
store holds 1,000,000 statements naming them (200 each, by e-mail or by employee-id account), as
the background task runs it (``retention.services.rules_apply``). An organisation of its own
(``bench-erasure``), seeded afresh each time: the run changes what it touches."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from kompetenslyft.org.imports import PEOPLE_HEADER, UNIT_HEADER

from .runner import BenchContext, Figure, drop_organisation, settle, timed

CODE = "bench-erasure"
LEAVERS = 5_000
STATEMENTS = 1_000_000
HOME = "https://hr.erasure.example"


def _drop() -> None:
    from kompetenslyft.core.models import AuditEntry
    from kompetenslyft.lrs.models import Client, Pseudonym, Statement
    from kompetenslyft.org.models import Organisation
    from kompetenslyft.retention.models import Erasure, RetentionRun

    organisation = Organisation.objects.filter(code=CODE).first()
    if organisation is None:
        return
    using = connection.alias
    with transaction.atomic():
        for model in (Statement, Pseudonym, Erasure, RetentionRun, AuditEntry, Client):
            model.objects.filter(organisation=organisation)._raw_delete(using)
    drop_organisation(CODE)


def _statement(n: int, person: int, email: str) -> dict[str, Any]:
    actor: dict[str, Any] = (
        {"objectType": "Agent", "name": f"Person {person}", "mbox": f"mailto:{email}"}
        if n % 2
        else {"objectType": "Agent", "account": {"homePage": HOME, "name": f"L{person:06d}"}}
    )
    return {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": f"https://kompetenslyft.example/modules/M{n % 100}",
            "definition": {"name": {"sv-SE": f"Modul {n % 100}"}},
        },
        "result": {"score": {"scaled": 0.8}, "completion": True, "duration": "PT25M30S"},
        "context": {"registration": str(uuid.uuid5(uuid.NAMESPACE_URL, f"erasure/{person}/{n % 100}"))},
        "timestamp": "2022-03-01T10:00:00.000Z",
    }


def seed(leavers: int = LEAVERS, statements: int = STATEMENTS) -> Any:
    """The organisation, its leavers (left three years ago) and the statements naming them."""
    from kompetenslyft.core.bulk import bulk_insert
    from kompetenslyft.lrs import keys
    from kompetenslyft.lrs.models import SCOPE_WRITE, Statement
    from kompetenslyft.lrs.services import client_create
    from kompetenslyft.lrs.storage import COLUMNS
    from kompetenslyft.org.imports import import_file
    from kompetenslyft.org.models import Person
    from kompetenslyft.org.services import organisation_create

    _drop()
    organisation = organisation_create(code=CODE, name="Gallring kommun")
    units = [UNIT_HEADER, ["G1", "Gallringsenheten", "", ""]]
    import_file(
        kind="units",
        content="\n".join(",".join(row) for row in units).encode() + b"\n",
        filename="units.csv",
        organisation=organisation,
    )
    lines = [",".join(PEOPLE_HEADER)]
    for person in range(leavers):
        lines.append(
            f"L{person:06d},Lämnare{person},Efternamn{person},G1,undersköterska,"
            f"l{person:06d}@erasure.example,{'woman' if person % 5 else 'man'},sv,2015-01-01"
        )
    import_file(
        kind="people",
        content=("\n".join(lines) + "\n").encode(),
        filename="people.csv",
        organisation=organisation,
    )
    left = timezone.localdate() - dt.timedelta(days=3 * 365)
    Person.objects.filter(organisation=organisation).update(is_active=False, deactivated_on=left)
    with transaction.atomic():
        client, _secret = client_create(organisation=organisation, name="bench", scopes=[SCOPE_WRITE])
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    per_person = max(1, statements // leavers)

    def rows() -> Any:
        for n in range(statements):
            person = (n // per_person) % leavers
            data = _statement(n, person, f"l{person:06d}@erasure.example")
            agents, activities = keys.related(data)
            yield (
                organisation.pk, client.pk, data["id"], now, "1.0.3", keys.agent_key(data["actor"]),
                data["object"]["id"], data["verb"]["id"], data["context"]["registration"], False,
                keys.joined(agents), keys.joined(activities), orjson.dumps(data).decode(), None,
            )  # fmt: skip

    with transaction.atomic():
        bulk_insert(Statement._meta.db_table, COLUMNS, rows())
    settle()
    return organisation


def op_erasure(ctx: BenchContext) -> None:
    from kompetenslyft.lrs.models import Statement
    from kompetenslyft.retention import services
    from kompetenslyft.retention.models import Erasure, RetentionRun

    # At a smaller bench (--people below 50,000) the store shrinks in proportion.
    scale = min(1.0, ctx.synthetic.people / 50_000)
    leavers, statements = max(50, int(LEAVERS * scale)), max(10_000, int(STATEMENTS * scale))
    seconds, organisation = timed(lambda: seed(leavers, statements))
    ctx.report(
        Figure(f"seed {leavers} leavers and {statements} statements naming them", seconds, "s", note="setup")
    )
    seconds, counts = timed(lambda: services.rules_apply(organisation, today=timezone.localdate()))
    done = Erasure.objects.filter(organisation=organisation).count()
    rewritten = sum(Erasure.objects.filter(organisation=organisation).values_list("statements", flat=True))
    still = Statement.objects.filter(
        organisation=organisation, related_agents__contains="erasure.example"
    ).count()
    if counts.get("leavers") != leavers or done != leavers or still:
        raise RuntimeError(f"pseudonymised {done} of {leavers}; {still} statements still name a leaver")
    run = RetentionRun.objects.filter(organisation=organisation).latest("pk")
    ctx.report(
        Figure(
            f"pseudonymise {leavers} leavers, {statements} statements (nightly task, {connection.vendor})",
            seconds,
            "s",
            60.0,
            note=f"{rewritten} statements rewritten, run {run.status} {run.done}/{run.total}",
        )
    )
