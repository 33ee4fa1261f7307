"""Log-in by username or e-mail, throttling, password reset, language, audit of rights."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from django.test import Client
from django.urls import reverse

from kompetenslyft.core.models import AuditEntry, ProductRole
from kompetenslyft.org.models import Person
from kompetenslyft.org.services import grant_add, grant_remove


def login(client: Client, username: str, password: str = "correct-horse-battery") -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_swedish_by_default(db: Any) -> None:
    page = Client().get(reverse("login")).content.decode()
    assert '<html lang="sv">' in page
    assert "Logga in" in page
    assert "Användarnamn eller e-post" in page


def test_login_with_username_or_email(network: Any) -> None:
    assert login(Client(), "employee").status_code == 302
    assert login(Client(), "EMPLOYEE@example.org").status_code == 302
    # the person's own e-mail from the HR import works too
    assert login(Client(), network.employee.email).status_code == 302
    assert login(Client(), "employee", "wrong-password").status_code == 200


def test_a_person_who_left_cannot_log_in(network: Any) -> None:
    network.employee.user.is_active = False
    network.employee.user.save()
    assert login(Client(), "employee").status_code == 200


def test_login_is_throttled_after_repeated_failures(network: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        login(client, "employee", "wrong-password")
    locked = login(client, "employee")  # even the right password is refused now
    assert locked.status_code == 429
    assert "Too many" in locked.content.decode() or "För många" in locked.content.decode()


def test_lockout_counts_per_account_not_per_typed_spelling(network: Any) -> None:
    """5 failures as `employee` lock the account: case variants and the e-mail addresses
    (the account's and the person's), from any client address, are refused too."""
    statuses = [login(Client(), "employee", "wrong-password").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    for variant in ("EMPLOYEE", "Employee", "employee", network.employee.user.email, network.employee.email):
        locked = Client(REMOTE_ADDR="203.0.113.9").post(
            reverse("login"), {"username": variant.upper(), "password": "correct-horse-battery"}
        )
        assert locked.status_code == 429, variant
        page = locked.content.decode()
        assert "För många misslyckade inloggningsförsök" in page
        assert "Inloggningen är pausad för kontot en stund" in page
    # other accounts are not affected
    assert login(Client(), "manager").status_code == 302


def test_lockout_mixes_spellings_into_one_counter(network: Any) -> None:
    """The attack of the issue: guesses spread over case variants and the e-mail."""
    for variant in ("employee", "EMPLOYEE", "Employee", "eMployee", network.employee.email):
        login(Client(), variant, "wrong-password")
    assert login(Client(), "employee").status_code == 429


def test_probing_unknown_names_is_limited_too(network: Any) -> None:
    for _ in range(5):
        login(Client(), "nobody-here", "guess")
    assert login(Client(), "NOBODY-HERE", "guess").status_code == 429
    assert login(Client(), "employee").status_code == 302


def test_a_successful_log_in_resets_the_account_counter(network: Any) -> None:
    for _ in range(4):
        login(Client(), "EMPLOYEE", "wrong-password")
    assert login(Client(), network.employee.email).status_code == 302
    for _ in range(4):
        login(Client(), "employee", "wrong-password")
    assert login(Client(), "employee").status_code == 302


def test_language_is_switched_and_remembered_for_the_person(network: Any) -> None:
    client = Client()
    client.force_login(network.employee.user)
    response = client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    assert response.status_code == 302
    assert Person.objects.get(pk=network.employee.pk).language == "nb"
    assert "Hopp til innholdet" in client.get("/").content.decode()
    # a new browser: the person's language follows the log-in
    fresh = Client()
    response = login(fresh, "employee")
    assert response.cookies["django_language"].value == "nb"
    assert (
        client.post(reverse("set_language"), {"language": "xx", "next": "https://evil.example/"})["Location"]
        == "/"
    )


def test_rights_changes_are_audited(network: Any) -> None:
    grant_add(
        user=network.employee.user,
        organisation=network.org_a,
        role=ProductRole.TRAINER,
        actor=network.lead.user,
    )
    grant_remove(
        user=network.employee.user,
        organisation=network.org_a,
        role=ProductRole.TRAINER,
        actor=network.lead.user,
    )
    actions = list(AuditEntry.objects.filter(target_type="user").values_list("action", "actor_label"))
    assert actions == [("grant.removed", "lead"), ("grant.added", "lead")]


def test_production_settings_are_secure() -> None:
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps([s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_SSL_REDIRECT, s.PASSWORD_HASHERS[0], s.ALLOWED_HOSTS, s.EMAIL_BACKEND]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kompetenslyft.settings",
        "KOMPETENSLYFT_ENV": "production",
        "DJANGO_SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "kompetens.example.se",
        "EMAIL_HOST": "smtp.example.se",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    debug, session_secure, csrf_secure, hsts, redirect, hasher, hosts, backend = json.loads(out.stdout)
    assert not debug and session_secure and csrf_secure and hsts >= 31536000 and redirect
    assert hasher.endswith("Argon2PasswordHasher")
    assert hosts == ["kompetens.example.se"]
    assert backend.endswith("smtp.EmailBackend")
    env.pop("DJANGO_SECRET_KEY")
    missing = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert missing.returncode != 0 and "DJANGO_SECRET_KEY" in missing.stderr


def test_rights_changed_in_the_admin_are_audited(network: Any) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.org", "x-very-secret-1")
    client = Client()
    client.force_login(root)
    target = network.employee.user
    response = client.post(
        f"/admin/auth/user/{target.pk}/change/",
        {
            "username": target.username,
            "email": target.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="account.changed", target_id=str(target.pk))
    assert entry.actor_label == "root"
    assert entry.changes == {"is_staff": [False, True], "is_superuser": [False, True]}
