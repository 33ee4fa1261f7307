"""TOTP after the password for leads (where the organisation requires it) and operators."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.signin.models import SignInSettings

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def password_log_in(client: Any, username: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": "correct-horse-battery"})


@pytest.fixture
def required(network: Any) -> Any:
    SignInSettings.objects.create(organisation=network.org_a, second_factor_required=True)
    return network


def test_a_lead_enrols_with_a_qr_code_then_gives_a_code_at_each_log_in(client: Any, required: Any) -> None:
    response = password_log_in(client, "lead")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/enrol/"
    # Not logged in yet: the home page sends back to the log-in page.
    assert client.get("/").status_code == 302
    page = client.get("/accounts/login/enrol/")
    assert page.status_code == 200
    assert b'data-qr="totp"' in page.content and b"<svg" in page.content and b"data-secret" in page.content
    assert b"http" not in page.content.split(b'data-qr="totp"')[1].split(b"</svg>")[0].replace(
        b"http://www.w3.org/2000/svg", b""
    )  # the QR code is drawn here, by no external service
    device = TOTPDevice.objects.get(user=required.lead.user, confirmed=False)
    assert (
        client.post(
            "/accounts/login/enrol/", {"code": "000000" if code_for(device) != "000000" else "111111"}
        ).status_code
        == 400
    )
    assert client.get("/").status_code == 302
    time.sleep(1.1)  # django-otp's throttle: a second's wait after one wrong code
    response = client.post("/accounts/login/enrol/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(
        action="second_factor.enrolled", target_id=str(required.lead.user.pk)
    ).exists()

    client.post("/accounts/logout/")
    response = password_log_in(client, "lead")
    assert response["Location"] == "/accounts/login/code/"
    assert client.get("/").status_code == 302
    # The code used at enrolment cannot be used again; the next one can.
    response = client.post("/accounts/login/code/", {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_codes_are_throttled(client: Any, required: Any) -> None:
    device = TOTPDevice.objects.create(user=required.lead.user, name="x", confirmed=True)
    password_log_in(client, "lead")
    wrong = "000000" if code_for(device) != "000000" else "111111"
    statuses = [client.post("/accounts/login/code/", {"code": wrong}).status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429
    # Even the right code is refused now.
    assert client.post("/accounts/login/code/", {"code": code_for(device)}).status_code == 429
    assert client.get("/").status_code == 302


def test_bad_input_is_a_clear_400(client: Any, required: Any) -> None:
    TOTPDevice.objects.create(user=required.lead.user, name="x", confirmed=True)
    password_log_in(client, "lead")
    assert client.post("/accounts/login/code/", {"code": "abc\x00"}).status_code == 400
    assert client.post("/accounts/login/code/", {}).status_code == 400


def test_without_a_pending_password_the_code_pages_ask_to_log_in_again(client: Any, required: Any) -> None:
    assert client.get("/accounts/login/code/").status_code == 400
    assert client.post("/accounts/login/enrol/", {"code": "123456"}).status_code == 400
    assert client.get("/").status_code == 302


def test_others_log_in_with_the_password_alone(client: Any, required: Any, settings: Any) -> None:
    # An employee of the same organisation, and the lead of an organisation that does not require it.
    for username in ("employee", "leadb"):
        response = password_log_in(client, username)
        assert response.status_code == 302 and response["Location"] == "/", username
        client.post("/accounts/logout/")


def test_operators_when_the_installation_requires_it(client: Any, network: Any, settings: Any) -> None:
    from kompetenslyft.org.tests.factories import UserFactory

    UserFactory(username="operator", is_staff=True, is_superuser=True)
    assert password_log_in(client, "operator")["Location"] == "/"
    client.post("/accounts/logout/")
    settings.KOMPETENSLYFT_OPERATOR_SECOND_FACTOR = True
    assert password_log_in(client, "operator")["Location"] == "/accounts/login/enrol/"
