"""The competence lead manages its organisation's LRS clients by clicking from its home page:
the menu's "LRS clients", a new client with its scopes (key and secret shown once, and the key
works at /xapi/), then revoked (the key stops working). axe on each state of the page, and the
page on a phone without horizontal overflow.

Strings this branch adds are matched in Swedish or English (their Swedish is compiled when the
branch is merged)."""

from __future__ import annotations

import base64
import re
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.lrs.models import Client

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def either(swedish: str, english: str) -> re.Pattern[str]:
    return re.compile(f"^({re.escape(swedish)}|{re.escape(english)})$")


def xapi_status(base_url: str, key: str, secret: str) -> int:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        f"{base_url}/xapi/statements",
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "2.0.0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_the_lead_creates_and_revokes_an_lrs_client(
    page: Any, phone: Any, axe: Any, network: Any, live_server: Any
) -> None:
    log_in(page, "lead")
    menu_link(page, either("LRS-klienter", "LRS clients")).click()
    expect(page.get_by_role("heading", level=1, name=either("LRS-klienter", "LRS clients"))).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_label(either("Verktygets namn", "Name of the tool")).fill("Articulate Rise")
    page.get_by_label(re.compile(r"statements/read/mine")).check()
    page.get_by_role("button", name=either("Skapa klienten", "Create the client")).click()
    key = page.locator("#created-key").inner_text()
    secret = page.locator("#created-secret").inner_text()
    client = Client.objects.get(key=key)
    assert client.name == "Articulate Rise" and client.scope_set == {
        "statements/write",
        "statements/read/mine",
    }
    assert xapi_status(live_server.url, key, secret) == 200
    assert_accessible(axe, page)

    # The list, on another visit: the key is there, the secret never again.
    menu_link(page, either("LRS-klienter", "LRS clients")).click()
    row = page.get_by_role("row", name=re.compile("Articulate Rise"))
    expect(row).to_contain_text(key)
    assert secret not in page.content()
    row.get_by_role("button", name=re.compile("(Återkalla|Revoke)")).click()
    expect(page.get_by_role("row", name=re.compile("Articulate Rise"))).to_contain_text(
        re.compile("(Återkallad|Revoked)")
    )
    assert xapi_status(live_server.url, key, secret) == 401
    assert set(AuditEntry.objects.filter(target_id=str(client.pk)).values_list("action", flat=True)) == {
        "lrs.client_create",
        "lrs.client_revoke",
    }
    assert_accessible(axe, page)

    # On a phone: reached from the menu, the table scrolls in its own region.
    log_in(phone, "lead")
    menu_link(phone, either("LRS-klienter", "LRS clients")).click()
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert_accessible(axe, phone)
