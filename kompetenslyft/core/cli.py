"""Helpers shared by the product's management commands."""

from __future__ import annotations

import os

from django.utils import translation


def activate_cli_language() -> None:
    """Messages on the command line follow LANG (sv…, nb…/no…), English otherwise."""
    lang = (os.environ.get("KOMPETENSLYFT_LANGUAGE") or os.environ.get("LANG") or "").lower()
    if lang.startswith("sv"):
        translation.activate("sv")
    elif lang.startswith(("nb", "no", "nn")):
        translation.activate("nb")
    else:
        translation.activate("en")
