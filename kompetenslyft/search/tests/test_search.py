"""Search on both databases: stemming, roots, ranking, language, scope, paging, the page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from kompetenslyft.core.access import access_for
from kompetenslyft.learning.faq_services import support_request_publish
from kompetenslyft.learning.models import JobAid, Module, SupportRequest
from kompetenslyft.search import selectors, services
from kompetenslyft.search.models import Entry
from kompetenslyft.search.stemming import detect, query_terms, terms


def module(organisation: Any, code: str, name: str, description: str = "") -> Module:
    m = Module.objects.create(
        organisation=organisation,
        code=code,
        name=name,
        category="System",
        level="basic",
        format="onsite",
        hours=Decimal("2"),
        description=description,
    )
    services.index_module(m)
    return m


def titles(user: Any, query: str, **kwargs: Any) -> list[str]:
    return [r.title for r in selectors.search(access_for(user), query, **kwargs).results]


def test_stems_and_roots_meet() -> None:
    # Snowball alone: "dokumenter" against "dokumentation"; the root makes them meet.
    assert "dokument" in terms("dokumentation", "sv").split()
    assert any("dokument" in options for options in query_terms("dokumentera"))
    assert any("dokument" in options for options in query_terms("dokumentere"))
    assert "dokument" in terms("dokumentasjon", "nb").split()


def test_language_detection() -> None:
    assert detect("Hur gör jag för att logga in?", "en") == "sv"
    assert detect("Hvordan logger jeg inn på ikke-systemet?", "sv") == "nb"
    assert detect("How do I find the forms?", "sv") == "en"
    assert detect("Outlook", "nb") == "nb"


def test_dokumentera_finds_dokumentation(network: Any) -> None:
    module(network.org_a, "SOC", "Social dokumentation", "Att skriva journal enligt lagen.")
    module(network.org_a, "OUT", "Outlook för nybörjare", "E-post och kalender.")
    assert titles(network.employee.user, "dokumentera") == ["Social dokumentation"]
    assert titles(network.employee.user, "Dokumenterar journalen") == ["Social dokumentation"]
    assert titles(network.employee.user, "kalendern") == ["Outlook för nybörjare"]
    assert titles(network.employee.user, "fotboll") == []


def test_norwegian_and_english(network: Any) -> None:
    module(network.org_b, "DOK", "Dokumentasjon i hjemmetjenesten", "Hvordan dokumentere og ikke glemme noe.")
    module(network.org_a, "ENG", "Documentation basics", "How to write the records of the care.")
    assert titles(network.person_b_user, "dokumentere") == ["Dokumentasjon i hjemmetjenesten"]
    assert titles(network.employee.user, "documenting") == ["Documentation basics"]
    assert Entry.objects.get(object_id=Module.objects.get(code="DOK").pk).language == "nb"
    assert Entry.objects.get(object_id=Module.objects.get(code="ENG").pk).language == "en"


def test_title_ranks_above_body(network: Any) -> None:
    module(network.org_a, "A", "Lönesystemet", "Här nämns dokumentation en gång i förbigående.")
    module(network.org_a, "B", "Dokumentation i vården", "Dokumentation, dokumentera, dokumenterad.")
    assert titles(network.employee.user, "dokumentation") == ["Dokumentation i vården", "Lönesystemet"]


def test_scope_other_organisation_never_found(network: Any) -> None:
    module(network.org_b, "HEM", "Hemmelig dokumentasjon", "")
    module(None, "DELAD", "Delad dokumentation", "")
    module(network.org_a, "EGEN", "Egen dokumentation", "")
    assert sorted(titles(network.employee.user, "dokumentation")) == [
        "Delad dokumentation",
        "Egen dokumentation",
    ]
    assert sorted(titles(network.person_b_user, "dokumentation")) == [
        "Delad dokumentation",
        "Hemmelig dokumentasjon",
    ]


def test_paged(network: Any) -> None:
    for number in range(25):
        module(network.org_a, f"M{number:02}", f"Rutin {number:02}", "")
    page1 = selectors.search(access_for(network.employee.user), "rutiner", page=1)
    page2 = selectors.search(access_for(network.employee.user), "rutiner", page=2)
    assert (page1.total, page1.pages, len(page1.results), len(page2.results)) == (25, 2, 20, 5)
    assert not {r.title for r in page1.results} & {r.title for r in page2.results}


def test_index_follows_changes_and_reindex(network: Any) -> None:
    m = module(network.org_a, "X", "Intranätet", "")
    m.name = "Incidentrapportering"
    m.save()
    services.index_module(m)
    assert titles(network.employee.user, "intranät") == []
    assert titles(network.employee.user, "incidentrapportering") == ["Incidentrapportering"]
    aid = JobAid.objects.create(organisation=network.org_a, title="Lathund för intranätet")
    Entry.objects.all().delete()
    call_command("reindex", stdout=None)
    assert Entry.objects.count() == 2
    assert titles(network.employee.user, "intranät") == [aid.title]
    services.remove(kind=Entry.Kind.JOB_AID, object_ids=[aid.pk])
    assert titles(network.employee.user, "intranät") == []


def test_job_aid_service_and_module_import_index(network: Any) -> None:
    from kompetenslyft.learning.services import job_aid_save
    from kompetenslyft.org.imports import import_file

    job_aid_save(
        organisation=network.org_a,
        title="Så dokumenterar du avvikelser",
        owner="",
        version="",
        plain_language=True,
        link="https://example.org/lathund",
        attachment=None,
        modules=[],
        competences=[],
    )
    content = (
        "module_code,name,category,level,format,hours\nJOU,Journalföring och dokumentation,Vård,basic,onsite,2\n"
    ).encode()
    import_file(kind="modules", content=content, filename="m.csv", organisation=network.org_a)
    page = selectors.search(access_for(network.employee.user), "dokumentera")
    assert {r.title for r in page.results} == {
        "Så dokumenterar du avvikelser",
        "Journalföring och dokumentation",
    }
    assert {r.url for r in page.results if r.kind == "job_aid"} == {"https://example.org/lathund"}


def test_faq_never_shows_the_asker(network: Any, client: Any) -> None:
    question = SupportRequest.objects.create(
        organisation=network.org_a,
        person=network.employee,
        unit=network.unit1,
        topic="Journal",
        question="Jag, Elin, kan inte dokumentera i journalen",
        answer="Välj Ny anteckning.",
    )
    support_request_publish(
        support_request=question,
        question="Hur dokumenterar jag i journalen?",
        answer="Välj Ny anteckning.",
        actor=network.lead.user,
    )
    page = selectors.search(access_for(network.colleague_user), "dokumentera")
    assert [r.title for r in page.results] == ["Hur dokumenterar jag i journalen?"]
    client.force_login(network.colleague_user)
    for url in (reverse("search:search") + "?q=dokumentera", reverse("learning:faq")):
        html = client.get(url).content.decode()
        assert "Hur dokumenterar jag i journalen?" in html
        for trace in ("Elin", network.employee.family_name, network.employee.employee_id, "Jag, Elin"):
            assert trace not in html
        assert f"/org/people/{network.employee.pk}" not in html
    client.force_login(network.person_b_user)
    assert "Ny anteckning" not in client.get(reverse("search:search") + "?q=journalen").content.decode()
    assert "Ny anteckning" not in client.get(reverse("learning:faq")).content.decode()


def test_search_page(network: Any, client: Any) -> None:
    found = module(network.org_a, "SOC", "Social dokumentation", "")
    client.force_login(network.employee.user)
    response = client.get(reverse("search:search"), {"q": "dokumentera"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    link = reverse("learning:module", args=[found.pk])
    assert "1 result for" in html and f'href="{link}"' in html
    assert client.get(link).status_code == 200  # the module's page opens for the one who found it
    assert client.get(reverse("search:search")).status_code == 200
    assert client.get(reverse("search:search"), {"q": "x", "page": "abc"}).status_code == 400
    assert client.get(reverse("search:search"), {"q": "x", "page": "0"}).status_code == 400
    # Characters of the query languages (FTS5 or tsquery syntax) are words or nothing, never a 500.
    for query in ('"', "a OR", "NEAR(", "'&|!:*", "dokument*", "-x", "()"):
        assert client.get(reverse("search:search"), {"q": query}).status_code == 200


def test_an_adopted_module_and_job_aid_are_found_by_the_adopter_only(network: Any) -> None:
    from kompetenslyft.learning.module_services import (
        job_aid_adopt,
        job_aid_share,
        module_adopt,
        module_share,
    )
    from kompetenslyft.learning.services import job_aid_save

    shared = module(network.org_b, "DOKB", "Dokumentasjon i hjemmetjenesten", "Hvordan dokumentere.")
    module(network.org_b, "HEMB", "Hemmelig dokumentasjon", "")  # not shared, not adopted
    module(network.org_a, "EGEN", "Egen dokumentation", "")
    aid = job_aid_save(
        organisation=network.org_b, title="Huskeliste for dokumentasjon", owner="", version="",
        plain_language=False, link="", attachment=None, modules=[], competences=[],
    )  # fmt: skip
    assert titles(network.employee.user, "dokumentation") == ["Egen dokumentation"]
    module_share(module=shared, shared=True)
    job_aid_share(job_aid=aid, shared=True)
    assert titles(network.employee.user, "dokumentation") == ["Egen dokumentation"]  # shared, not adopted
    module_adopt(organisation=network.org_a, module=shared)
    job_aid_adopt(organisation=network.org_a, job_aid=aid)
    page = selectors.search(access_for(network.employee.user), "dokumentation")
    assert sorted(r.title for r in page.results) == [
        "Dokumentasjon i hjemmetjenesten",
        "Egen dokumentation",
        "Huskeliste for dokumentasjon",
    ]
    assert page.total == 3
    # Paged over both parts: every result once, the total the same on each page.
    first = selectors.search(access_for(network.employee.user), "dokumentation", page=1, page_size=2)
    second = selectors.search(access_for(network.employee.user), "dokumentation", page=2, page_size=2)
    assert (first.total, second.total, len(first.results), len(second.results)) == (3, 3, 2, 1)
    assert {r.title for r in first.results} | {r.title for r in second.results} == {
        r.title for r in page.results
    }
    # The owner still finds its own; its module nobody adopted stays its own.
    assert "Hemmelig dokumentasjon" in titles(network.person_b_user, "dokumentation")
    assert "Hemmelig dokumentasjon" not in titles(network.employee.user, "dokumentation")


@pytest.fixture
def network(network: Any) -> Any:
    from kompetenslyft.org.tests.factories import UserFactory

    for attr, person in (("person_b_user", network.person_b), ("colleague_user", network.colleague)):
        person.user = UserFactory(username=f"u{person.pk}")
        person.save()
        setattr(network, attr, person.user)
    return network
