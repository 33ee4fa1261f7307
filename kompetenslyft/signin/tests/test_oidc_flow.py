"""The whole sign-in flow against a real OpenID provider (the npm ``oidc-provider``), driven
with an HTTP client that fills in the provider's sign-in and consent forms."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from kompetenslyft.core.models import AuditEntry, Grant, ProductRole
from kompetenslyft.signin.testing import PASSWORD, configure

pytestmark = pytest.mark.django_db(transaction=True)


def _form_action(response: requests.Response) -> str:
    match = re.search(r'<form[^>]* action="([^"]+)"', response.text)
    assert match, response.text[:500]
    return urljoin(response.url, match.group(1))


def sign_in(
    live_server: Any, code: str, login: str, password: str = PASSWORD
) -> tuple[requests.Session, Any]:
    client = requests.Session()
    client.headers["Accept-Language"] = "en"
    page = client.get(f"{live_server.url}/login/{code}/oidc/", timeout=20)
    assert page.status_code == 200 and 'name="password"' in page.text, page.text[:300]
    page = client.post(
        _form_action(page), data={"prompt": "login", "login": login, "password": password}, timeout=20
    )
    if 'value="consent"' in page.text:
        page = client.post(_form_action(page), data={"prompt": "consent"}, timeout=20)
    return client, page


@pytest.fixture
def people(network: Any) -> Any:
    from kompetenslyft.org.tests.factories import PersonFactory

    elin = PersonFactory(unit=network.unit1, email="Elin.Oidc@example.org", employee_id="OIDC-1")
    lena = PersonFactory(unit=network.admin_a, email="lena.oidc@example.org", employee_id="OIDC-2")
    return network, elin, lena


def test_a_person_signs_in_and_lands_on_its_home_page(
    live_server: Any, oidc_provider: Any, people: Any
) -> None:
    network, elin, _lena = people
    configure(network.org_a, oidc_provider)
    client, page = sign_in(live_server, "alpha", "elin")
    assert page.url == f"{live_server.url}/", page.text[:500]
    assert page.status_code == 200
    assert 'action="/accounts/logout/"' in page.text
    elin.refresh_from_db()
    assert elin.user is not None and not elin.user.has_usable_password()
    entry = AuditEntry.objects.get(action="sign_in.oidc")
    assert entry.target_id == "OIDC-1" and entry.changes["issuer"] == oidc_provider.issuer
    # Signed in again: the same account, no second one.
    user_id = elin.user_id
    client.post(
        f"{live_server.url}/accounts/logout/", headers={"X-CSRFToken": client.cookies.get("csrftoken", "")}
    )
    sign_in(live_server, "alpha", "elin")
    elin.refresh_from_db()
    assert elin.user_id == user_id


def test_employee_id_claim_and_groups_become_roles(live_server: Any, oidc_provider: Any, people: Any) -> None:
    network, _elin, lena = people
    configure(
        network.org_a,
        oidc_provider,
        person_claim="employee_id",
        claim_name="employee_id",
        groups_claim="groups",
        role_map={"kl-leads": "lead", "kl-trainers": "trainer"},
    )
    _client, page = sign_in(live_server, "alpha", "lena")
    assert page.url == f"{live_server.url}/"
    lena.refresh_from_db()
    roles = set(Grant.objects.filter(user=lena.user).values_list("role", flat=True))
    assert roles == {ProductRole.LEAD}
    # Out of the leads' group at the provider: the mapped role goes at the next sign-in.
    Grant.objects.create(user=lena.user, organisation=network.org_a, role=ProductRole.TRAINER)
    configure(
        network.org_a,
        oidc_provider,
        person_claim="employee_id",
        claim_name="employee_id",
        groups_claim="groups",
        role_map={"kl-trainers": "trainer", "kl-none": "lead"},
    )
    sign_in(live_server, "alpha", "lena")
    assert set(Grant.objects.filter(user=lena.user).values_list("role", flat=True)) == set()


def test_a_claim_that_matches_no_person_is_refused(live_server: Any, oidc_provider: Any, people: Any) -> None:
    network, _elin, _lena = people
    configure(network.org_a, oidc_provider)
    client, page = sign_in(live_server, "alpha", "stranger")
    assert page.url == f"{live_server.url}/oidc/refused/"
    assert page.status_code == 403
    assert 'data-refused="no_person"' in page.text
    assert "stranger@example.org" in page.text
    assert client.get(f"{live_server.url}/", timeout=20, allow_redirects=False).status_code == 302
    assert not AuditEntry.objects.filter(action="sign_in.oidc").exists()


def test_an_inactive_person_is_refused(live_server: Any, oidc_provider: Any, people: Any) -> None:
    network, elin, _lena = people
    configure(network.org_a, oidc_provider)
    elin.is_active = False
    elin.save()
    _client, page = sign_in(live_server, "alpha", "elin")
    assert page.url == f"{live_server.url}/oidc/refused/"
    assert 'data-refused="no_person"' in page.text


def test_another_organisations_person_is_not_signed_in(
    live_server: Any, oidc_provider: Any, people: Any
) -> None:
    """The provider of organisation beta vouches only for beta's people."""
    network, _elin, _lena = people
    configure(network.org_b, oidc_provider)
    _client, page = sign_in(live_server, "beta", "elin")
    assert page.url == f"{live_server.url}/oidc/refused/"


def test_log_out_ends_the_providers_session_too(live_server: Any, oidc_provider: Any, people: Any) -> None:
    network, _elin, _lena = people
    configure(network.org_a, oidc_provider)
    client, page = sign_in(live_server, "alpha", "elin")
    assert page.url == f"{live_server.url}/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    out = client.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": token},
        timeout=20,
        headers={"Referer": f"{live_server.url}/"},
    )
    # The provider asks to confirm its sign-out (RP-initiated logout), then comes back.
    assert out.url.startswith(oidc_provider.issuer + "/session/end"), out.url
    assert 'name="xsrf"' in out.text
    action = _form_action(out)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', out.text))
    assert "xsrf" in fields, out.text
    back = client.post(action, data={**fields, "logout": "yes"}, timeout=20)
    assert back.url.startswith(f"{live_server.url}/accounts/login/")
    assert client.get(f"{live_server.url}/", timeout=20, allow_redirects=False).status_code == 302
    # Signing in again asks for the password at the provider: its session has ended.
    again = client.get(f"{live_server.url}/login/alpha/oidc/", timeout=20)
    assert 'name="password"' in again.text


def test_the_login_page_offers_the_provider_and_passwords_stay(
    client: Any, network: Any, settings: Any
) -> None:
    from kompetenslyft.signin.models import SignInSettings

    SignInSettings.objects.create(
        organisation=network.org_a,
        provider_name="Alfa Entra ID",
        issuer="https://login.example.org/alfa/v2.0",
        client_id="x",
        client_secret="y",
    )
    page = client.get("/accounts/login/")
    assert b'href="/login/alpha/oidc/"' in page.content
    assert b'data-provider="beta"' not in page.content
    assert b'name="password"' in page.content
    assert client.get("/login/beta/oidc/").status_code == 404
    assert client.get("/login/nope/oidc/").status_code == 404
