"""Issue 7: every page timed with all its data in place (in-process and over HTTP), and the
gap rebuild in a worker process with log-ins and answer saves beside it."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from kompetenslyft.bench import sampling
from kompetenslyft.org.models import Organisation, Person, Role, Unit
from kompetenslyft.org.services import account_for_person

from .live import HttpUser, LiveServer
from .runner import BENCH_CODE, BenchContext, Figure, _lead_client, _median_ms


def _http_median_ms(user: HttpUser, url: str, params: dict[str, Any], runs: int = 11) -> float:
    path = url + ("?" + urlencode(params) if params else "")
    user.request(path)  # warm up
    samples = []
    for _ in range(sampling.count(runs)):
        status, _body, seconds = user.request(path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} over HTTP")
        samples.append(seconds * 1000)
    return statistics.median(samples)


def _over_http(server: LiveServer, client: Client) -> HttpUser:
    """The same logged-in session as the in-process client, in an HTTP client."""
    user = HttpUser(server.url)
    user.set_cookie(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value)
    return user


def op_pages(ctx: BenchContext) -> None:
    """The pages, timed once the answers, proposals and attendance are all loaded; in-process
    and over HTTP (a live server in this process)."""
    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    lead = _lead_client(organisation)
    admin = Unit.objects.filter(organisation=organisation, depth=0).order_by("unit_id").first()
    admin_pk = admin.pk if admin else 0
    role_pk = Role.objects.filter(organisation=organisation).values_list("pk", flat=True).first() or 0
    person = (
        Person.objects.filter(organisation=organisation, is_active=True, unit__depth=2).order_by("pk").first()
    )
    department = (
        Unit.objects.filter(organisation=organisation, depth=1, manager__isnull=False)
        .order_by("unit_id")
        .first()
    )
    if person is None or department is None or department.manager is None:
        raise RuntimeError("the bench organisation has no employee or department manager; run `bench seed`")
    employee = Client()
    employee.force_login(account_for_person(person=person))
    manager = Client()
    manager.force_login(account_for_person(person=department.manager))
    size = Person.objects.filter(is_active=True, unit__path__startswith=department.path).count()
    gaps_url = reverse("assessment:gaps")
    pages: list[tuple[str, Client, str, dict[str, Any], float]] = [
        ("gap heatmap, whole organisation, median", lead, gaps_url, {}, 500.0),
        (
            "gap heatmap, one administration (~5,000 people), median",
            lead,
            gaps_url,
            {"unit": admin_pk},
            200.0,
        ),
        (
            "  … with a role filter and measurement point 0, median",
            lead,
            gaps_url,
            {"unit": admin_pk, "point": 0, "role": role_pk},
            200.0,
        ),
        # Every cell through the disclosure control (the organisation's release, cached per
        # summary version: the median is the cached case, the first request computes it).
        (
            "gap heatmap as an external evaluator, whole organisation, median",
            _lead_client(organisation, "evaluator"),
            gaps_url,
            {},
            500.0,
        ),
        ("employee journey page, median", employee, reverse("learning:me"), {}, 100.0),
        (
            f"manager's team view ({size} people), median",
            manager,
            reverse("learning:team"),
            {"unit": department.pk, "below": "1"},
            250.0,
        ),
    ]
    with LiveServer() as server:
        for name, client, url, params, target in pages:
            ctx.report(Figure(name, _median_ms(client, url, params), "ms", target, note="all data loaded"))
            http_ms = _http_median_ms(_over_http(server, client), url, params)
            ctx.report(Figure("  … over HTTP, median", http_ms, "ms", target))
    # The evaluator's first page after a change to the summary computes the release anew.
    from kompetenslyft.assessment.gaps import summary_changed

    summary_changed(organisation.pk)
    evaluator = pages[3][1]
    started = time.perf_counter()
    evaluator.get(gaps_url)
    ctx.report(
        Figure(
            "  … the evaluator's first page after a change to the summary (release computed)",
            (time.perf_counter() - started) * 1000,
            "ms",
        )
    )


@dataclass
class Beside:
    """What log-ins and answer saves saw while background work ran."""

    logins: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else 0.0


def _answerers(organisation: Organisation, password: str, count: int) -> list[tuple[str, int, list[int]]]:
    """A small open campaign and a few of its people: (username, campaign id, competence ids)."""
    import datetime as dt

    from django.utils import timezone

    from kompetenslyft.assessment.models import Campaign, Participant
    from kompetenslyft.assessment.services import campaign_create, campaign_generate
    from kompetenslyft.competence.selectors import RequirementIndex

    Campaign.objects.filter(organisation=organisation, name="Bench beside").delete()
    unit = (
        Unit.objects.filter(organisation=organisation, depth=2, people__is_active=True)
        .order_by("unit_id")
        .first()
    )
    if unit is None:
        raise RuntimeError("the bench organisation has no unit with people")
    today = timezone.localdate()
    campaign = campaign_create(
        organisation=organisation,
        name="Bench beside",
        measurement_point=2,
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        units=[unit],
        roles=[],
    )
    campaign_generate(campaign_id=campaign.pk, invite=False)
    index = RequirementIndex(organisation)
    found = []
    for participant in Participant.objects.filter(campaign=campaign).select_related("person")[:count]:
        person = participant.person
        user = account_for_person(person=person, password=password)
        found.append(
            (user.get_username(), campaign.pk, list(index.for_group(person.unit_id, person.role_id)))
        )
    if not found:
        raise RuntimeError("the bench campaign has no participants")
    return found


def _beside(
    server: LiveServer,
    logins: list[str],
    answerers: list[tuple[str, int, list[int]]],
    password: str,
    work: Callable[[], Any],
    minimum: int = 5,
) -> tuple[Any, Beside]:
    """Run ``work`` while threads log in (one after another, each as a new browser) and save
    answers (as the questionnaire's script does, a few a second each), over HTTP."""
    import random
    import threading

    seen = Beside()
    stop = threading.Event()
    login_path = reverse("login")

    def log_in(username: str) -> None:
        while not stop.is_set():
            ok, seconds, error = HttpUser(server.url).log_in(login_path, username, password)
            if ok:
                seen.logins.append(seconds * 1000)
            else:
                seen.errors.append(f"log-in {error}")
            stop.wait(0.5)  # people logging in, not a flood: about two a second per thread

    def answer(username: str, campaign_pk: int, competences: list[int]) -> None:
        rnd = random.Random(username)
        browser = HttpUser(server.url)
        ok, _seconds, error = browser.log_in(login_path, username, password)
        if not ok:
            seen.errors.append(f"answerer log-in {error}")
            return
        path = reverse("assessment:answer", args=[campaign_pk])
        while not stop.is_set():
            levels = {
                f"competence-{c}": rnd.randint(0, 4)
                for c in rnd.sample(competences, min(2, len(competences)))
            }
            status, body, seconds = browser.post_fetch(path, levels)
            if status == 200:
                seen.answers.append(seconds * 1000)
            else:
                seen.errors.append(f"answer: {status} {body[:120]!r}")
            stop.wait(0.5)

    threads = [threading.Thread(target=log_in, args=(u,), daemon=True) for u in logins]
    threads += [threading.Thread(target=answer, args=a, daemon=True) for a in answerers]
    for thread in threads:
        thread.start()
    try:
        result = work()
        deadline = time.perf_counter() + 60
        while (len(seen.logins) < minimum or len(seen.answers) < minimum) and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=90)
    return result, seen


