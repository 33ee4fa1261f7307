"""Reports of the command line (`kompetenslyft report NAME --format json`), registered by the
apps that own their data. Each report is a function from options to a JSON-able dict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class ReportInputError(Exception):
    """Refused input (an unknown unit, role, organisation …), exit status 2."""


@dataclass(frozen=True)
class Report:
    name: str
    build: Callable[..., dict[str, Any]]
    arguments: Callable[[Any], None]


REPORTS: dict[str, Report] = {}


def register(name: str, *, build: Callable[..., dict[str, Any]], arguments: Callable[[Any], None]) -> None:
    REPORTS[name] = Report(name, build, arguments)
