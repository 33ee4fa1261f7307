"""Knowledge tests by clicking only: a trainer imports a GIFT question bank from its home page
(preview, confirm) and sets the test before the module; an employee takes that test from its
journey on a phone, passes, and sees the module exempt with the reason."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kompetenslyft.core.importing import import_file
from kompetenslyft.knowledge.models import Option
from kompetenslyft.knowledge.services import exemption_reason
from kompetenslyft.learning import proposal_services
from kompetenslyft.learning.models import Module, Proposal
from kompetenslyft.learning.services import initiative_create, proposals_generate, session_create

from .conftest import assert_accessible, log_in, menu_link

pytestmark = pytest.mark.django_db(transaction=True)

GIFT = (
    Path(__file__).parents[2]
    / "kompetenslyft"
    / "knowledge"
    / "tests"
    / "fixtures"
    / "digital_dokumentation.gift"
)
# Strings new in this issue are compiled into Swedish at integration: match both until then.
BANKS = re.compile(r"Frågebanker för mina moduler|Question banks of my modules")
PREVIEW = re.compile(r"Förhandsgranska frågorna|Preview the questions")
CONFIRM = re.compile(r"Bekräfta importen|Confirm the import")
SAVE_PRE = re.compile(r"Spara testet före modulen|Save the test before the module")
START = re.compile(r"Starta testet|Start the test")
HAND_IN = re.compile(r"Lämna in|Hand in")
PASSED = re.compile(r"Godkänd|Passed")
BACK_TO_TESTS = re.compile(r"Tillbaka till modulens tester|Back to the module's tests")
ANSWERS = re.compile(r"Dina svar och återkopplingen|Your answers and the feedback")


def _phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, locale="sv-SE",
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def test_trainer_imports_a_bank_and_an_employee_passes_the_pre_test_and_is_exempt(
    browser: Any, live_server: Any, axe: Any, network: Any
) -> None:
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nDOK,Dokumentation,K\n"),
        ("requirements", f"role,competence_code,required_level\n{role},DOK,3\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-DOK,Digital dokumentation,K,basic,onsite,1.5,DOK\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    module = Module.objects.get(code="M-DOK")
    initiative = initiative_create(
        organisation=network.org_a,
        code="dok",
        name="Dokumentationslyftet",
        units=[network.admin_a],
        modules=[module],
    )
    proposals_generate(initiative_id=initiative.pk)
    proposal_services.proposal_confirm(proposal=Proposal.objects.get(person=network.employee), actor=None)
    session_create(
        module=module, starts_at=timezone.now() + dt.timedelta(days=7), duration_minutes=60, capacity=10,
        place="Solgården", trainers=[network.trainer],
    )  # fmt: skip

    trainer = _phone(browser, live_server)
    log_in(trainer, "trainer")
    card = trainer.get_by_role("heading", name=BANKS)
    expect(card).to_be_visible()
    trainer.locator('[data-card="knowledge-banks"]').get_by_role("link", name="Digital dokumentation").click()
    assert_accessible(axe, trainer)
    trainer.locator("input[type=file]").set_input_files(str(GIFT))
    trainer.get_by_role("button", name=PREVIEW).click()
    expect(trainer.get_by_text("Varför dokumenterar vi i journalen?")).to_be_visible()
    assert "alert" not in trainer.content()
    assert_accessible(axe, trainer)
    trainer.get_by_role("button", name=CONFIRM).click()
    expect(trainer.get_by_text(re.compile(r"7 (nya|new)"))).to_be_visible()
    # The imported bank opens from the list: its questions, the right options marked, feedback.
    trainer.get_by_role("link", name="digital_dokumentation").click()
    expect(trainer.get_by_role("heading", level=1)).to_contain_text("digital_dokumentation")
    expect(trainer.locator("[data-question]")).to_have_count(7)
    right = trainer.locator('[data-question] li[data-right="yes"]').filter(has_text="säker och god vård")
    expect(right.get_by_text("rätt", exact=True)).to_be_visible()
    expect(trainer.get_by_text(re.compile(r"(Återkoppling|Feedback): Nej, det är en vanlig"))).to_be_visible()
    expect(trainer.get_by_text("sant eller falskt").first).to_be_visible()
    assert_accessible(axe, trainer)
    assert trainer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    trainer.get_by_role("link", name=BACK_TO_TESTS).first.click()
    trainer.get_by_role("button", name=SAVE_PRE).click()
    assert_accessible(axe, trainer)
    assert trainer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone = _phone(browser, live_server)
    log_in(phone, "employee")
    menu_link(phone, "Mitt lärande").click()
    phone.get_by_role(
        "link", name=re.compile(r"(Kunskapstest|Knowledge test): Digital dokumentation")
    ).click()
    phone.get_by_role("button", name=START).click()
    expect(phone.locator("fieldset")).to_have_count(7)
    assert_accessible(axe, phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for option in Option.objects.filter(question__bank__module=module, weight__gt=0):
        phone.locator(f'input[value="{option.pk}"]').check()
    phone.get_by_role("button", name=HAND_IN).click()
    expect(phone.get_by_text(PASSED).first).to_be_visible()
    assert_accessible(axe, phone)
    phone.get_by_role("link", name="Mitt lärande").last.click()
    expect(phone.get_by_text(f"Undantag: {exemption_reason(network.org_a)}")).to_be_visible()
    # The test it passed stays on its journey, with the day and the score, and why it is exempt.
    passed = phone.locator(f'[data-passed-before="{module.pk}"]')
    day = timezone.localdate().isoformat()  # Swedish dates: 2026-11-23
    expect(passed).to_contain_text(
        re.compile(rf"(Du klarade testet|You passed it on) {day} (med|with) 100 %")
    )
    passed.get_by_role("link", name=ANSWERS).click()
    expect(phone.get_by_text(PASSED).first).to_be_visible()
