"""Answering: the page by token (no log-in), from the journey and through the QR link; once
only; closed after closes_on; the initiative's questions; the lead manages them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.evaluation.answering import AlreadyAnswered, Answers, answer_submit
from kompetenslyft.evaluation.models import Answer, Comment, Question, QuestionAnswer, Request
from kompetenslyft.evaluation.views import session_value
from kompetenslyft.learning.services import attendance_take

from .conftest import Held

FULL = {"motivated": "4", "level": "3", "method_good": "3", "important": "4", "will_use": "2"}


@pytest.fixture
def asked(held: Held) -> Held:
    attendance_take(session=held.session, present={p.pk for p in held.people})
    return held


def client_for(user: Any = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def token_url(person: Any) -> str:
    return reverse("evaluation:token", args=[Request.objects.get(person=person).token])


def test_token_link_answers_without_log_in_once(asked: Held) -> None:
    client = client_for()
    url = token_url(asked.people[1])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for word in ("to a fairly large extent", "somewhat too hard", "much too easy", "not at all"):
        assert word in html
    assert html.count("<fieldset>") == 5 and html.count("<legend>") == 5
    assert "<script" not in html
    # two minutes on a phone: the page and its stylesheets well under 50 KB
    styles = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', html)
    size = len(page.content) + sum(len(open(finders.find(s), "rb").read()) for s in styles)  # noqa: SIM115
    assert size <= 50_000, size
    sent = client.post(url, {**FULL, "comment": "Bra exempel från vardagen."})
    assert sent.status_code == 302 and sent["Location"].endswith("?sent=1")
    assert "Your answer was received" in client.get(sent["Location"]).content.decode()
    answer = Answer.objects.get()
    assert (answer.motivated, answer.level, answer.will_use, answer.session_id) == (4, 3, 2, asked.session.pk)
    assert (answer.unit_id, answer.role_id, answer.gender) == (asked.network.unit1.pk, asked.role.pk, "woman")
    assert Comment.objects.get().text == "Bra exempel från vardagen."
    assert Request.objects.get(person=asked.people[1]).answered_on == timezone.localdate()
    again = client.post(url, FULL)
    assert again.status_code == 409 and "already answered" in again.content.decode()
    assert Answer.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Answer at least one question"),
        ({"comment": "   "}, "Answer at least one question"),
        ({"level": "9"}, "Select a valid choice"),
        ({"motivated": "²"}, "Select a valid choice"),
        ({"comment": "hej\x00då"}, "control characters"),
        ({"comment": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(asked: Held, data: dict, message: str) -> None:
    response = client_for().post(token_url(asked.people[0]), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert Answer.objects.count() == 0 and Request.objects.filter(answered_on__isnull=False).count() == 0


def test_one_item_is_enough(asked: Held) -> None:
    assert client_for().post(token_url(asked.people[0]), {"level": "5"}).status_code == 302
    assert Answer.objects.get().level == 5 and Answer.objects.get().motivated is None


def test_closed_after_closes_on(asked: Held) -> None:
    Request.objects.update(closes_on=timezone.localdate() - dt.timedelta(days=1))
    client = client_for()
    page = client.get(token_url(asked.people[0]))
    assert "closed on" in page.content.decode() and "<fieldset>" not in page.content.decode()
    client.post(token_url(asked.people[0]), FULL)
    assert Answer.objects.count() == 0


def test_unknown_token_is_404(asked: Held) -> None:
    assert client_for().get("/evaluation/t/" + "x" * 32 + "/").status_code == 404
    assert client_for().get("/evaluation/t/short/").status_code == 404


def test_submitted_twice_at_once_gives_one_answer(asked: Held) -> None:
    row = Request.objects.get(person=asked.people[0])
    answer_submit(request_id=row.pk, answers=Answers(motivated=3))
    with pytest.raises(AlreadyAnswered):
        answer_submit(request_id=row.pk, answers=Answers(motivated=1))
    assert Answer.objects.count() == 1


def test_journey_lists_the_evaluation_and_then_only_that_it_was_received(asked: Held) -> None:
    employee = asked.network.employee
    client = client_for(employee.user)
    journey = client.get(reverse("learning:me")).content.decode()
    mine = Request.objects.get(person=employee)
    link = reverse("evaluation:mine", args=[mine.pk])
    assert link in journey and "Evaluate “Avvikelser i praktiken”" in journey
    assert client.post(link, {**FULL, "comment": "Hemligt"}).status_code == 302
    journey = client.get(reverse("learning:me")).content.decode()
    assert link not in journey and "Your answer was received" in journey and "Hemligt" not in journey


def test_someone_elses_request_is_404(asked: Held) -> None:
    other = Request.objects.get(person=asked.people[1])
    client = client_for(asked.network.employee.user)
    assert client.get(reverse("evaluation:mine", args=[other.pk])).status_code == 404
    assert (
        client_for(asked.network.lead.user).get(reverse("evaluation:mine", args=[other.pk])).status_code
        == 404
    )
    anonymous = client_for().get(reverse("evaluation:mine", args=[other.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_qr_link_leads_to_the_persons_own_request(asked: Held) -> None:
    url = reverse("evaluation:session", args=[session_value(asked.session.pk)])
    anonymous = client_for().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    employee = client_for(asked.network.employee.user).get(url)
    mine = Request.objects.get(person=asked.network.employee)
    assert employee.status_code == 302 and employee["Location"] == reverse("evaluation:mine", args=[mine.pk])
    trainer = client_for(asked.network.trainer.user).get(url)
    assert trainer.status_code == 200 and "no evaluation for this session" in trainer.content.decode()
    # a forged or altered value is no page at all
    forged = url.replace(f"/{asked.session.pk}:", f"/{asked.session.pk + 1}:")
    assert client_for(asked.network.employee.user).get(forged).status_code == 404
    assert client_for(asked.network.employee.user).get("/evaluation/s/abc/").status_code == 404


def test_trainer_sees_the_qr_block_once_attendance_is_taken(held: Held, settings: Any) -> None:
    settings.KOMPETENSLYFT_BASE_URL = "https://kompetens.example.se"
    session_url = reverse("learning:session", args=[held.session.pk])
    trainer = client_for(held.network.trainer.user)
    assert "<svg" not in trainer.get(session_url).content.decode()
    attendance_take(session=held.session, present={held.people[0].pk})
    html = trainer.get(session_url).content.decode()
    link = "https://kompetens.example.se" + reverse(
        "evaluation:session", args=[session_value(held.session.pk)]
    )
    assert '<svg role="img" aria-label="QR code' in html and f'<a href="{link}">{link}</a>' in html
    # the manager viewing its people's session gets no QR block
    assert "<svg" not in client_for(held.network.manager.user).get(session_url).content.decode()
    # the block links to the module's results and to the code alone, large
    qr_url = reverse("evaluation:session_qr", args=[held.session.pk])
    results_url = (
        reverse("evaluation:results") + f"?view=trainer-{held.network.org_a.pk}&module={held.module.pk}"
    )
    assert f'href="{qr_url}"' in html and f'href="{results_url}"'.replace("&", "&amp;") in html
    large = trainer.get(qr_url)
    assert large.status_code == 200
    page = large.content.decode()
    assert (
        '<svg role="img" aria-label="' in page
        and 'viewBox="' in page
        and f'<a href="{link}">{link}</a>' in page
    )
    assert trainer.get(results_url).status_code == 200
    assert trainer.get(results_url).context["module"] == held.module
    # a lead opens it through its organisation's lens
    lead_html = client_for(held.network.lead.user).get(session_url).content.decode()
    assert f"?view=organisation-{held.network.org_a.pk}&amp;module={held.module.pk}" in lead_html


def test_the_large_qr_is_only_for_those_who_run_the_session(held: Held) -> None:
    qr_url = reverse("evaluation:session_qr", args=[held.session.pk])
    trainer = client_for(held.network.trainer.user)
    assert trainer.get(qr_url).status_code == 404  # no register yet: no code
    attendance_take(session=held.session, present={held.people[0].pk})
    assert trainer.get(qr_url).status_code == 200
    assert client_for(held.network.lead.user).get(qr_url).status_code == 200
    for person in (held.network.manager, held.network.employee, held.network.lead_b, held.network.top):
        assert client_for(person.user).get(qr_url).status_code == 404, person
    assert trainer.get(reverse("evaluation:session_qr", args=[999999])).status_code == 404
    anonymous = Client().get(qr_url)
    assert anonymous.status_code == 302


def test_initiative_questions_are_asked_and_stored_apart(asked: Held) -> None:
    scale = Question.objects.create(
        organisation=asked.network.org_a, initiative=asked.initiative, text="Fick du tid?", position=1
    )
    text = Question.objects.create(
        organisation=asked.network.org_a,
        initiative=asked.initiative,
        text="Vad saknades?",
        kind=Question.Kind.TEXT,
        position=0,
    )
    Question.objects.create(
        organisation=asked.network.org_a, initiative=asked.initiative, text="Gammal fråga", retired=True
    )
    client = client_for()
    url = token_url(asked.people[0])
    html = client.get(url).content.decode()
    assert html.index("Vad saknades?") < html.index("Fick du tid?") and "Gammal fråga" not in html
    response = client.post(url, {f"q{scale.pk}": "3", f"q{text.pk}": "Mer tid att öva"})
    assert response.status_code == 302
    stored = {(qa.question_id, qa.value, qa.text) for qa in QuestionAnswer.objects.all()}
    assert stored == {(scale.pk, 3, ""), (text.pk, None, "Mer tid att öva")}
    assert Answer.objects.get().motivated is None


def _question_url(name: str, initiative: Any, question: Question) -> str:
    return reverse(f"evaluation:initiative_question_{name}", args=[initiative.pk, question.pk])


def test_lead_adds_moves_and_cannot_remove_an_answered_question(asked: Held) -> None:
    lead = client_for(asked.network.lead.user)
    url = reverse("evaluation:initiative_question_add", args=[asked.initiative.pk])
    for text, kind in (("Första", "scale"), ("Andra", "text")):
        assert lead.post(url, {"question-text": text, "question-kind": kind}).status_code == 302
    first, second = Question.objects.order_by("position")
    lead.post(_question_url("move", asked.initiative, second), {"direction": "up"})
    assert list(Question.objects.order_by("position").values_list("text", flat=True)) == ["Andra", "Första"]
    page = lead.get(
        reverse("learning:initiative", args=[asked.initiative.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Questions added to the module evaluations" in page and page.index("Andra") < page.index("Första")
    assert (
        lead.post(_question_url("move", asked.initiative, first), {"direction": "sideways"}).status_code
        == 400
    )
    client_for().post(token_url(asked.people[0]), {f"q{first.pk}": "4"})
    response = lead.post(
        _question_url("remove", asked.initiative, first), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (
        "already has answers" in response.content.decode() and Question.objects.filter(pk=first.pk).exists()
    )
    lead.post(_question_url("retire", asked.initiative, first))
    assert Question.objects.get(pk=first.pk).retired
    lead.post(_question_url("restore", asked.initiative, first))
    assert not Question.objects.get(pk=first.pk).retired
    lead.post(_question_url("remove", asked.initiative, second))
    assert not Question.objects.filter(pk=second.pk).exists()
    bad = lead.post(
        url, {"question-text": "a\x07b", "question-kind": "scale"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "control characters" in bad.content.decode()


def test_only_the_lead_and_owners_manage_questions(asked: Held) -> None:
    url = reverse("evaluation:initiative_question_add", args=[asked.initiative.pk])
    data = {"question-text": "Smygfråga", "question-kind": "scale"}
    outsiders = (
        asked.network.employee.user,
        asked.network.trainer.user,
        asked.network.manager.user,
        asked.network.lead_b.user,
        asked.network.top.user,
    )
    for user in outsiders:
        assert client_for(user).post(url, data).status_code == 404
    assert not Question.objects.exists()
    asked.initiative.owners.add(asked.network.project_leader)
    assert client_for(asked.network.project_leader.user).post(url, data).status_code == 302
    question = Question.objects.get()
    for user in outsiders:
        for name, payload in (("move", {"direction": "up"}), ("remove", {}), ("retire", {}), ("restore", {})):
            assert (
                client_for(user).post(_question_url(name, asked.initiative, question), payload).status_code
                == 404
            )
    unchanged = Question.objects.get(pk=question.pk)
    assert (unchanged.retired, unchanged.position, unchanged.text) == (False, question.position, "Smygfråga")


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_store_one_answer(held: Held) -> None:
    """Two tabs (or a double tap) at once: the request row is locked, one answer is stored and
    the other submission is told it was already answered."""
    import threading

    from django.db import connection

    attendance_take(session=held.session, present={held.people[0].pk})
    row = Request.objects.get(person=held.people[0])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit(value: int) -> None:
        try:
            barrier.wait()
            answer_submit(request_id=row.pk, answers=Answers(motivated=value))
            outcomes.append("stored")
        except AlreadyAnswered:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(v,)) for v in (2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "stored"]
    assert Answer.objects.count() == 1
