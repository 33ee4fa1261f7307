"""Issue 9: every role's workday over HTTP at full size.

Each role of PRODUCT.md gets an account in the bench organisation (a lead, the manager of a
department and of an administration, a trainer with sessions of its own, an employee, a
project leader owning the bench initiative, top management, an evaluator). Its pages are found
as a new user finds them — by following the links from its home page, one page per kind of
link (view and query keys) — and each is then timed over HTTP, served by gunicorn with two
workers, with four concurrent users: p50 and p95 per page, against the issue's 150 ms.

Sessions (a year of them, bookings, registers), support questions and a campaign are seeded
first, so that the pages carry their data."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import threading
from collections import Counter, deque

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kompetenslyft.bench import sampling
from kompetenslyft.core.links import local_links, page_kind
from kompetenslyft.org.models import Organisation, Person, Unit
from kompetenslyft.org.services import account_for_person, grant_add

from .beside import _percentile
from .live import HttpUser, LiveServer
from .runner import BENCH_CODE, BenchContext, Figure, settle

TARGET_MS = 150.0
USERS = 4
REQUESTS_PER_USER = 5
PAGES_PER_ROLE = 45
SESSIONS = 2_000
SUPPORT_QUESTIONS = 5_000

# Links that are not pages of a workday: downloads, log-out, the operator's admin.
SKIPPED_PREFIXES = ("/accounts/", "/admin/", "/language/", "/static/", "/healthz")
SKIPPED_MARKERS = ("format=", "export", "/file", ".csv", ".xlsx", ".pdf", ".ics", "/qr/", "/t/", "/s/")


def discover(client: Client, limit: int = PAGES_PER_ROLE) -> tuple[list[str], list[str]]:
    """The pages reachable by clicking from the home page, one per kind, breadth first; and
    the links that lead nowhere (404, 500: "status path")."""
    queue: deque[str] = deque(["/"])
    seen = {"/"}
    kinds: set[tuple[str, tuple[str, ...]]] = {page_kind("/")}
    pages: list[str] = []
    dead: list[str] = []
    client.raise_request_exception = False
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code == 404 or response.status_code >= 500:
            dead.append(f"{response.status_code} {url}")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.append(url)
        for path in local_links(url, response.content.decode("utf-8", "replace")):
            if path in seen or path.startswith(SKIPPED_PREFIXES) or any(m in path for m in SKIPPED_MARKERS):
                continue
            seen.add(path)
            kind = page_kind(path)
            if kind in kinds:
                continue
            kinds.add(kind)
            queue.append(path)
    return pages, dead


def seed_workday(organisation: Organisation, trainer: Person) -> dict[str, int]:
    """A year of sessions (half past, half coming; three today, one of them the trainer's
    running now), bookings and registers, and support questions routed to the trainer."""
    from kompetenslyft.learning.models import (
        Booking,
        Initiative,
        Module,
        Session,
        SupportContact,
        SupportRequest,
    )

    rnd = random.Random(19)
    Session.objects.filter(organisation=organisation).delete()
    SupportRequest.objects.filter(organisation=organisation).delete()
    SupportContact.objects.filter(person__organisation=organisation).delete()
    modules = list(Module.objects.filter(organisation=organisation).order_by("code"))
    initiative = Initiative.objects.filter(organisation=organisation, code="bench").first()
    if not modules:
        raise RuntimeError("no modules: run the 'learning' operation first")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True).values_list("pk", "unit_id")
    )
    # At 50,000 people the year's sessions and questions the issue names; a small organisation
    # (the suite's) gets its share, so that its run stays short.
    session_count = min(SESSIONS, max(40, len(people) // 25))
    question_count = min(SUPPORT_QUESTIONS, max(60, len(people) // 10))
    with transaction.atomic():
        sessions = []
        for index in range(session_count):
            offset = dt.timedelta(days=rnd.randint(-180, 180), hours=rnd.randint(-4, 4))
            if index < 3:
                offset = dt.timedelta(hours=index - 1)  # today: one running, one past, one coming
            sessions.append(
                Session(
                    organisation=organisation,
                    module=modules[index % len(modules)],
                    initiative=initiative if index % 2 == 0 else None,
                    starts_at=now + offset,
                    duration_minutes=120,
                    place=f"Lokal {index % 40}",
                    capacity=30,
                )
            )
        Session.objects.bulk_create(sessions, batch_size=500)
        saved = list(Session.objects.filter(organisation=organisation).order_by("pk"))
        through = Session.trainers.through
        through.objects.bulk_create(
            [through(session_id=s.pk, person_id=trainer.pk) for s in saved[:60]], batch_size=500
        )
        bookings = []
        for session in saved:
            for person_id, _unit in rnd.sample(people, min(25, len(people))):
                bookings.append(Booking(session=session, person_id=person_id, status=Booking.Status.BOOKED))
        Booking.objects.bulk_create(bookings, batch_size=2_000)
        SupportContact.objects.create(person=trainer, unit=trainer.unit)
        topics = ["Lifecare", "Outlook", "Teams", "Intranätet", "Avvikelser", "Mobilappen"]
        below = (
            list(
                Person.objects.filter(
                    organisation=organisation, is_active=True, unit__path__startswith=trainer.unit.path
                ).values_list("pk", "unit_id")[:2_000]
            )
            or people[:2_000]
        )
        questions = []
        for index in range(question_count):
            person_id, unit_id = below[index % len(below)] if index % 5 == 0 else rnd.choice(people)
            answered = index % 3 != 0
            questions.append(
                SupportRequest(
                    organisation=organisation,
                    person_id=person_id,
                    unit_id=unit_id,
                    topic=topics[index % len(topics)],
                    question=f"Hur gör jag {index}?",
                    answer="Så här gör du." if answered else "",
                    answered_by=trainer if answered else None,
                    answered_at=now if answered else None,
                )
            )
        SupportRequest.objects.bulk_create(questions, batch_size=1_000)
    settle()
    return {"sessions": len(saved), "bookings": len(bookings), "questions": len(questions)}


def _person_client(person: Person, role: str | None = None) -> Client:
    user = account_for_person(person=person)
    if role:
        grant_add(user=user, organisation=person.organisation, role=role)
    client = Client()
    client.force_login(user)
    return client


def role_clients(organisation: Organisation) -> tuple[dict[str, Client], Person]:
    """One client per role, each a person of the bench organisation with that role."""
    from kompetenslyft.learning.models import Initiative

    units = Unit.objects.filter(organisation=organisation, manager__isnull=False).select_related("manager")
    administration = units.filter(depth=0).order_by("unit_id").first()
    department = units.filter(depth=1).order_by("unit_id").first()
    if administration is None or department is None:
        raise RuntimeError("the bench organisation has no managers; run `bench seed` first")
    plain = Person.objects.filter(organisation=organisation, is_active=True, unit__depth=2).exclude(
        pk__in=units.values("manager_id")
    )
    picked = list(plain.order_by("pk")[:6])
    if len(picked) < 6:
        raise RuntimeError("the bench organisation is too small for the workday bench")
    employee, trainer, lead, leader, top, evaluator = picked
    initiative = Initiative.objects.filter(organisation=organisation, code="bench").first()
    if initiative is not None:
        initiative.owners.add(leader)
    if administration.manager is None or department.manager is None:
        raise RuntimeError("the bench organisation's units have no managers")
    clients = {
        "employee": _person_client(employee),
        "manager of a department": _person_client(department.manager),
        "manager of an administration": _person_client(administration.manager),
        "trainer": _person_client(trainer, "trainer"),
        "lead": _person_client(lead, "lead"),
        "project leader": _person_client(leader, "project_leader"),
        "top management": _person_client(top, "top_management"),
        "evaluator": _person_client(evaluator, "evaluator"),
    }
    return clients, trainer


def _time_page(
    server: LiveServer, cookie: str, path: str, requests: int = REQUESTS_PER_USER
) -> tuple[list[float], set[int], int]:
    """Four users at once, each asking for the page a few times: (ms samples, statuses, bytes)."""
    samples: list[float] = []
    statuses: set[int] = set()
    size = 0
    lock = threading.Lock()

    def user() -> None:
        nonlocal size
        client = HttpUser(server.url)
        client.set_cookie(settings.SESSION_COOKIE_NAME, cookie)
        for _ in range(sampling.count(requests)):
            status, body, seconds = client.request(path)
            with lock:
                samples.append(seconds * 1000)
                statuses.add(status)
                size = max(size, len(body.encode()))

    # Until every worker has answered the page once: each process keeps its own memos (a
    # summary's figures, a release), and a process's first answer after a change is not what
    # a user of a running server meets on every page.
    warmers = []
    for _ in range(server.workers):
        warmer = HttpUser(server.url)
        warmer.set_cookie(settings.SESSION_COOKIE_NAME, cookie)
        warmers.append(warmer)
    server.warm(warmers, path, rounds=2 if sampling.QUICK else 10)
    # A quick run (the suite's) shows that every page answers; two users are enough for that.
    threads = [threading.Thread(target=user) for _ in range(2 if sampling.QUICK else USERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples, statuses, size


def op_workday(ctx: BenchContext) -> None:
    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    clients, trainer = role_clients(organisation)
    seeded = seed_workday(organisation, trainer)
    ctx.report(
        Figure(
            f"seed {seeded['sessions']} sessions, {seeded['bookings']} bookings, "
            f"{seeded['questions']} support questions",
            0.0,
            "s",
            note="setup",
        )
    )
    # The tests run the bench on a few hundred people: there a glance at each kind of page is
    # enough to show that every one answers.
    full = ctx.synthetic.people >= 5_000
    all_p95: list[float] = []
    over: Counter[str] = Counter()
    with LiveServer(workers=2) as server:
        for role, client in clients.items():
            pages, dead = discover(client, PAGES_PER_ROLE if full else 8)
            for problem in dead:
                over[role] += 1
                ctx.report(
                    Figure(f"{role}: a link answers {problem}"[:58], 0.0, "ms", note=f"status [{problem}]")
                )
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            for path in pages:
                samples, statuses, size = _time_page(server, cookie, path, REQUESTS_PER_USER if full else 1)
                p95 = _percentile(samples, 0.95)
                all_p95.append(p95)
                name, keys = page_kind(path)
                label = f"{role}: {name}" + (f" ?{','.join(keys)}" if keys else "")
                status_note = "" if statuses == {200} else f" status {sorted(statuses)}"
                figure = Figure(
                    label[:58],
                    p95,
                    "ms",
                    TARGET_MS,
                    note=f"p95 of {USERS} users; p50 {statistics.median(samples):.0f} ms; "
                    f"{size // 1024} KB{status_note}",
                )
                if figure.met is False or statuses != {200}:
                    over[role] += 1
                ctx.report(figure)
    ctx.report(
        Figure(
            f"workday pages timed: {len(all_p95)}, over {TARGET_MS:g} ms or failing: {sum(over.values())}",
            max(all_p95, default=0.0),
            "ms",
            note="worst p95",
        )
    )
