"""A small explicit registry of "this changed" callbacks between apps, so that a lower app
(org, competence) can tell a higher one (assessment) without importing it.

Callbacks run inside the caller's transaction; they should only enqueue work
(``transaction.on_commit``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

_subscribers: dict[str, list[Callable[[Any], None]]] = {}


def subscribe(kinds: Iterable[str], callback: Callable[[Any], None]) -> None:
    for kind in kinds:
        if callback not in _subscribers.setdefault(kind, []):
            _subscribers[kind].append(callback)


def changed(kind: str, organisation: Any) -> None:
    for callback in _subscribers.get(kind, []):
        callback(organisation)
