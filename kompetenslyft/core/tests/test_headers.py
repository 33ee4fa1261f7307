"""Security headers on every response, and sessions that end after a working day idle."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from typing import Any

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.middleware import SessionIdleMiddleware


def directives(response: Any) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_csp_forbids_base_and_foreign_form_targets_and_features_are_off(db: Any) -> None:
    response = Client().get(reverse("login"))
    csp = directives(response)
    assert csp["base-uri"] == "base-uri 'none'"
    assert csp["form-action"] == "form-action 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_headers_are_on_refusals_too(network: Any) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "employee", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "employee", "password": "correct-horse-battery"})
    assert locked.status_code == 429
    assert "camera=()" in locked["Permissions-Policy"]
    assert "base-uri 'none'" in locked["Content-Security-Policy"]
    missing = Client().get("/no-such-page/")
    assert missing.status_code == 404 and "camera=()" in missing["Permissions-Policy"]


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_ends_after_a_working_day_idle_and_activity_keeps_it(network: Any, settings: Any) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client = Client()
    login = client.post(reverse("login"), {"username": "employee", "password": "correct-horse-battery"})
    assert login.status_code == 302
    assert login.cookies["sessionid"]["max-age"] == 8 * 3600
    # activity after the refresh interval moves the end forward: almost expired, one request,
    # a working day again
    session = client.session
    session[SessionIdleMiddleware.key] = int(time.time()) - settings.KOMPETENSLYFT_SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(pk=_session(client).pk).update(
        expire_date=timezone.now() + dt.timedelta(minutes=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 200 and response.cookies["sessionid"]["max-age"] == 8 * 3600
    remaining = _session(client).expire_date - timezone.now()
    assert dt.timedelta(hours=7, minutes=59) < remaining <= dt.timedelta(hours=8)
    # idle past the end: logged out
    Session.objects.filter(pk=_session(client).pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_pages_within_the_refresh_interval_do_not_write_the_session(
    network: Any, django_assert_num_queries: Any
) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "employee", "password": "correct-horse-battery"})
    client.get(reverse("home"))
    before = _session(client).expire_date
    response = client.get(reverse("home"))
    assert "sessionid" not in response.cookies  # not saved again
    assert _session(client).expire_date == before


def test_the_idle_time_is_configurable() -> None:
    code = "import django; from django.conf import settings as s; django.setup(); print(s.SESSION_COOKIE_AGE)"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kompetenslyft.settings",
        "KOMPETENSLYFT_SESSION_IDLE_HOURS": "1.5",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(int(1.5 * 3600))
