"""Issue 12, sign-in through the organisation's OpenID Connect provider: the product's own
time of the callback (state/nonce/PKCE checks, the person found, account, roles, audit, log-in)
beside the provider's (token exchange, JWKS, userinfo over HTTP to the local npm
``oidc-provider``), for a few people of the bench organisation signing in one after another."""

from __future__ import annotations

import statistics
from functools import partial
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.test import Client

from kompetenslyft.org.models import Organisation, Person

from .runner import BENCH_CODE, BenchContext, Figure, timed

SIGN_INS = 10
HOST = "testserver"


def _provider_round(client: Any, start_location: str, login: str, password: str) -> str:
    """Through the provider's sign-in and consent forms; the callback URL it sends back to."""
    import re

    import requests

    browser = requests.Session()
    url = start_location
    for _step in range(12):
        response = browser.get(url, allow_redirects=False, timeout=20)
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if urlsplit(url).hostname == HOST:
                return url
            response = browser.get(url, allow_redirects=False, timeout=20)
        action = re.search(r'<form[^>]* action="([^"]+)"', response.text)
        if action is None:
            raise RuntimeError(f"no form at the provider: {response.text[:200]}")
        prompt = "consent" if 'value="consent"' in response.text else "login"
        data = {"prompt": prompt}
        if prompt == "login":
            data.update(login=login, password=password)
        response = browser.post(urljoin(url, action.group(1)), data=data, allow_redirects=False, timeout=20)
        url = urljoin(url, response.headers.get("Location", url))
        if urlsplit(url).hostname == HOST:
            return url
    raise RuntimeError("the provider did not send back to the product")


def op_oidc(ctx: BenchContext) -> None:
    from kompetenslyft.signin.local_provider import running_provider
    from kompetenslyft.signin.models import SignInSettings

    organisation = ctx.organisation or Organisation.objects.get(code=BENCH_CODE)
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True)
        .exclude(email="")
        .order_by("pk")[:SIGN_INS]
    )
    password = "bench-provider-password"  # noqa: S105 (the local provider's bench accounts)
    accounts = [{"sub": p.email, "password": password, "email": p.email} for p in people]
    hosts = list(settings.ALLOWED_HOSTS)
    if HOST not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*hosts, HOST]
    try:
        with running_provider(accounts=accounts, redirect_uris=[f"http://{HOST}/oidc/callback/"]) as provider:
            SignInSettings.objects.update_or_create(
                organisation=organisation,
                defaults={
                    "issuer": provider.issuer,
                    "client_id": provider.client_id,
                    "client_secret": provider.client_secret,
                    "scopes": "openid email profile",
                },
            )
            cache.clear()
            product: list[float] = []
            at_provider: list[float] = []
            for person in people:
                client = Client()
                start = client.get(f"/login/{organisation.code}/oidc/")
                callback = _provider_round(client, start["Location"], person.email, password)
                path = urlsplit(callback)._replace(scheme="", netloc="").geturl()
                seconds, response = timed(partial(client.get, path))
                if response.status_code != 302 or response["Location"] != "/":
                    raise RuntimeError(
                        f"sign-in of {person.email} failed: {response.status_code} {response.get('Location')}"
                    )
                provider_seconds = float(getattr(response.wsgi_request, "signin_provider_seconds", 0.0))
                product.append(seconds - provider_seconds)
                at_provider.append(provider_seconds)
    finally:
        settings.ALLOWED_HOSTS = hosts
        SignInSettings.objects.filter(organisation=organisation).delete()
    ctx.report(
        Figure(
            f"sign-in through the provider: the product's time (median of {len(product)})",
            statistics.median(product) * 1000,
            "ms",
            300.0,
            note=f"max {max(product) * 1000:.0f} ms",
        )
    )
    ctx.report(
        Figure(
            "  … the provider's time at the callback (token, keys, userinfo)",
            statistics.median(at_provider) * 1000,
            "ms",
            None,
            note="local npm oidc-provider, not the product's",
        )
    )
