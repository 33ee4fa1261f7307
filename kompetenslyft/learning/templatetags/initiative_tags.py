"""Shares as percentages and money with its currency, in the page's language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

NBSP = "\u00a0"


@register.filter
def percent(fraction: Any) -> str:
    """0.8 → "80 %", 0.825 → "82,5 %" (Swedish); empty for no value."""
    if fraction is None or fraction == "":
        return ""
    return f"{floatformat(Decimal(str(fraction)) * 100, -1)}{NBSP}%"


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """1250000 → "1 250 000 SEK" with the language's thousands separator (öre only if any)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    digits = "0g" if value == value.to_integral_value() else "2g"
    number = floatformat(value, digits).replace(" ", NBSP)
    return f"{number}{NBSP}{currency}".strip()