def _rebuild_in_process_of_its_own(organisation: Organisation) -> dict[str, Any]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .child import rebuild_in_child

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(rebuild_in_child, organisation.pk, str(connection.settings_dict["NAME"])).result()


def _report_beside(ctx: BenchContext, title: str, result: dict[str, Any], seen: Beside) -> None:
    ctx.report(
        Figure(
            f"{title} ({result['cells']} cells)",
            result["seconds"],
            "s",
            note=f"{result['chunks']} chunks, {result['written']} rows written, beside log-ins and answers",
        )
    )
    ctx.report(
        Figure(
            "  … longest hold of the write lock by one chunk",
            result["longest_chunk"] * 1000,
            "ms",
            note=f"{result['longest_chunk_cpu'] * 1000:.0f} ms of it on the CPU",
        )
    )
    ctx.report(
        Figure(
            "  … peak memory of the rebuild process",
            result["rss_peak_mb"],
            "MB",
            400.0,
            note=f"{result['rss_before_mb']:.0f} MB before it started",
        )
    )
    for name, samples in (("log-ins", seen.logins), ("answer saves", seen.answers)):
        ctx.report(
            Figure(
                f"  … {name} over HTTP meanwhile, p95",
                _percentile(samples, 0.95),
                "ms",
                500.0,
                note=f"p50 {_percentile(samples, 0.5):.0f} ms, max {max(samples, default=0):.0f} ms, n={len(samples)}",
            )
        )
    ctx.report(
        Figure(
            "  … log-ins and answer saves that failed",
            len(seen.errors),
            "errors",
            0.0,
            note=seen.errors[0][:160] if seen.errors else "",
        )
    )


def op_rebuild(ctx: BenchContext) -> None:
    """The gap rebuild over an existing summary, and into an empty one (every cell written),
    each in a process of its own as the worker runs it, with log-ins and answer saves over
    HTTP beside it."""
    import secrets

    from kompetenslyft.assessment import gaps
    from kompetenslyft.assessment.models import GapCell

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    if not GapCell.objects.filter(organisation=organisation).exists():
        gaps.rebuild(organisation)  # the summary to rebuild over
    password = f"bench-{secrets.token_hex(8)}"
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True, unit__depth=1).order_by("pk")[:2]
    )
    logins = [account_for_person(person=p, password=password).get_username() for p in people]
    answerers = _answerers(organisation, password, count=2)
    with LiveServer() as server:
        _result, alone = _beside(server, logins, answerers, password, lambda: time.sleep(3))
        for name, samples in (("log-ins", alone.logins), ("answer saves", alone.answers)):
            ctx.report(
                Figure(
                    f"{name} over HTTP with nothing else running, p95",
                    _percentile(samples, 0.95),
                    "ms",
                    500.0,
                    note=f"p50 {_percentile(samples, 0.5):.0f} ms, n={len(samples)}, {len(alone.errors)} errors",
                )
            )
        result, seen = _beside(
            server, logins, answerers, password, lambda: _rebuild_in_process_of_its_own(organisation)
        )
        _report_beside(ctx, "gap rebuild over an existing summary, in a worker process", result, seen)
        GapCell.objects.filter(organisation=organisation)._raw_delete(connection.alias)
        result, seen = _beside(
            server, logins, answerers, password, lambda: _rebuild_in_process_of_its_own(organisation)
        )
        _report_beside(ctx, "gap rebuild into an empty summary, in a worker process", result, seen)
