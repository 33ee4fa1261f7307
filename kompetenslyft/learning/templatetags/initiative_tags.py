"""Shares as percentages and money with its currency, in the page's language."""

from __future__ import annotations

from typing import Any

from django import template

from kompetenslyft.core.numbers import money_text, share_text

register = template.Library()


@register.filter
def percent(fraction: Any) -> str:
    """0.8 → "80 %" (whole per cent: goals and their results, in prose); empty for no value."""
    if fraction is None or fraction == "":
        return ""
    return share_text(fraction, places=0)


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """1250000 → "1 250 000 SEK": whole kronor, the language's thousands separator."""
    return money_text(amount, currency)
