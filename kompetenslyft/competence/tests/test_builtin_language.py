"""The shipped frameworks speak the organisation's language.

Decision: translated at display, not copied at adoption. A shared framework is one set of
rows for the whole network (every organisation's requirements, answers and gaps point at the
same competences), so a copy per language would split them. Each shipped text carries its
bokmål and English with it (``translations``), and a page shows the one of the interface
language, which for an organisation's people is their own (Fjellvik's people have ``nb``:
they see Norwegian from the moment they log in)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from kompetenslyft.competence import models
from kompetenslyft.competence.builtin import SYSTEM_GOALS, install_builtin_frameworks
from kompetenslyft.competence.models import Framework, KnowledgeGoal

NB_GOAL = "Jeg kan melde et avvik."
SV_GOAL = "Jag kan rapportera en avvikelse."


def _systems() -> Framework:
    return Framework.objects.get(organisation=None, code="systems")


def test_every_shipped_knowledge_goal_and_description_has_bokmal_and_english(db: Any) -> None:
    goals = KnowledgeGoal.objects.filter(competence__framework=_systems())
    assert goals.count() == len(SYSTEM_GOALS) == 20
    for goal in goals:
        assert goal.translations["nb"]["text"] and goal.translations["en"]["text"], goal.text
        assert goal.translations["nb"]["text"] != goal.text
    for framework in Framework.objects.filter(organisation=None):
        for language in ("sv", "nb", "en"):
            assert framework.translations[language]["name"]
            assert framework.translations[language]["description"]
        for competence in framework.competences.all():
            assert competence.translations["nb"]["name"] and competence.translations["en"]["name"]
        for category in framework.categories.all():
            assert category.translations["nb"]["name"] and category.translations["en"]["name"]


def test_a_norwegian_organisations_person_sees_the_framework_in_norwegian(network: Any) -> None:
    network.lead_b.language = "nb"
    network.lead_b.save()
    client = Client()
    response = client.post(
        reverse("login"), {"username": "leadb", "password": "correct-horse-battery"}, follow=True
    )
    assert response.status_code == 200
    page = client.get(reverse("competence:framework", args=[_systems().pk])).content.decode()
    assert 'lang="nb"' in page
    assert NB_GOAL in page and SV_GOAL not in page
    assert "Avviksmelding" in page  # the competence's name
    assert "Virksomhetens digitale systemer" in page
    assert "E-post, intranett, avvik, lønn" in page  # the description
    digcomp = Framework.objects.get(organisation=None, code="digcomp22")
    page = client.get(reverse("competence:framework", args=[digcomp.pk])).content.decode()
    assert "DigComp-nivå 1–2 (grunnleggende)" in page and "Bla, søke og filtrere data" in page


def test_a_swedish_organisation_sees_swedish_and_english_follows_the_interface(network: Any) -> None:
    client = Client()
    client.force_login(network.lead.user)
    url = reverse("competence:framework", args=[_systems().pk])
    page = client.get(url).content.decode()
    assert SV_GOAL in page and NB_GOAL not in page and "Verksamhetens digitala system" in page
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "I can report an incident." in page and SV_GOAL not in page


def test_an_earlier_installation_gets_the_translations_at_the_next_migrate(db: Any) -> None:
    KnowledgeGoal.objects.update(translations={})
    Framework.objects.filter(organisation=None).update(translations={})
    install_builtin_frameworks(models)  # what post_migrate runs
    goal = KnowledgeGoal.objects.get(competence__framework=_systems(), text=SV_GOAL)
    assert goal.translations["nb"]["text"] == NB_GOAL
    assert _systems().translations["nb"]["name"] == "Virksomhetens digitale systemer"
    # and it changes nothing the second time
    assert KnowledgeGoal.objects.filter(competence__framework=_systems()).count() == 20
    install_builtin_frameworks(models)
    assert KnowledgeGoal.objects.filter(competence__framework=_systems()).count() == 20


def test_an_organisations_own_goals_are_left_as_written(network: Any) -> None:
    from kompetenslyft.core.importing import import_file

    import_file(
        kind="framework",
        content=f"competence_code,name,category,knowledge_goals\nX,Egen,Kat,{SV_GOAL}\n".encode(),
        filename="f.csv",
        organisation=network.org_a,
    )
    install_builtin_frameworks(models)
    own = KnowledgeGoal.objects.get(competence__framework__organisation=network.org_a)
    assert own.translations == {} and own.local_text == SV_GOAL
