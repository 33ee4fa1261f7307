"""Issue 9, the manager's workday: the team view (whole subtree, paged) and the proposals page
of the bench initiative, for a department's manager and for the lead (the whole organisation),
in-process (median) and over HTTP (gunicorn, two workers; one and four concurrent users, p95;
each page answered once by every worker before it is timed). ``bench run --only manager``."""

from __future__ import annotations

import statistics
from typing import Any
from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from kompetenslyft.org.models import Organisation, Person, Unit
from kompetenslyft.org.services import account_for_person

from .beside import _over_http
from .funder import _concurrent, _percentile
from .live import LiveServer
from .runner import (
    BENCH_CODE,
    BenchContext,
    Figure,
    _lead_client,
    _median_ms,
    _seed_requirements,
    settle,
    timed,
)

TARGET_MS = 150.0


def _bench_initiative(ctx: BenchContext, organisation: Organisation) -> Any:
    """The 'learning' operation's initiative, or one made here (proposals, no attendance)."""
    from kompetenslyft.competence.models import Requirement
    from kompetenslyft.learning.models import Initiative
    from kompetenslyft.learning.services import initiative_create, proposals_generate

    from .runner import _bench_modules

    initiative = Initiative.objects.filter(organisation=organisation, code="bench").first()
    if initiative is not None and initiative.proposals.exists():
        return initiative
    if not Requirement.objects.filter(organisation=organisation).exists():
        _seed_requirements(organisation)
    if initiative is None:
        tops = list(Unit.objects.filter(organisation=organisation, parent__isnull=True))
        initiative = initiative_create(
            organisation=organisation,
            code="bench",
            name="Bench",
            units=tops,
            modules=_bench_modules(organisation),
        )
    seconds, people = timed(lambda: proposals_generate(initiative_id=initiative.pk))
    ctx.report(Figure(f"assignment proposals for {people} people", seconds, "s", note="setup"))
    return initiative


def op_manager(ctx: BenchContext) -> None:
    from kompetenslyft.learning.models import Proposal

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    initiative = _bench_initiative(ctx, organisation)
    department = (
        Unit.objects.filter(organisation=organisation, depth=1, manager__isnull=False)
        .order_by("unit_id")
        .first()
    )
    if department is None or department.manager is None:
        raise RuntimeError("the bench organisation has no department manager; run `bench seed`")
    manager = Client()
    manager.force_login(account_for_person(person=department.manager))
    lead = _lead_client(organisation)
    subtree = Person.objects.filter(is_active=True, unit__path__startswith=department.path).count()
    everyone = Person.objects.filter(organisation=organisation, is_active=True).count()
    proposals = Proposal.objects.filter(initiative=initiative)
    mine = proposals.filter(person__unit__path__startswith=department.path).count()
    team_url = reverse("learning:team")
    proposals_url = reverse("learning:proposals", args=[initiative.pk])
    pages: list[tuple[str, Client, str, dict[str, Any]]] = [
        (f"manager's team, whole subtree ({subtree} people, 50 a page)", manager, team_url, {}),
        (f"manager's proposals page ({mine} people, 50 a page)", manager, proposals_url, {}),
        (f"lead's team, whole organisation ({everyone} people)", lead, team_url, {}),
        (f"lead's proposals page ({proposals.count()} people)", lead, proposals_url, {}),
        ("  … lead's proposals, only those to confirm", lead, proposals_url, {"status": "proposed"}),
    ]
    settle()
    with LiveServer() as server:
        for name, client, url, params in pages:
            ctx.report(Figure(f"{name}, in-process median", _median_ms(client, url, params), "ms", TARGET_MS))
            path = url + ("?" + urlencode(params) if params else "")
            server.warm([_over_http(server, client) for _ in range(2)], path)
            alone = _concurrent([_over_http(server, client)], path, 11)
            ctx.report(Figure("  … over HTTP, 1 user, median", statistics.median(alone), "ms"))
            four = _concurrent([_over_http(server, client) for _ in range(4)], path, 10)
            ctx.report(
                Figure("  … over HTTP, 4 concurrent users, p95", _percentile(four, 0.95), "ms", TARGET_MS)
            )
        # A status needing the completed modules is worked out for the subtree's assigned people.
        url = team_url + "?" + urlencode({"status": "not_started"})
        ctx.report(
            Figure(
                "manager's team, status 'not started', in-process median", _median_ms(manager, url, {}), "ms"
            )
        )
