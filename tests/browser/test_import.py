"""A competence lead imports from the web: upload, preview (new, changed, moved, deactivated,
errors), confirm."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from kompetenslyft.org.models import Person, Unit

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)


def upload(page: Any, kind: str, name: str, content: bytes) -> None:
    menu_link(page, "Import").click()
    page.get_by_label("Vad filen innehåller").select_option(kind)
    page.get_by_label("Fil (CSV eller .xlsx)").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Visa förhandsgranskningen").click()


def test_import_with_preview_and_confirmation(page: Any, axe: Any, network: Any) -> None:
    log_in(page, "lead")
    menu_link(page, "Import").click()
    assert_accessible(axe, page)
    units = "unit_id;name;parent_id\nU4;Hemtjänst Östra;DEP1\nU1;Hemtjänst Norra (ny);DEP1\n"
    upload(page, "units", "enheter.csv", ("\ufeff" + units).encode())
    expect(page.get_by_role("heading", name="Förhandsgranska import")).to_be_visible()
    summary = page.get_by_role("table", name="Vad importen gör").inner_text()
    assert "Nya\t1" in summary and "Ändrade\t1" in summary
    assert_accessible(axe, page)
    assert not Unit.objects.filter(unit_id="U4").exists()  # nothing before confirming
    page.get_by_role("button", name="Bekräfta importen").click()
    expect(page.get_by_role("heading", name="Importen är genomförd")).to_be_visible()
    assert Unit.objects.get(unit_id="U4").parent == network.dep1

    bad = "employee_id,given_name,family_name,unit_id,role\nX1,Ny,,U4,lärare\nX2,Nyare,Person,NOPE,lärare\n"
    upload(page, "people", "fel.csv", bad.encode())
    expect(page.get_by_role("heading", name="Importen avvisades")).to_be_visible()
    errors = page.locator("section").inner_text()
    assert "family_name" in errors and "NOPE" in errors
    assert page.get_by_role("button", name="Bekräfta importen").count() == 0
    assert_accessible(axe, page)
    assert not Person.objects.filter(employee_id__in=["X1", "X2"]).exists()


def test_the_preview_runs_in_the_background_and_the_page_follows_it(
    page: Any, axe: Any, network: Any, settings: Any
) -> None:
    from kompetenslyft.org.import_batches import import_batch_preview
    from kompetenslyft.org.models import ImportBatch

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no worker yet
    log_in(page, "lead")
    upload(page, "units", "enheter.csv", b"unit_id,name,parent_id\nU7,Hemtj\xc3\xa4nst Sju,DEP1\n")
    expect(page.get_by_role("heading", name="Filen kontrolleras")).to_be_visible()
    expect(page.get_by_role("link", name="Ladda om sidan")).to_be_visible()
    assert page.get_by_role("button", name="Bekräfta importen").count() == 0
    assert_accessible(axe, page)
    import_batch_preview(batch_id=ImportBatch.objects.get().pk)  # the worker's part
    # the page's script notices and shows the preview without anyone reloading it
    expect(page.get_by_role("heading", name="Förhandsgranska import")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="Bekräfta importen")).to_be_visible()
