"""The one way money and shares are written (core.numbers): whole kronor with the language's
thousands separator, shares with a fixed number of decimals, half up, in the language's format."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from kompetenslyft.core.numbers import money_text, share_text
from kompetenslyft.evaluation.dashboard_page import Value
from kompetenslyft.learning.templatetags.initiative_tags import money, percent

NB = "\u00a0"


def test_money_is_whole_kronor_with_the_thousands_separator() -> None:
    with translation.override("sv"):
        assert money_text(Decimal("505675.60"), "SEK") == f"505{NB}676{NB}SEK"
        assert money_text(Decimal("845.49")) == "845"
        assert money_text(Decimal("312855")) == f"312{NB}855"
        assert money_text(None) == ""
        # the filter and the dashboard's money cells are the same helper: no "67 370,60"
        # beside "312 855" in a column
        assert money(Decimal("67370.60"), "SEK") == f"67{NB}371{NB}SEK"
        assert Value(67370.6, "money").text("") == f"67{NB}371"
    with translation.override("en"):
        assert money_text(Decimal("1245.5")) == "1,246"


def test_shares_have_fixed_decimals_never_two() -> None:
    with translation.override("sv"):
        assert share_text(1) == f"100,0{NB}%"
        assert share_text(Decimal("0.825"), places=0) == f"83{NB}%"
        assert share_text(1 / 7) == f"14,3{NB}%"
        assert percent(Decimal("0.8")) == f"80{NB}%"  # goals: whole per cent
        assert Value(0.742, "pct").text("") == "74,2 %"
        assert Value(1.0, "pct").text("") == "100,0 %"
        assert share_text(None) == "–"
