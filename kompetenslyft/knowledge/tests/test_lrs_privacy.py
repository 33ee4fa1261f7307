"""A knowledge test's result is the person's own (``knowledge.results``), and the LRS is read by
the organisation's clients: a lead who makes itself a read-all client at /lrs-clients/ finds that
each person handed in a test, never the score nor whether it was passed or failed; nor how many
micro-learning questions one got right (the attack of the privacy review, turned around)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.knowledge.models import Attempt
from kompetenslyft.lrs import emit
from kompetenslyft.microlearning.models import QuestionSet
from kompetenslyft.microlearning.services import set_answer

from .conftest import wrong_answers

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _hand_in(work: Any, person: Any, answers_of: Any, capture: Any) -> Attempt:
    me = _client(person.user)
    assert me.post(reverse("knowledge:test_start", args=[work.pre.pk])).status_code == 302
    attempt = Attempt.objects.filter(person=person, test=work.pre).latest("pk")
    data = {f"q{q}": [str(o) for o in options] for q, options in answers_of(attempt).items()}
    with capture(execute=True):
        assert me.post(reverse("knowledge:attempt_submit", args=[attempt.pk]), data).status_code == 302
    attempt.refresh_from_db()
    return attempt


def test_a_leads_own_lrs_client_reads_no_test_score_and_no_micro_learning_result(
    work: Any, django_capture_on_commit_callbacks: Any
) -> None:
    failed = _hand_in(work, work.employee, wrong_answers, django_capture_on_commit_callbacks)
    assert failed.submitted_at is not None and not failed.passed
    row = QuestionSet.objects.create(
        person=work.employee, organisation=work.org_a, day=timezone.localdate(), questions=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        set_answer(question_set=row, answers={})
    row.questions, row.right = [1, 2, 3, 4], 1
    with django_capture_on_commit_callbacks(execute=True):
        emit.micro_answered(row, work.employee)  # what set_answer writes for a set of four

    page = _client(work.lead.user).post(
        reverse("lrs_clients:list"), {"name": "Rapport", "scopes": ["all/read"]}
    )
    assert page.status_code == 200
    html = page.content.decode()
    key = re.search(r'id="created-key">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="created-secret">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    response = Client().get(
        reverse("lrs:statements"),
        {"limit": "500"},
        HTTP_AUTHORIZATION=auth,
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )
    assert response.status_code == 200, response.content[:300]
    mine = [
        s
        for s in json.loads(response.content)["statements"]
        if s["actor"].get("account", {}).get("name") == work.employee.employee_id
    ]
    tests = [s for s in mine if s["object"]["id"].endswith("/pre-test")]
    assert len(tests) == 1  # that the test was handed in is recorded ...
    assert tests[0]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attempted"
    for s in mine:  # ... but no statement about the person carries how it went
        assert "score" not in s.get("result", {}) and "success" not in s.get("result", {}), s
        assert s["verb"]["id"] not in (
            "http://adlnet.gov/expapi/verbs/failed",
            "http://adlnet.gov/expapi/verbs/passed",
        )
