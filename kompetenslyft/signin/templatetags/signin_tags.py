from __future__ import annotations

from typing import Any

from django import template

from ..config import providers_for_login

register = template.Library()


@register.inclusion_tag("signin/_providers.html")
def sign_in_providers() -> dict[str, Any]:
    """The log-in page's "Sign in with …" links, one per organisation with a provider."""
    return {"providers": providers_for_login()}
