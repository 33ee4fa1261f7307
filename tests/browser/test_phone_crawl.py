"""Every role's pages on a 390 px phone: no overflow, no axe violation, no 404 and no 500.

For each demo role, log in on a phone-sized context, start at the home page and follow the
same-site links the pages render, breadth first (GET only; every URL visited was a link on a
page, none is typed). On each page: the status is not 404 or 500, nothing is wider than the
screen (``scrollWidth <= 390``) and axe-core finds no WCAG 2.1 AA violation, nor a scrollable
region a keyboard cannot reach (``scrollable-region-focusable``, outside the WCAG tags in
axe). The crawl is bounded (pages per role, pages per view and query keys) and the failure
lists every page with every problem, so that new pages are caught as they are added.

A page of one view with the same query keys (one *pattern*: a session, another session …) is
rendered and checked once — layout and axe depend on the template, not on which row is shown
— by the first role that reaches it; only the home page, which differs most between roles, is
checked for every role. Further links of a pattern already checked are still fetched in the
same logged-in context and must not answer 404 or 500 (that costs a request, not a render and
an axe run)."""

from __future__ import annotations

from collections import Counter, deque
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve

from kompetenslyft.org.demo import DEMO_PASSWORD, load_demo

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
MAX_PAGES = 30  # pages rendered per role (each of a pattern not rendered before)
MAX_PER_KIND = 3  # links of one pattern (view and query keys) followed: the first rendered
ROLES = ["lead", "manager", "trainer", "employee", "project-leader", "top-management", "evaluator"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "rules": {"scrollable-region-focusable": {"enabled": True}},
    "resultTypes": ["violations"],
}
# Links that are not pages: downloads, and the POST-only forms' addresses.
NOT_PAGES = (".csv", ".xlsx", ".pdf", ".ics", ".zip", ".json")
SKIPPED_PREFIXES = ("/accounts/logout/", "/language/", "/admin/", "/static/", "/media/")
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.table-scroll, .table-wrap')) {
      const inner = [...el.children].some(c => c.getBoundingClientRect().right > width + 1);
      if (!inner) wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
        + ' "' + (el.textContent || '').trim().slice(0, 40) + '"');
    }
  }
  return {scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 3)};
}"""


def _kind(url: str) -> tuple[str, tuple[str, ...]]:
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}))


def _is_page(local: str) -> bool:
    parts = urlsplit(local)
    query = dict(parse_qsl(parts.query))
    return (
        not parts.path.endswith(NOT_PAGES)
        and not parts.path.startswith(SKIPPED_PREFIXES)
        and query.get("format") not in ("xlsx", "pdf", "csv")
    )


def _log_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Användarnamn eller e-post").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def crawl(page: Any, axe: Any, origin: str, checked: set[Any]) -> tuple[list[str], int]:
    """Visits the role's pages from the one it lands on; returns (problems, pages rendered).
    ``checked`` holds the patterns earlier roles rendered: this role only fetches those."""
    start = urlsplit(page.url).path or "/"
    # Pages of a view not met yet go first, so that the bound covers as many views as it can.
    fresh: deque[tuple[str, str]] = deque([(start, "(home)")])
    again: deque[tuple[str, str]] = deque()
    fetch: list[tuple[str, str]] = []  # further instances of a rendered pattern: status only
    seen: set[str] = {start}
    views: set[str] = {_kind(start)[0]}
    kinds: Counter[tuple[str, tuple[str, ...]]] = Counter({_kind(start): 1})
    problems: list[str] = []
    visited = 0
    while (fresh or again) and visited < MAX_PAGES:
        url, source = fresh.popleft() if fresh else again.popleft()
        visited += 1
        checked.add(_kind(url))
        response = page.goto(url)
        status = response.status if response is not None else 0
        if status in (404, 500) or status >= 500:
            problems.append(f"{url}: status {status} (linked from {source})")
            continue
        layout = page.evaluate(OVERFLOW)
        if layout["scroll"] > WIDTH:
            problems.append(f"{url}: {layout['scroll']} px wide > {WIDTH}: {'; '.join(layout['wide'])}")
        results = axe.run(page, options=AXE_OPTIONS)
        for violation in results.response["violations"]:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            problems.append(f"{url}: axe {violation['id']} ×{len(violation['nodes'])} at {targets}")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            target, _fragment = urldefrag(href)
            parts = urlsplit(target)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue  # another site, mailto:, tel:
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local in seen or not _is_page(local):
                continue
            kind = _kind(local)
            if kinds[kind] >= MAX_PER_KIND:
                continue
            kinds[kind] += 1
            seen.add(local)
            if kinds[kind] > 1 or kind in checked:
                fetch.append((local, url))  # the pattern is rendered already (or queued)
            elif kind[0] in views:
                again.append((local, url))
            else:
                views.add(kind[0])
                fresh.append((local, url))
    for url, source in fetch:
        status = page.request.get(url, max_redirects=5).status
        if status in (404, 500) or status >= 500:
            problems.append(f"{url}: status {status} (linked from {source})")
    return problems, visited


def test_every_role_on_a_phone(browser: Any, live_server: Any, axe: Any) -> None:
    load_demo()
    report: list[str] = []
    checked: set[Any] = set()
    rendered: dict[str, int] = {}
    for username in ROLES:
        context = browser.new_context(
            base_url=live_server.url,
            bypass_csp=True,
            locale="sv-SE",
            viewport={"width": WIDTH, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            _log_in(page, username)
            problems, visited = crawl(page, axe, live_server.url, checked)
        finally:
            context.close()
        rendered[username] = visited
        report += [f"{username}: {problem}" for problem in problems]
    # Every role renders its home page and the patterns no earlier role reached.
    assert all(rendered.values()) and sum(rendered.values()) > 40, rendered
    assert not report, f"{len(report)} problems on a {WIDTH} px phone:\n" + "\n".join(report)
