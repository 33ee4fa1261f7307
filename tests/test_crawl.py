"""Every link the product renders leads somewhere the viewer may go.

For each role, log in, start at the home page and follow every same-site ``<a href>`` (GET
only), with DEBUG off as in the demo: no link may answer 404 or 500. The demo network gives
the richest pages (campaigns, heatmaps, initiatives, sessions); the small ``network`` fixture
gives the empty states of a new installation."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kompetenslyft.core.links import local_links, page_kind

MAX_PAGES = 400  # per role
MAX_PER_KIND = 12  # pages of one view with the same query keys (1,300 person pages say little more)


def crawl(client: Client, *, superuser: bool = False) -> tuple[list[str], int]:
    """Follows the links from the home page; returns the dead ones ("status url ← page")."""
    client.raise_request_exception = False
    queue: list[tuple[str, str]] = [("/", "(start)")]
    seen: set[str] = {"/"}
    kinds: Counter[tuple[str, tuple[str, ...]]] = Counter()
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url, source = queue.pop(0)
        visited += 1
        response = client.get(url)
        if response.status_code in (404, 500) or response.status_code >= 500:
            problems.append(f"{response.status_code} {url} ← {source}")
            continue
        if response.status_code in (301, 302):
            target = urljoin(url, response["Location"])
            if target not in seen and urlsplit(target).netloc in ("", "testserver"):
                seen.add(target)
                queue.append((target, url))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        for local in local_links(url, response.content.decode()):  # not another site, mailto:, tel:
            if not local or local in seen:
                continue
            if local.startswith("/admin/") and not superuser:
                problems.append(f"link to the admin {local} ← {url}")
                continue
            if local.startswith(("/accounts/logout/", "/language/")):
                continue  # POST-only forms, not links
            kind = page_kind(local)
            if kinds[kind] >= MAX_PER_KIND:
                continue
            kinds[kind] += 1
            seen.add(local)
            queue.append((local, url))
    return problems, visited


DEMO_ROLES = [
    "lead",
    "project-leader",
    "trainer",
    "manager",
    "employee",
    "top-management",
    "evaluator",
    "lead-fjellvik",
    "admin",
]


@pytest.mark.django_db
def test_every_link_in_the_demo_leads_somewhere(settings: Any) -> None:
    from kompetenslyft.org.demo import load_demo

    settings.DEBUG = False
    load_demo()
    users = get_user_model().objects.in_bulk(DEMO_ROLES, field_name="username")
    report: list[str] = []
    for username in DEMO_ROLES:
        client = Client()
        client.force_login(users[username])
        problems, visited = crawl(client, superuser=users[username].is_superuser)
        assert visited > 3, f"{username} reached only {visited} pages"
        report += [f"{username}: {p}" for p in problems]
    assert not report, "\n".join(report)


@pytest.mark.django_db
def test_every_link_in_a_new_installation_leads_somewhere(network: Any, settings: Any) -> None:
    settings.DEBUG = False
    report: list[str] = []
    for person in (
        network.lead,
        network.manager,
        network.employee,
        network.top,
        network.trainer,
        network.project_leader,
    ):
        client = Client()
        client.force_login(person.user)
        problems, _visited = crawl(client)
        report += [f"{person.user.username}: {p}" for p in problems]
    client = Client()
    client.force_login(network.evaluator)
    problems, _visited = crawl(client)
    report += [f"evaluator: {p}" for p in problems]
    assert not report, "\n".join(report)
