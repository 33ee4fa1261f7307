"""Data protection as people would try it: an employee makes and downloads its register
extract from "My data"; a lead makes one for a person on request from the person's page; a data
protection officer reads who looked at whom from its start page; the person sees who read it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.core.models import Grant, ProductRole
from kompetenslyft.org.tests.factories import UserFactory

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

MY_DATA = re.compile("Mina uppgifter|My data")


def test_an_employee_downloads_its_register_extract(page: Any, axe: Any, network: Any) -> None:
    log_in(page, "employee")
    menu_link(page, MY_DATA).click()
    expect(page.get_by_role("heading", level=1, name=MY_DATA)).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name=re.compile("registerutdrag|register extract", re.I)).click()
    download_json = page.get_by_role("link", name=re.compile("JSON"))
    expect(download_json).to_be_visible(timeout=20_000)
    assert_accessible(axe, page)
    with page.expect_download() as info:
        download_json.click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["person"]["employee_id"] == network.employee.employee_id
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("PDF")).click()
    assert open(info.value.path(), "rb").read(4) == b"%PDF"


def test_a_lead_makes_an_extract_and_the_officer_and_the_person_see_the_read(
    page: Any, axe: Any, network: Any
) -> None:
    officer = UserFactory(username="dpo")
    Grant.objects.create(user=officer, organisation=network.org_a, role=ProductRole.DATA_PROTECTION)
    log_in(page, "lead")
    menu_link(page, "Medarbetare").click()
    page.get_by_role("link", name=re.compile(network.employee.family_name)).first.click()
    page.get_by_role("link", name=re.compile("registerutdrag|register extract", re.I)).click()
    assert_accessible(axe, page)
    page.get_by_role("textbox").fill("Begäran per e-post den 3 mars")
    page.get_by_role("button", name=re.compile("registerutdrag|register extract", re.I)).click()
    expect(page.get_by_role("link", name=re.compile("PDF"))).to_be_visible(timeout=20_000)
    page.get_by_role("button", name="Logga ut").click()

    log_in(page, "dpo")
    assert_accessible(axe, page)
    page.get_by_role("link", name=re.compile("läsningar|Reads of people", re.I)).click()
    rows = page.locator("table tbody").inner_text()
    assert network.lead.full_name in rows and network.employee.employee_id in rows
    assert_accessible(axe, page)
    # A from date after the to date is said, on the field, not answered with an empty list.
    page.locator("#id_date_from").fill("2024-03-10")
    page.locator("#id_date_to").fill("2024-03-01")
    page.locator("form.filters button[type=submit]").click()
    expect(page.get_by_role("alert")).to_contain_text("2024-03-10")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Logga ut").click()

    log_in(page, "employee")
    menu_link(page, MY_DATA).click()
    expect(page.locator("table tbody")).to_contain_text(network.lead.full_name)
