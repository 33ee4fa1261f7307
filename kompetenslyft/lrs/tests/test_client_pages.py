"""The competence lead's page of LRS clients: create (secret shown once), list, revoke — its own
organisation's clients only, every change audited, and who else may not."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.lrs.models import SCOPE_READ_MINE, SCOPE_WRITE, Client
from kompetenslyft.lrs.services import client_create, secret_hash

pytestmark = pytest.mark.django_db
URL = "/lrs-clients/"


def logged_in(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def xapi_status(key: str, secret: str) -> int:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return (
        HttpClient()
        .get("/xapi/statements", HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_EXPERIENCE_API_VERSION="2.0.0")
        .status_code
    )


def test_the_lead_creates_a_client_and_sees_its_secret_once(network: Any) -> None:
    lead = logged_in(network.lead.user)
    answer = lead.post(URL, {"name": "Articulate Rise", "scopes": [SCOPE_WRITE, SCOPE_READ_MINE]})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    client = Client.objects.get(name="Articulate Rise")
    assert client.organisation == network.org_a and client.scope_set == {SCOPE_WRITE, SCOPE_READ_MINE}
    page = answer.content.decode()
    secret = re.search(r'id="created-secret">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    assert client.secret_hash == secret_hash(secret)
    assert xapi_status(client.key, secret) == 200
    # The list shows the key, never the secret again.
    again = lead.get(URL).content.decode()
    assert client.key in again and secret not in again
    entry = AuditEntry.objects.get(action="lrs.client_create")
    assert entry.actor == network.lead.user and entry.organisation == network.org_a


def test_a_client_needs_a_name_and_a_scope(network: Any) -> None:
    lead = logged_in(network.lead.user)
    assert lead.post(URL, {"name": "", "scopes": [SCOPE_WRITE]}).status_code == 200
    assert lead.post(URL, {"name": "Tool", "scopes": []}).status_code == 200
    assert lead.post(URL, {"name": "Tool", "scopes": ["admin/everything"]}).status_code == 200
    assert lead.post(URL, {"name": "To\x07ol", "scopes": [SCOPE_WRITE]}).status_code == 200
    assert not Client.objects.exists()


def test_the_lead_revokes_a_client_and_its_key_stops_working(network: Any) -> None:
    client, secret = client_create(organisation=network.org_a, name="Quiz app", scopes=[SCOPE_WRITE])
    lead = logged_in(network.lead.user)
    answer = lead.post(f"{URL}{client.pk}/revoke")
    assert answer.status_code == 302
    client.refresh_from_db()
    assert not client.is_active and xapi_status(client.key, secret) == 401
    entry = AuditEntry.objects.get(action="lrs.client_revoke")
    assert entry.target_id == str(client.pk) and entry.actor == network.lead.user
    # Revoking twice changes nothing more.
    lead.post(f"{URL}{client.pk}/revoke")
    assert AuditEntry.objects.filter(action="lrs.client_revoke").count() == 1


def test_another_organisations_clients_are_neither_listed_nor_revoked(network: Any) -> None:
    theirs, _secret = client_create(organisation=network.org_b, name="Beta tool", scopes=[SCOPE_WRITE])
    lead = logged_in(network.lead.user)
    assert "Beta tool" not in lead.get(URL).content.decode()
    assert lead.post(f"{URL}{theirs.pk}/revoke").status_code == 404
    # Asking for the other organisation by parameter finds nothing the lead leads.
    assert lead.get(URL, {"organisation": network.org_b.pk}).status_code == 404
    assert lead.post(f"{URL}{theirs.pk}/revoke", {"organisation": network.org_b.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    # Beta's own lead sees and revokes it.
    assert "Beta tool" in logged_in(network.lead_b.user).get(URL).content.decode()


def test_platform_and_launch_clients_are_not_on_the_page(network: Any) -> None:
    from kompetenslyft.lrs.emit import platform_client

    platform = platform_client(network.org_a.pk)
    lead = logged_in(network.lead.user)
    page = lead.get(URL).content.decode()
    assert platform.key not in page
    assert lead.post(f"{URL}{platform.pk}/revoke").status_code == 404


@pytest.mark.parametrize("who", ["manager", "employee", "top", "trainer", "project_leader"])
def test_only_a_lead_reaches_the_page(network: Any, who: str) -> None:
    client, _secret = client_create(organisation=network.org_a, name="Tool", scopes=[SCOPE_WRITE])
    http = logged_in(getattr(network, who).user)
    assert http.get(URL).status_code == 404
    assert http.post(URL, {"name": "Sneaky", "scopes": [SCOPE_WRITE]}).status_code == 404
    assert http.post(f"{URL}{client.pk}/revoke").status_code == 404
    assert Client.objects.filter(name="Sneaky").count() == 0
    client.refresh_from_db()
    assert client.is_active


def test_anonymous_is_sent_to_log_in(db: Any) -> None:
    assert HttpClient().get(URL).status_code == 302


def test_bad_ids_are_400_or_404(network: Any) -> None:
    lead = logged_in(network.lead.user)
    assert lead.post(f"{URL}99999999999999999999/revoke").status_code == 400
    assert lead.post(f"{URL}424242/revoke").status_code == 404
    assert lead.get(URL, {"organisation": "²"}).status_code == 400


def test_the_menu_links_the_page_for_a_lead_only(network: Any) -> None:
    assert f'href="{URL}"' in logged_in(network.lead.user).get("/").content.decode()
    assert f'href="{URL}"' not in logged_in(network.manager.user).get("/").content.decode()
