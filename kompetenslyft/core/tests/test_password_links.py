"""Password links: nothing is created on request, accounts are created when the link is
used, requests are rate-limited, links come from KOMPETENSLYFT_BASE_URL, answers never tell
whether an address is known."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from kompetenslyft.core.models import AuditEntry, RequestThrottle
from kompetenslyft.core.throttle import client_address
from kompetenslyft.org.models import Person
from kompetenslyft.org.tests.factories import PersonFactory

BASE = "https://kompetens.example.se"
NEW_PASSWORD = "sommar-vinter-2026"


@pytest.fixture(autouse=True)
def _base_url(settings: Any) -> None:
    settings.KOMPETENSLYFT_BASE_URL = BASE


def ask(email: str, client: Client | None = None, **extra: Any) -> Any:
    return (client or Client()).post(reverse("password_reset"), {"email": email}, **extra)


def link_in(message: Any) -> str:
    return next(line.strip() for line in message.body.splitlines() if line.strip().startswith("http"))


def follow_and_set(link: str, password: str = NEW_PASSWORD) -> tuple[Client, Any]:
    assert link.startswith(BASE + "/accounts/")
    client = Client()
    page = client.get(link.removeprefix(BASE), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.removeprefix(BASE)
    done = client.post(form_url, {"new_password1": password, "new_password2": password})
    return client, done


def log_in(username: str, password: str = NEW_PASSWORD) -> int:
    return Client().post(reverse("login"), {"username": username, "password": password}).status_code


def test_asking_creates_no_account_and_the_link_creates_it(db: Any) -> None:
    person = PersonFactory(email="new.person@solvik.se", user=None)
    users_before = get_user_model().objects.count()
    response = ask("New.Person@solvik.se")
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    person.refresh_from_db()
    assert person.user is None
    assert get_user_model().objects.count() == users_before
    assert not AuditEntry.objects.filter(action="account.created").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@solvik.se"]
    link = link_in(mail.outbox[0])
    assert "/accounts/activate/" in link

    _client, done = follow_and_set(link)
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    person.refresh_from_db()
    assert person.user is not None and person.user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="account.created", target_id=person.employee_id).count() == 1
    assert log_in("new.person@solvik.se") == 302


def test_the_account_link_works_once(db: Any) -> None:
    person = PersonFactory(email="once@solvik.se", user=None)
    ask("once@solvik.se")
    link = link_in(mail.outbox[0])
    follow_and_set(link)
    account = Person.objects.get(pk=person.pk).user
    # the same link again: refused, no second account, the password stays
    client = Client()
    page = client.get(link.removeprefix(BASE), follow=True)
    assert "Länken gäller inte längre" in page.content.decode()
    again = client.post(
        link.removeprefix(BASE), {"new_password1": "annat-losen-2026", "new_password2": "annat-losen-2026"}
    )
    assert again.status_code == 200 and "Länken gäller inte längre" in again.content.decode()
    assert Person.objects.get(pk=person.pk).user == account
    assert get_user_model().objects.filter(email__iexact="once@solvik.se").count() == 1
    assert log_in("once@solvik.se") == 302


def test_two_tabs_cannot_create_two_accounts(db: Any) -> None:
    person = PersonFactory(email="tabs@solvik.se", user=None)
    ask("tabs@solvik.se")
    link = link_in(mail.outbox[0])
    first, second = Client(), Client()
    form_url = first.get(link.removeprefix(BASE))["Location"]
    assert second.get(link.removeprefix(BASE))["Location"] == form_url
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert first.post(form_url, data).status_code == 302
    refused = second.post(
        form_url, {"new_password1": "annat-losen-2026", "new_password2": "annat-losen-2026"}
    )
    assert refused.status_code == 200 and "Länken gäller inte längre" in refused.content.decode()
    assert Person.objects.get(pk=person.pk).user.check_password(NEW_PASSWORD)


def test_the_account_link_dies_when_the_address_changes(db: Any) -> None:
    person = PersonFactory(email="moved@solvik.se", user=None)
    ask("moved@solvik.se")
    link = link_in(mail.outbox[0])
    person.email = "someone.else@solvik.se"
    person.save()
    _client, done = follow_and_set(link)
    assert done.status_code == 200 and "Länken gäller inte längre" in done.content.decode()
    assert Person.objects.get(pk=person.pk).user is None


@pytest.mark.parametrize("uidb64", ["!!!", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkw", "LTE", "eHg"])
def test_broken_account_links_are_a_clear_page_not_an_error(db: Any, uidb64: str) -> None:
    response = Client().get(f"/accounts/activate/{uidb64}/abc-def/")
    assert response.status_code == 200
    assert "Länken gäller inte längre" in response.content.decode()


def test_an_existing_account_gets_a_reset_link_and_its_lock_is_lifted(network: Any, settings: Any) -> None:
    for _ in range(5):
        Client().post(reverse("login"), {"username": "employee", "password": "wrong"})
    assert log_in("employee", "correct-horse-battery") == 429
    ask(network.employee.email)  # the person's address from the HR import
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [network.employee.email]
    link = link_in(mail.outbox[0])
    assert "/accounts/reset/" in link and "employee" in mail.outbox[0].body
    _client, done = follow_and_set(link)
    assert done.status_code == 302
    assert log_in("employee") == 302


def test_links_come_from_the_base_url_not_the_host_header(network: Any, settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]  # even where the host is not checked
    PersonFactory(email="host@solvik.se", user=None)
    for address in ("host@solvik.se", network.employee.email):
        response = ask(
            address,
            HTTP_HOST="evil.example",
            HTTP_X_FORWARDED_HOST="evil.example",
            HTTP_X_FORWARDED_PROTO="http",
        )
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "evil.example" not in message.body
        assert link_in(message).startswith(BASE + "/accounts/")


def test_the_answer_is_the_same_for_known_and_unknown_addresses(network: Any) -> None:
    PersonFactory(email="known@solvik.se", user=None)
    answers = [
        ask(address) for address in ("known@solvik.se", network.employee.email, "nobody@nowhere.example")
    ]
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, reverse("password_reset_done"))}
    assert len(mail.outbox) == 2  # only the known addresses get mail


def test_requests_are_limited_per_address(network: Any) -> None:
    for n in range(3):
        assert ask(network.employee.email, REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
    for address in (network.employee.email, network.employee.email.upper()):
        refused = ask(address, REMOTE_ADDR="198.51.100.99")
        assert refused.status_code == 429
        assert "För många förfrågningar om lösenordslänkar" in refused.content.decode()
    assert len(mail.outbox) == 3
    # unknown addresses are limited alike, so the limit tells nothing either
    for _ in range(3):
        assert ask("nobody@nowhere.example").status_code == 302
    assert ask("nobody@nowhere.example").status_code == 429
    # the counters are in the database, and hold no address in the clear
    keys = list(RequestThrottle.objects.values_list("key", flat=True))
    assert keys and not any("@" in key or "198.51" in key for key in keys)


def test_requests_are_limited_per_client(db: Any, settings: Any) -> None:
    settings.KOMPETENSLYFT_PASSWORD_LINKS_PER_CLIENT = 4
    for n in range(4):
        assert ask(f"probe{n}@nowhere.example", REMOTE_ADDR="192.0.2.7").status_code == 302
    assert ask("probe9@nowhere.example", REMOTE_ADDR="192.0.2.7").status_code == 429
    assert ask("probe9@nowhere.example", REMOTE_ADDR="192.0.2.8").status_code == 302


def test_the_client_behind_a_proxy_is_the_address_the_proxy_saw(settings: Any) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5"
    )  # the client forged 1.2.3.4; the proxy appended what it saw
    assert client_address(request) == "203.0.113.5"
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.1"


def test_the_limit_lifts_when_the_hour_is_over(db: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    from kompetenslyft.core.throttle import throttle_hit, throttle_key

    key = throttle_key("test", "someone")
    window = dt.timedelta(hours=1)
    assert [throttle_hit(key=key, limit=2, window=window) for _ in range(3)] == [True, True, False]
    RequestThrottle.objects.filter(key=key).update(window_started_at=timezone.now() - window)
    assert throttle_hit(key=key, limit=2, window=window)
    assert RequestThrottle.objects.get(key=key).count == 1
