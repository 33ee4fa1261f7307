"""The links of a rendered page, as a new user follows them: the crawl test of every role's
pages (tests/test_crawl.py) and the workday bench (bench/workday.py) read pages through here."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from django.urls import Resolver404, resolve

LOCAL_HOSTS = ("", "testserver")


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def hrefs(html: str) -> list[str]:
    """The ``href`` of every ``<a>`` of the page, in order."""
    parser = _Hrefs()
    parser.feed(html)
    return parser.hrefs


def local_links(page_url: str, html: str) -> Iterator[str]:
    """The same-site links of the page at ``page_url`` as path and query (no fragment), in
    order; links to another site, ``mailto:`` and ``tel:`` are left out."""
    for href in hrefs(html):
        target = urldefrag(urljoin(page_url, href))[0]
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https", "") or parts.netloc not in LOCAL_HOSTS:
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def page_kind(url: str) -> tuple[str, tuple[str, ...]]:
    """A page's kind: its view's name (or the path when nothing resolves) and its query keys."""
    parts = urlsplit(url)
    try:
        name = resolve(parts.path).view_name
    except Resolver404:
        name = parts.path
    return name, tuple(sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}))
