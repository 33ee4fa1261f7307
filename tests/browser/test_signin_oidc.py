"""Sign-in through the organisation's provider as a person does it: the log-in page's button,
the provider's (npm oidc-provider) sign-in and consent pages, the home page, log-out at both;
and the refusal page for someone the product does not know."""

from __future__ import annotations

from typing import Any

import pytest

from kompetenslyft.signin import testing as oidc_testing

from .conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
oidc_provider = oidc_testing.oidc_provider


def _through_the_provider(page: Any, login: str) -> None:
    page.goto("/accounts/login/")
    page.locator('a[data-provider="alpha"]').click()
    page.get_by_label("User name").fill(login)
    page.get_by_label("Password").fill(oidc_testing.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue").click()


def test_an_employee_signs_in_with_the_provider_and_out_again(
    page: Any, live_server: Any, oidc_provider: Any, network: Any, axe: Any
) -> None:
    from kompetenslyft.org.tests.factories import PersonFactory

    PersonFactory(unit=network.unit1, email="elin.oidc@example.org", employee_id="OIDC-1")
    oidc_testing.configure(network.org_a, oidc_provider)
    page.goto("/accounts/login/")
    assert page.locator('a[data-provider="alpha"]').count() == 1
    assert page.get_by_label("Lösenord").count() == 1  # password log-in stays
    assert_accessible(axe, page)
    _through_the_provider(page, "elin")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("form.logout").count() == 1
    page.locator("form.logout button").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(lambda url: url.startswith(f"{live_server.url}/accounts/login/"))
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_someone_the_product_does_not_know_is_told_what_to_do(
    page: Any, live_server: Any, oidc_provider: Any, network: Any, axe: Any
) -> None:
    oidc_testing.configure(network.org_a, oidc_provider)
    _through_the_provider(page, "stranger")
    page.wait_for_url(f"{live_server.url}/oidc/refused/")
    assert page.locator('[data-refused="no_person"]').count() == 1
    assert "stranger@example.org" in page.content()
    assert_accessible(axe, page)
    page.locator('[data-refused] a[href="/accounts/login/"]').click()
    page.wait_for_url(lambda url: url.startswith(f"{live_server.url}/accounts/login/"))
