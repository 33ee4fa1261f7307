"""The initiative's added questions on the results page cannot be differenced: a question's
figure is shown only where the scope's evaluation figure is shown and the question's own answers
there are whole blocks of k or more (its own release)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from kompetenslyft.core.tests.test_disclosure import Span
from kompetenslyft.evaluation.models import Question
from kompetenslyft.evaluation.services import Given, Where, store_answers
from kompetenslyft.learning.models import Module
from kompetenslyft.learning.services import initiative_create

URL = "/evaluation/results/"


def test_total_minus_units_gives_no_unit_of_three(network: Any) -> None:
    """The reviewer's attack: U1 and U3 have six evaluation answers each (every evaluation
    figure shown), but only three people in U3 answered the added question. The question over
    the whole organisation minus the question in U1 would be U3's three answers."""
    org = network.org_a
    assert org.anonymity_threshold == 5
    module = Module.objects.create(
        organisation=org, code="MQ", name="Q", category="c", level="basic", format="onsite", hours=1
    )
    initiative = initiative_create(organisation=org, code="q", name="Frågor", modules=[module])
    question = Question.objects.create(organisation=org, initiative=initiative, text="Lagom långt?")
    role = network.employee.role_id
    day = dt.date(2026, 2, 5)
    given = [
        Given(module.pk, day, Where(network.unit1.pk, role, "woman"), motivated=4, extra={question.pk: 4})
    ]
    given *= 6
    given += [
        Given(module.pk, day, Where(network.unit3.pk, role, "woman"), motivated=2, extra={question.pk: 1})
    ] * 3
    given += [Given(module.pk, day, Where(network.unit3.pk, role, "woman"), motivated=2)] * 3
    store_answers(org.pk, given)

    client = Client()
    client.force_login(network.lead.user)
    units = [None, network.admin_a, network.dep1, network.unit1, network.unit2, network.dep2, network.unit3]
    subtree = {  # the units holding answers: U1 (0) and U3 (1)
        None: [0, 1],
        network.admin_a.pk: [0, 1],
        network.dep1.pk: [0],
        network.unit1.pk: [0],
        network.unit2.pk: [],
        network.dep2.pk: [1],
        network.unit3.pk: [1],
    }
    span = Span()
    shown = {}
    evaluation_shown = {}
    for unit in units:
        params = {"initiative": initiative.pk}
        if unit is not None:
            params["unit"] = unit.pk
        page = client.get(URL, params)
        assert page.status_code == 200
        key = unit.pk if unit is not None else None
        evaluation_shown[key] = page.context["total"]["responses"]
        found = {q.question.pk: q for q in page.context["questions"]}
        if question.pk in found and found[question.pk].answers is not None:
            shown[key] = found[question.pk].answers
            vector = [0, 0]
            for atom in subtree[key]:
                vector[atom] = 1
            span.add(vector)
        else:
            # a hidden question never shows its count
            assert question.pk not in found or found[question.pk].positive_share is None
    # every evaluation figure is shown (six answers per unit) ...
    assert evaluation_shown[None] == 12 and evaluation_shown[network.unit1.pk] == 6
    assert evaluation_shown[network.unit3.pk] == 6
    # ... the whole is shown, and U3's three answers are no combination of what is shown
    assert shown[None] == 9
    assert shown.get(network.unit1.pk) is None and shown.get(network.unit3.pk) is None
    assert not span.contains([0, 1])
    assert not span.contains([1, 0])


def test_no_question_where_the_evaluation_figure_is_hidden(network: Any) -> None:
    """Even with k answers to the question in a scope, it is not shown where the scope's
    evaluation figure is hidden (and its count is not given)."""
    from kompetenslyft.evaluation import selectors
    from kompetenslyft.evaluation.results import Query

    org = network.org_a
    module = Module.objects.create(
        organisation=org, code="MR", name="R", category="c", level="basic", format="onsite", hours=1
    )
    initiative = initiative_create(organisation=org, code="r", name="R", modules=[module])
    question = Question.objects.create(organisation=org, initiative=initiative, text="Bra?")
    role = network.employee.role_id
    day = dt.date(2026, 2, 5)
    given = [
        Given(module.pk, day, Where(network.unit1.pk, role, "woman"), motivated=4, extra={question.pk: 4})
    ] * 6
    given += [
        Given(module.pk, day, Where(network.unit3.pk, role, "woman"), motivated=4, extra={question.pk: 4})
    ] * 2
    store_answers(org.pk, given)
    # U3's two answers pool with U1's six: U1 alone is hidden (and so is its question)
    where = selectors.placed(org, Query(modules=frozenset({module.pk}), unit=network.unit1))
    assert selectors.question_results(where, initiative, 5, free_text=True) == []
    whole = selectors.placed(org, Query(modules=frozenset({module.pk})))
    [result] = selectors.question_results(whole, initiative, 5, free_text=True)
    assert result.answers == 8
