"""The pytest fixture that runs the local OpenID provider for the tests (import it into a test
module: ``from kompetenslyft.signin.testing import oidc_provider``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from .local_provider import ProviderUnavailable, RunningProvider, running_provider

PASSWORD = "provider-password-1"  # noqa: S105 (the local test provider's accounts)
# The provider's accounts; the tests make the people they should (or should not) match.
ACCOUNTS = [
    {
        "sub": "elin",
        "password": PASSWORD,
        "email": "elin.oidc@example.org",
        "employee_id": "OIDC-1",
        "given_name": "Elin",
        "family_name": "Ek",
        "groups": ["kl-staff"],
    },
    {
        "sub": "lena",
        "password": PASSWORD,
        "email": "lena.oidc@example.org",
        "employee_id": "OIDC-2",
        "given_name": "Lena",
        "family_name": "Lind",
        "groups": ["kl-staff", "kl-leads"],
    },
    {
        "sub": "stranger",
        "password": PASSWORD,
        "email": "stranger@example.org",
        "employee_id": "X-9",
        "given_name": "Sam",
        "family_name": "Stranger",
        "groups": [],
    },
]


@pytest.fixture(scope="session")
def oidc_provider(live_server: Any) -> Iterator[RunningProvider]:
    """The certified npm ``oidc-provider`` on a free port, with a client whose redirect URI is
    the live server's callback. Without node/npm the test is skipped, or fails where
    KOMPETENSLYFT_REQUIRE_BROWSER is set (CI)."""
    try:
        with running_provider(
            accounts=ACCOUNTS,
            redirect_uris=[f"{live_server.url}/oidc/callback/"],
            post_logout_redirect_uris=[f"{live_server.url}/accounts/login/"],
        ) as provider:
            yield provider
    except ProviderUnavailable as error:
        if os.environ.get("KOMPETENSLYFT_REQUIRE_BROWSER"):
            pytest.fail(str(error))
        pytest.skip(str(error))


def configure(organisation: Any, provider: RunningProvider, **fields: Any) -> Any:
    """Give an organisation the running provider (as a lead would in the admin)."""
    from django.core.cache import cache

    from .models import SignInSettings

    cache.clear()
    values = {
        "provider_name": "Testleverantören",
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "scopes": "openid email profile groups employee",
    }
    values.update(fields)
    settings, _created = SignInSettings.objects.update_or_create(organisation=organisation, defaults=values)
    return settings
