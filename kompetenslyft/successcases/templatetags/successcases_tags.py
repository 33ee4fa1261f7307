"""Presentation helpers of the success-case page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

FIGURES = ("before", "after", "gain", "talks", "applying", "movement", "indicator", "score")


@register.filter
def with_figures(rows: list[Any]) -> tuple[list[Any], int]:
    """The rows that have at least one figure to show, and how many rows were left out because
    every figure of theirs is hidden (a small group) or missing (no data yet)."""
    shown = [r for r in rows if any(getattr(r, name, None) is not None for name in FIGURES)]
    return shown, len(rows) - len(shown)
