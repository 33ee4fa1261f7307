"""A network with two modules on a confirmed proposal (records that count, the platform's own
statements, cmi5)."""

from __future__ import annotations

from typing import Any

import pytest

from .setup import prepare


@pytest.fixture
def work(network: Any) -> Any:
    return prepare(network)
