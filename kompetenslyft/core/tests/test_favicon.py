"""The site's icon: every page names it, and /favicon.ico (asked for by browsers whatever the
page says) leads to it instead of a 404, signed in or not."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse


def test_pages_name_the_icon_and_favicon_ico_leads_to_it(db: Any) -> None:
    login = Client().get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/kompetenslyft/favicon.svg"' in login
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/kompetenslyft/favicon.svg"
    icon = finders.find("kompetenslyft/favicon.svg")
    assert icon is not None
    with open(icon, encoding="utf-8") as f:
        assert f.read().startswith("<svg")
