"""Modules on the web: create and edit (the import's checks, prerequisites without cycles and
ordering the journey), sharing with the network and adopting, the introduction programme and
repetition — and the access rules around them, each tried from the wrong side."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.importing import ImportRefused, import_file
from kompetenslyft.core.models import AuditEntry
from kompetenslyft.learning import module_services as ms
from kompetenslyft.learning.models import Attendance, Enrolment, JobAid, Module, ModuleAdoption
from kompetenslyft.learning.module_rules import add_months, find_cycle
from kompetenslyft.learning.selectors import journey, modules_for


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make(organisation: Any, code: str, **kwargs: Any) -> Module:
    values: dict[str, Any] = {
        "name": f"Modul {code}",
        "category": "Digitalt",
        "level": "basic",
        "module_format": "onsite",
        "hours": Decimal("1.5"),
    }
    values.update(kwargs)
    return ms.module_create(organisation=organisation, code=code, **values)


FORM = {
    "name": "Dataskydd",
    "category": "Juridik",
    "level": "basic",
    "module_format": "elearning",
    "hours": "2",
    "refresh_months": "24",
    "description": "GDPR i vardagen",
    "pre_material": "",
}


# --- rules ------------------------------------------------------------------------------------


def test_find_cycle_and_months() -> None:
    assert find_cycle({1: [2], 2: [3], 3: []}) is None
    assert find_cycle({1: [2], 2: [3], 3: [1]}) == [1, 2, 3, 1]
    assert find_cycle({"a": ["a"]}) == ["a", "a"]
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2022, 5, 10), 24) == dt.date(2024, 5, 10)


# --- services --------------------------------------------------------------------------------


def test_module_create_update_audited_and_checked_as_the_import(network: Any) -> None:
    base = make(network.org_a, "BAS", actor=network.lead.user)
    advanced = make(network.org_a, "FORT", prerequisites=[base], mandatory_roles=[network.employee.role])
    assert list(advanced.prerequisites.all()) == [base]
    assert AuditEntry.objects.filter(action="module.created", target_id="FORT").exists()
    with pytest.raises(ValidationError) as error:
        make(network.org_a, "X" * 65, hours="-1", level="expert")
    messages = error.value.message_dict
    assert messages["code"] == ["is longer than 64 characters"]
    assert messages["hours"] == ["'-1' is not a number of hours"]
    assert messages["level"] == ["'expert' is not basic or advanced"]
    with pytest.raises(ValidationError, match="Another module of the organisation has this code"):
        make(network.org_a, "bas")
    ms.module_update(
        module=base,
        code="BAS",
        name="Grunder",
        category="Digitalt",
        level="basic",
        module_format="onsite",
        hours="3",
        refresh_months=12,
    )
    base.refresh_from_db()
    assert (base.name, base.hours, base.refresh_months) == ("Grunder", Decimal("3.00"), 12)
    assert AuditEntry.objects.filter(action="module.changed", target_id="BAS").exists()


def test_a_cycle_is_refused_at_save_and_at_import(network: Any) -> None:
    a = make(network.org_a, "A")
    b = make(network.org_a, "B", prerequisites=[a])
    c = make(network.org_a, "C", prerequisites=[b])
    with pytest.raises(ValidationError, match="would form a cycle: A → C → B → A"):
        ms.module_update(
            module=a,
            code="A",
            name="A",
            category="K",
            level="basic",
            module_format="onsite",
            hours="1",
            prerequisites=[c],
        )
    assert list(a.prerequisites.all()) == []
    with pytest.raises(ImportRefused) as refused:
        import_file(
            kind="modules",
            content=b"module_code,name,category,level,format,hours,prerequisites\nA,A,K,basic,onsite,1,C\n",
            filename="m.csv",
            organisation=network.org_a,
        )
    assert "cycle" in refused.value.result.errors[0].message
    assert not a.prerequisites.exists()
    with pytest.raises(ImportRefused) as refused:
        import_file(
            kind="modules",
            content=b"module_code,name,category,level,format,hours,prerequisites\nD,D,K,basic,onsite,1,NOPE\n",
            filename="m.csv",
            organisation=network.org_a,
        )
    assert "'nope' is not a known module" in refused.value.result.errors[0].message
    import_file(
        kind="modules",
        content=(
            b"module_code,name,category,level,format,hours,prerequisites,refresh_months\n"
            b"E,E,K,basic,onsite,1,C;B,24\nF,F,K,basic,onsite,1,E,\n"
        ),
        filename="m.csv",
        organisation=network.org_a,
    )
    e = Module.objects.get(code="E")
    assert sorted(p.code for p in e.prerequisites.all()) == ["B", "C"] and e.refresh_months == 24
    assert [p.code for p in Module.objects.get(code="F").prerequisites.all()] == ["E"]


def test_prerequisites_order_the_journey(network: Any) -> None:
    first = make(network.org_a, "Z-FIRST")
    then = make(network.org_a, "A-THEN", prerequisites=[first])
    for module in (then, first):
        Enrolment.objects.create(person=network.employee, module=module, kind=Enrolment.Kind.INTRODUCTION)
    codes = [j.module.code for j in journey(network.employee).modules]
    assert codes == ["Z-FIRST", "A-THEN"]  # alphabetically the other way round
    assert all(
        j.state == "assigned" and j.reason == "introduction" for j in journey(network.employee).modules
    )


def test_adopting_is_a_link_the_adopter_cannot_edit(network: Any) -> None:
    module = make(network.org_a, "GDPR")
    with pytest.raises(ValidationError):
        ms.module_adopt(organisation=network.org_b, module=module)  # not shared
    ms.module_share(module=module, shared=True, actor=network.lead.user)
    with pytest.raises(ValidationError):
        ms.module_adopt(organisation=network.org_a, module=module)  # one's own
    ms.module_adopt(organisation=network.org_b, module=module, actor=network.lead_b.user)
    assert modules_for(network.org_b.pk).filter(pk=module.pk).exists()
    assert ModuleAdoption.objects.get().organisation == network.org_b
    # The owner's change reaches the adopter: the same row.
    module.name = "Dataskydd 2"
    module.save()
    assert modules_for(network.org_b.pk).get(pk=module.pk).name == "Dataskydd 2"


# --- introduction programme ------------------------------------------------------------------


def test_a_person_who_starts_gets_the_introduction_and_the_manager_is_told(
    network: Any, django_capture_on_commit_callbacks: Any
) -> None:
    role = network.employee.role
    intro = make(network.org_a, "INTRO")
    network.manager.language = "en"
    network.manager.email = "maria@example.org"
    network.manager.save()
    network.dep1.manager_employee_id = network.manager.employee_id  # as the HR import keeps it
    network.dep1.save()
    ms.module_set_introduction_roles(module=intro, organisation=network.org_a, roles=[role])
    # Nobody in the role started lately: nobody assigned, nobody told.
    assert not Enrolment.objects.exists() and not mail.outbox
    start = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    content = (
        f"employee_id,given_name,family_name,unit_id,role,start_date\nN1,Nora,Ny,U1,{role.name},{start}\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        import_file(
            kind="people", content=content, filename="p.csv", organisation=network.org_a, keep_missing=True
        )
    enrolment = Enrolment.objects.get()
    assert (enrolment.person.employee_id, enrolment.module, enrolment.kind) == ("N1", intro, "introduction")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maria@example.org"]
    assert "Introduction modules for 1 new person" in message.subject
    assert "Nora Ny" in message.body and "Modul INTRO" in message.body
    # Run again (the daily command): nothing twice.
    assert ms.introduction_assign(organisation_id=network.org_a.pk) == 0
    assert len(mail.outbox) == 1
    entry = next(j for j in journey(enrolment.person).modules if j.module == intro)
    assert (entry.state, entry.reason) == ("assigned", "introduction")


def test_introduction_roles_only_of_ones_own_organisation(network: Any) -> None:
    intro = make(network.org_a, "INTRO")
    with pytest.raises(ValidationError):
        ms.module_set_introduction_roles(module=intro, organisation=network.org_b, roles=[])  # not used by b
    with pytest.raises(ValidationError):
        ms.module_set_introduction_roles(
            module=intro, organisation=network.org_a, roles=[network.person_b.role]
        )


# --- repetition ------------------------------------------------------------------------------


def test_an_old_completion_is_due_again(network: Any) -> None:
    module = make(network.org_a, "GDPR", refresh_months=24)
    today = timezone.localdate()
    done_on = today - dt.timedelta(days=800)
    Attendance.objects.create(
        person=network.employee,
        module=module,
        unit=network.employee.unit,
        date=done_on,
        hours=1,
        status=Attendance.Status.COMPLETED,
    )
    Attendance.objects.create(
        person=network.colleague,
        module=module,
        unit=network.colleague.unit,
        date=today - dt.timedelta(days=30),
        hours=1,
        status=Attendance.Status.COMPLETED,
    )
    entry = next(j for j in journey(network.employee).modules if j.module == module)
    assert (entry.state, entry.reason, entry.completed) == ("assigned", "refresh", False)
    assert entry.due_since == add_months(done_on, 24)
    call_command("refresh_assignments", stdout=open("/dev/null", "w"))  # noqa: SIM115
    enrolment = Enrolment.objects.get()
    assert (enrolment.person, enrolment.kind, enrolment.due_on) == (
        network.employee,
        "refresh",
        add_months(done_on, 24),
    )
    assert ms.refresh_assign() == 0  # once
    page = client_for(network.employee.user).get(reverse("learning:me"), HTTP_ACCEPT_LANGUAGE="en")
    assert f"Due again since {add_months(done_on, 24):%Y-%m-%d}." in page.content.decode()


# --- views and access --------------------------------------------------------------------------


def test_lead_creates_edits_and_shares_on_the_web(network: Any) -> None:
    base = make(network.org_a, "BAS")
    client = client_for(network.lead.user)
    page = client.get(reverse("learning:catalogue"))
    assert reverse("learning:module", args=[base.pk]) in page.content.decode()
    response = client.post(
        reverse("learning:module_create"), {**FORM, "code": "GDPR", "prerequisites": [base.pk]}
    )
    module = Module.objects.get(code="GDPR")
    assert response.status_code == 302 and response.url == reverse("learning:module", args=[module.pk])
    assert module.organisation == network.org_a and list(module.prerequisites.all()) == [base]
    # The import's checks, on the form: a cycle is named.
    response = client.post(
        reverse("learning:module_edit", args=[base.pk]),
        {**FORM, "code": "BAS", "prerequisites": [module.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and "would form a cycle: BAS → GDPR → BAS" in response.content.decode()
    response = client.post(
        reverse("learning:module_edit", args=[module.pk]), {**FORM, "code": "GDPR", "hours": "3"}
    )
    module.refresh_from_db()
    assert response.status_code == 302 and module.hours == 3 and not module.prerequisites.exists()
    client.post(reverse("learning:module_share", args=[module.pk]))
    module.refresh_from_db()
    assert module.shared
    role = network.employee.role
    client.post(reverse("learning:module_introduction", args=[module.pk]), {"roles": [role.pk]})
    assert list(module.introduction_roles.all()) == [role]
    client.post(reverse("learning:module_unshare", args=[module.pk]))
    module.refresh_from_db()
    assert not module.shared


@pytest.mark.parametrize("who", ["employee", "manager", "trainer", "top", "lead_b"])
def test_only_the_owners_lead_creates_or_edits(network: Any, who: str) -> None:
    module = make(network.org_a, "BAS")
    client = client_for(getattr(network, who).user)
    before = Module.objects.count()
    if who != "lead_b":  # another organisation's lead creates modules of its own
        assert client.get(reverse("learning:module_create")).status_code == 404
        assert client.post(reverse("learning:module_create"), {**FORM, "code": "NEW"}).status_code == 404
    assert client.get(reverse("learning:module_edit", args=[module.pk])).status_code == 404
    response = client.post(
        reverse("learning:module_edit", args=[module.pk]), {**FORM, "code": "BAS", "name": "Hack"}
    )
    assert response.status_code == 404
    for name in ("module_share", "module_unshare"):
        assert client.post(reverse(f"learning:{name}", args=[module.pk])).status_code == 404
    module.refresh_from_db()
    assert (module.name, module.shared, Module.objects.count()) == ("Modul BAS", False, before)


def test_another_organisations_module_is_listed_and_adoptable_only_when_shared(network: Any) -> None:
    hidden = make(network.org_a, "HIDDEN")
    shared = make(network.org_a, "OPEN", description="Delad")
    ms.module_share(module=shared, shared=True)
    client = client_for(network.lead_b.user)
    page = client.get(reverse("learning:network")).content.decode()
    assert "Modul OPEN" in page and "Modul HIDDEN" not in page
    assert client.post(reverse("learning:module_adopt", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("learning:module", args=[hidden.pk])).status_code == 404
    assert "Modul HIDDEN" not in client.get(reverse("learning:catalogue")).content.decode()
    assert client.post(reverse("learning:module_adopt", args=[shared.pk])).status_code == 302
    assert "Modul OPEN" in client.get(reverse("learning:catalogue")).content.decode()
    assert client.get(reverse("learning:module", args=[shared.pk])).status_code == 200
    # Adopting does not let the adopter edit the original.
    assert client.get(reverse("learning:module_edit", args=[shared.pk])).status_code == 404
    client.post(reverse("learning:module_edit", args=[shared.pk]), {**FORM, "code": "OPEN", "name": "Ändrad"})
    client.post(reverse("learning:module_unshare", args=[shared.pk]))
    shared.refresh_from_db()
    assert (shared.name, shared.shared) == ("Modul OPEN", True)
    # It may set its own roles' introduction on it (its roles only).
    role_b = network.person_b.role
    client.post(reverse("learning:module_introduction", args=[shared.pk]), {"roles": [role_b.pk]})
    assert list(shared.introduction_roles.all()) == [role_b]
    # The employees of org b may enrol in it; those of c never saw it.
    assert not modules_for(network.org_a.pk).filter(organisation=network.org_b).exists()


def test_job_aids_shared_and_adopted(network: Any) -> None:
    aid = JobAid.objects.create(
        organisation=network.org_a, title="Lathund Outlook", link="https://example.org/a"
    )
    secret = JobAid.objects.create(
        organisation=network.org_a, title="Intern lathund", link="https://example.org/b"
    )
    lead_b = client_for(network.lead_b.user)
    assert lead_b.post(reverse("learning:job_aid_adopt", args=[aid.pk])).status_code == 404
    assert lead_b.post(reverse("learning:job_aid_share", args=[aid.pk])).status_code == 404  # not its own
    client_for(network.lead.user).post(reverse("learning:job_aid_share", args=[aid.pk]))
    page = lead_b.get(reverse("learning:network")).content.decode()
    assert "Lathund Outlook" in page and "Intern lathund" not in page
    assert lead_b.post(reverse("learning:job_aid_adopt", args=[secret.pk])).status_code == 404
    assert lead_b.post(reverse("learning:job_aid_adopt", args=[aid.pk])).status_code == 302
    page = client_for(network.person_b.user if network.person_b.user else network.lead_b.user).get(
        reverse("learning:job_aids")
    )
    assert "Lathund Outlook" in page.content.decode() and "Intern lathund" not in page.content.decode()


def test_employee_enrols_from_the_module_page(network: Any) -> None:
    module = make(network.org_a, "VAL")
    other = make(network.org_b, "B-ONLY")
    client = client_for(network.employee.user)
    assert client.get(reverse("learning:module", args=[module.pk])).status_code == 200
    assert client.post(reverse("learning:module_enrol", args=[other.pk])).status_code == 404
    assert client.post(reverse("learning:module_enrol", args=[module.pk])).status_code == 302
    assert Enrolment.objects.get().module == module


def test_catalogue_and_network_queries_do_not_grow_with_modules(
    network: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(12):
        module = make(network.org_b, f"B{n}", mandatory_roles=[network.person_b.role] if n % 2 else [])
        ms.module_share(module=module, shared=True)
        if n % 3 == 0:
            ms.module_adopt(organisation=network.org_a, module=module)
    client = client_for(network.lead.user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("learning:catalogue")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("learning:network")).status_code == 200
