"""The two ways the product writes money and shares, in the active language's number format
(Swedish and Norwegian "1 245 676 kr"-style grouping and a decimal comma): every page, table,
chart label and export that shows an amount or a share goes through these.

* **Money** is written in whole kronor (kroner, euros …), rounded half up: totals, costs per
  participant and per hour alike, so that a column never mixes "312 855" with "67 370,60".
  Öre do not matter in a cost report; the entry form keeps what was entered.
* **Shares** (fractions 0–1) are written as a percentage with a fixed number of decimals —
  one in tables of results, none in prose and goals — rounded half up, never "100,00 %"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format

NBSP = "\u00a0"


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _minus(text: str) -> str:
    return "\u2212" + text[1:] if text.startswith("-") else text


def money_text(amount: Any, currency: str = "") -> str:
    """1250000.4 → "1 250 000" (with ``currency``: "1 250 000 SEK"); empty for no value."""
    if amount is None or amount == "":
        return ""
    whole = _decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    number = number_format(whole, 0, use_l10n=True, force_grouping=True).replace(" ", NBSP)
    return _minus(f"{number}{NBSP}{currency}".strip().rstrip(NBSP))


def share_text(fraction: Any, *, places: int = 1, space: str = NBSP) -> str:
    """0.8254 → "82,5 %" (``places`` decimals, half up); "–" for no value."""
    if fraction is None or fraction == "":
        return "–"
    step = Decimal(1).scaleb(-places)
    rounded = (_decimal(fraction) * 100).quantize(step, rounding=ROUND_HALF_UP)
    return _minus(f"{number_format(rounded, places, use_l10n=True)}{space}%")
