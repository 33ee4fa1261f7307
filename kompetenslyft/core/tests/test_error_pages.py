"""With DEBUG off a person meets the product's own error pages, in its own language, never
Django's technical pages (which list every URL pattern)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


def _login(client: Client, user: Any, language: str) -> None:
    client.force_login(user)
    client.cookies["django_language"] = language


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "html_lang"),
    [("sv", "Sidan finns inte", "sv"), ("nb", "Siden finnes ikke", "nb"), ("en", "Page not found", "en")],
)
def test_404_is_the_products_page_in_the_persons_language(
    client: Client, network: Any, settings: Any, language: str, title: str, html_lang: str
) -> None:
    settings.DEBUG = False
    _login(client, network.employee.user, language)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'<html lang="{html_lang}">' in page
    assert title in page
    assert "URLconf" not in page and "Using the URLconf" not in page
    # the product's layout: the menu of the person's role and the way back
    assert 'aria-label="' in page and 'href="/"' in page


@pytest.mark.django_db
def test_404_for_someone_not_logged_in(client: Client, settings: Any) -> None:
    settings.DEBUG = False
    response = client.get("/nowhere/", HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 404
    assert "Siden finnes ikke" in response.content.decode()


@pytest.mark.django_db
def test_400_for_a_bad_number(client: Client, network: Any, settings: Any) -> None:
    settings.DEBUG = False
    _login(client, network.lead.user, "sv")
    response = client.get("/assessment/gaps/", {"unit": "²"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Begäran kunde inte läsas" in page
    assert "Kompetenslyft" in page and 'lang="sv"' in page


@pytest.mark.django_db
def test_403_when_the_form_is_stale(network: Any, settings: Any) -> None:
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    _login(client, network.employee.user, "nb")
    response = client.post("/learning/me/", {"topic": "x", "question": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Skjemaet kunne ikke sendes" in page
    assert 'lang="nb"' in page
    assert "CSRF" not in page  # not Django's technical explanation


@pytest.mark.django_db
def test_500_page_renders_without_a_request_context(client: Client, network: Any, settings: Any) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = "kompetenslyft.core.tests.urls_boom"
    client.raise_request_exception = False
    _login(client, network.employee.user, "sv")
    response = client.get("/boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Något gick fel" in page
    assert '<html lang="sv">' in page
    assert "RuntimeError" not in page and "Traceback" not in page
