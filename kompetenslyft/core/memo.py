"""A small per-process memo for figures derived from a versioned summary.

Reports derive the same figures again and again from summaries that change only when their
data do (the gap summary, the participation summary, the evaluation summary: each raises a
version in the same transaction as every write). A memo keyed by that version (and, where the
version can repeat after a restore or a test's rollback, by an epoch that cannot) serves them
until the next change; a stale entry is never used, only evicted. Each process keeps its own
(nothing another process needs): a process that has not seen a key computes it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")


class Memo:
    """``memo.get(key, compute)``: the value kept under ``key``, or ``compute()`` kept there.
    Holds the ``kept`` most recently used keys; thread-safe (web workers run threads). Two
    threads missing the same key both compute it; both results are equal."""

    def __init__(self, kept: int = 64) -> None:
        self.kept = kept
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.kept:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
