"""An initiative's final survey: creating and editing, who is asked, answering once while open,
anonymity against an admin with the database, results under the threshold for every filter,
and who may see what."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import random
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.core.tests.test_disclosure import Span
from kompetenslyft.evaluation import surveys
from kompetenslyft.evaluation.models import Question, QuestionAnswer, Survey, SurveyRequest, SurveyResponse
from kompetenslyft.evaluation.survey_results import SurveyCube, SurveyScope, survey_results
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.org.models import Role
from kompetenslyft.org.tests.factories import PersonFactory

TODAY = timezone.localdate()


@pytest.fixture
def setup(network: Any) -> Any:
    module = Module.objects.create(
        organisation=network.org_a, code="M1", name="Dokumentation", category="c", level="basic",
        format="onsite", hours=2,
    )  # fmt: skip
    other_module = Module.objects.create(
        organisation=network.org_a, code="M2", name="Annat", category="c", level="basic",
        format="onsite", hours=2,
    )  # fmt: skip
    initiative = Initiative.objects.create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        starts_on=TODAY - dt.timedelta(days=90),
        ends_on=TODAY + dt.timedelta(days=30),
    )
    initiative.modules.add(module)
    initiative.owners.add(network.project_leader)
    network.module, network.other_module, network.initiative = module, other_module, initiative
    return network


def attend(person: Any, module: Module, day: dt.date | None = None, status: str = "attended") -> None:
    Attendance.objects.create(
        person=person, module=module, unit=person.unit, date=day or TODAY - dt.timedelta(days=10),
        hours=2, status=status,
    )  # fmt: skip


def crowd(unit: Any, n: int, gender: str = "woman", role: Any = None, module: Module | None = None) -> list:
    people = [PersonFactory(unit=unit, gender=gender, **({"role": role} if role else {})) for _ in range(n)]
    for person in people:
        if module is not None:
            attend(person, module)
    return people


def make_survey(setup: Any, **kwargs: Any) -> Survey:
    defaults = {"title": "Slutenkät", "opens_on": TODAY, "closes_on": TODAY + dt.timedelta(days=14)}
    return surveys.survey_create(initiative=setup.initiative, **{**defaults, **kwargs})


def send(survey: Survey, django_capture_on_commit_callbacks: Any) -> Survey:
    with django_capture_on_commit_callbacks(execute=True):
        surveys.survey_send(survey=survey)
    survey.refresh_from_db()
    return survey


def answer_all(survey: Survey, requests: Any, value: int = 4, text: str = "") -> None:
    for request in requests:
        values: dict[int, int | str] = {}
        for q in survey.questions.all():
            if q.kind == Question.Kind.SCALE:
                values[q.pk] = value
            elif text:
                values[q.pk] = text
        surveys.survey_answer(request=request, submission=surveys.Submission(values))


# --- creating and editing -------------------------------------------------------------------------


def test_created_with_solnas_questions_and_edited_until_sent(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    survey = make_survey(setup)
    kinds = list(survey.questions.values_list("kind", flat=True))
    assert kinds.count("scale") == 6 and kinds[-1] == "text"
    with pytest.raises(ValidationError, match="already has a final survey"):
        make_survey(setup)
    extra = surveys.question_add(survey=survey, text="Vad tar du med dig?", kind="text")
    surveys.question_move(question=extra, up=True)
    texts = list(survey.questions.values_list("text", flat=True))
    assert texts[-2] == "Vad tar du med dig?"
    first = survey.questions.first()
    assert first is not None
    surveys.question_move(question=first, up=True)  # already first: nothing changes
    surveys.question_edit(question=first, text="Anpassad efter dina behov?", kind="scale")
    surveys.question_remove(question=survey.questions.last())  # type: ignore[arg-type]
    assert survey.questions.count() == 7
    with pytest.raises(ValidationError, match="control characters"):
        surveys.question_add(survey=survey, text="bad\x07", kind="scale")
    with pytest.raises(ValidationError, match="scale 1–4 or free text"):
        surveys.question_add(survey=survey, text="Fine", kind="stars")
    with pytest.raises(ValidationError, match="close on or after"):
        surveys.survey_update(
            survey=survey, title="x", introduction="", opens_on=TODAY, closes_on=TODAY - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="Nobody has taken part"):
        surveys.survey_send(survey=survey)
    attend(setup.employee, setup.module)
    send(survey, django_capture_on_commit_callbacks)
    assert survey.status == Survey.Status.SENT
    for change in (
        lambda: surveys.question_add(survey=survey, text="Late", kind="scale"),
        lambda: surveys.question_remove(question=first),
        lambda: surveys.question_edit(question=first, text="Late", kind="scale"),
        lambda: surveys.question_move(question=first, up=False),
        lambda: surveys.survey_update(
            survey=survey, title="x", introduction="", opens_on=None, closes_on=None
        ),
        lambda: surveys.survey_send(survey=survey),
    ):
        with pytest.raises(ValidationError, match="has been sent"):
            change()


def test_sending_needs_dates_and_an_open_window(setup: Any) -> None:
    attend(setup.employee, setup.module)
    survey = make_survey(setup, opens_on=None, closes_on=None)
    with pytest.raises(ValidationError, match="opens and closes"):
        surveys.survey_send(survey=survey)
    past = TODAY - dt.timedelta(days=1)
    surveys.survey_update(survey=survey, title="t", introduction="", opens_on=past, closes_on=past)
    with pytest.raises(ValidationError, match="already be closed"):
        surveys.survey_send(survey=survey)


# --- who is asked -------------------------------------------------------------------------------


def test_everyone_who_took_part_is_asked_and_no_one_else(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    n = setup
    attend(n.employee, n.module)
    attend(n.colleague, n.module, status="completed")
    attend(n.other_employee, n.module, status="no_show")  # did not come
    attend(n.manager, n.other_module)  # another module
    attend(n.trainer, n.module, day=n.initiative.starts_on - dt.timedelta(days=1))  # before the period
    attend(n.person_b, n.module)  # another organisation (a guest)
    n.colleague.language = "nb"
    n.colleague.save()
    survey = send(make_survey(n), django_capture_on_commit_callbacks)
    asked = set(SurveyRequest.objects.filter(survey=survey).values_list("person_id", flat=True))
    assert asked == {n.employee.pk, n.colleague.pk}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([n.employee.email, n.colleague.email])
    request = SurveyRequest.objects.get(survey=survey, person=n.employee)
    assert request.token in mail.outbox[0].body or request.token in mail.outbox[1].body
    assert (request.unit_id, request.role_id, request.gender) == (n.unit1.pk, n.employee.role_id, "woman")
    assert survey.progress_done == survey.progress_total == 2 and request.sent_on == TODAY
    # Run again (a task restarted): nobody is asked or mailed twice.
    assert surveys.survey_send_requests(survey_id=survey.pk) == 0
    assert SurveyRequest.objects.filter(survey=survey).count() == 2 and len(mail.outbox) == 2


def test_one_reminder_to_those_who_have_not_answered(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    attend(setup.employee, setup.module)
    attend(setup.colleague, setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    answer_all(survey, SurveyRequest.objects.filter(person=setup.employee))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        surveys.survey_remind(survey=survey)
    assert [m.to for m in mail.outbox] == [[setup.colleague.email]]
    assert surveys.survey_send_reminders(survey_id=survey.pk) == 0  # once


# --- answering ----------------------------------------------------------------------------------


def test_answered_once_only_while_open_and_nothing_joins_person_and_answer(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    people = [setup.employee, *crowd(setup.unit1, 7, module=setup.module)]
    attend(setup.employee, setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    requests = list(SurveyRequest.objects.filter(survey=survey).order_by("person_id"))
    audit_before = AuditEntry.objects.count()
    for i, request in enumerate(requests):
        answer_all(survey, [request], value=1 + i % 4, text=f"svar {i}")
    assert AuditEntry.objects.count() == audit_before  # answering writes no audit row
    with pytest.raises(surveys.AlreadyAnswered):
        answer_all(survey, [requests[0]])
    assert SurveyResponse.objects.filter(survey=survey).count() == len(people)
    assert SurveyRequest.objects.filter(survey=survey, answered_on=TODAY).count() == len(people)

    # The admin with the database: no key, time or person on the answer side …
    for model in (SurveyResponse, QuestionAnswer):
        fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
        assert not any(getattr(f, "related_model", None) in (SurveyRequest,) for f in fields.values())
        assert "person" not in fields and "answered_on" not in fields
        assert not any(f.get_internal_type() == "DateTimeField" for f in fields.values())
        assert fields["id"].get_internal_type() == "UUIDField"
    assert set(SurveyResponse.objects.values_list("month", flat=True)) == {TODAY.replace(day=1)}
    # … and neither the ids nor the physical order follow the order of answering.
    table = QuestionAnswer._meta.db_table
    column = "ctid" if connection.vendor == "postgresql" else "rowid"
    first_question = survey.questions.first()
    assert first_question is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT text FROM {table} WHERE question_id IN (SELECT id FROM evaluation_question WHERE survey_id = %s)"  # noqa: S608
            f" AND text <> '' ORDER BY {column}",
            [survey.pk],
        )
        physical = [row[0] for row in cursor.fetchall()]
    by_id = list(QuestionAnswer.objects.exclude(text="").order_by("pk").values_list("text", flat=True))
    answered = [f"svar {i}" for i in range(len(people))]
    assert sorted(physical) == answered
    assert physical != answered or by_id != answered  # 1/8! that both match by chance
    orders = set()
    for _ in range(4):
        extra = crowd(setup.unit1, 1, module=setup.module)[0]
        request = SurveyRequest.objects.create(
            survey=survey, person=extra, unit=setup.unit1, role=extra.role, gender="woman"
        )
        answer_all(survey, [request], text="x")
        orders.add(tuple(SurveyResponse.objects.order_by("pk").values_list("pk", flat=True)))
    assert len(orders) == 4


def test_closed_and_not_yet_open(setup: Any, django_capture_on_commit_callbacks: Any) -> None:
    attend(setup.employee, setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    request = SurveyRequest.objects.get(survey=survey)
    Survey.objects.filter(pk=survey.pk).update(closes_on=TODAY - dt.timedelta(days=1))
    with pytest.raises(surveys.SurveyClosed):
        answer_all(survey, [request])
    Survey.objects.filter(pk=survey.pk).update(
        opens_on=TODAY + dt.timedelta(days=1), closes_on=TODAY + dt.timedelta(days=3)
    )
    with pytest.raises(surveys.SurveyClosed):
        answer_all(survey, [request])
    assert not SurveyResponse.objects.exists()
    request.refresh_from_db()
    assert request.answered_on is None


def test_answer_page_by_token(setup: Any, django_capture_on_commit_callbacks: Any) -> None:
    attend(setup.employee, setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    request = SurveyRequest.objects.get(survey=survey)
    url = reverse("evaluation:survey_answer", args=[request.token])
    client = english(Client())
    page = client.get(url)
    assert page.status_code == 200 and len(page.content) < 50_000
    assert b"<script" not in page.content
    questions = list(survey.questions.all())
    missing = client.post(url, {f"q{questions[0].pk}": "4"})
    assert missing.status_code == 400
    bad = client.post(url, {f"q{q.pk}": "9" for q in questions})
    assert bad.status_code == 400
    values = {f"q{q.pk}": "3" if q.kind == "scale" else "Bra kurs" for q in questions}
    assert client.post(url, values).status_code == 302
    assert b"answer is received" in client.get(url).content
    assert client.post(url, values).status_code == 409  # once
    assert SurveyResponse.objects.count() == 1
    assert client.get(reverse("evaluation:survey_answer", args=["nope"])).status_code == 404
    assert client.get("/evaluation/surveys/answer/" + "x" * 80 + "/").status_code == 404


# --- results ------------------------------------------------------------------------------------


def test_results_appear_at_k_and_text_is_a_sorted_list(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    people = crowd(setup.unit1, 6, module=setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    requests = list(SurveyRequest.objects.filter(survey=survey).order_by("pk"))
    answer_all(survey, requests[:4], value=4, text="b svar")
    close(survey)
    hidden = survey_results(survey)
    assert hidden["respondents"] is None and hidden["response_rate"] is None
    assert all(q.get("answers") is None and q.get("texts") is None for q in hidden["questions"])
    close(survey, reopen=True)
    answer_all(survey, requests[4:5], value=2, text="a svar")
    close(survey)
    shown = survey_results(survey)
    assert shown["respondents"] == 5 and shown["requests"] == len(people)
    assert shown["response_rate"] == pytest.approx(5 / 6)
    scale = shown["questions"][0]
    assert scale["answers"] == 5 and scale["positive_share"] == pytest.approx(0.8)
    assert scale["distribution"] == [0.0, pytest.approx(0.2), 0.0, pytest.approx(0.8)]
    assert shown["questions"][-1]["texts"] == ["a svar", "b svar", "b svar", "b svar", "b svar"]
    # a filter that holds everyone shows the same; one that holds no one shows zero
    assert survey_results(survey, SurveyScope(unit=setup.dep1.pk))["respondents"] == 5
    assert survey_results(survey, SurveyScope(gender="man"))["respondents"] == 0


K = 5
TREE = {1: None, 2: 1, 3: 1, 4: 2, 5: None}


def _cells(rng: random.Random) -> dict[tuple[int, int, str], int]:
    cells = {}
    for unit, role, gender in itertools.product(TREE, (1, 2), ("woman", "man", "other")):
        if rng.random() < 0.5:
            cells[(unit, role, gender)] = rng.randint(1, 4) if rng.random() < 0.5 else rng.randint(5, 9)
    return cells


@pytest.mark.parametrize("seed", range(10))
def test_no_filter_difference_singles_out_fewer_than_k(seed: int) -> None:
    """Exact linear algebra over every filter (unit subtree × role × gender, each or none): no
    figure under k is shown or a combination of shown ones, for answers and for requests."""
    rng = random.Random(seed)
    answered = _cells(rng)
    asked = {c: n + rng.randint(0, 3) for c, n in answered.items()}
    for c in _cells(rng):
        asked.setdefault(c, rng.randint(1, 6))
    places = sorted(asked)
    cube = SurveyCube(
        1, K, dict(TREE), [(1, "q", "scale")],
        [((u, r, g), n) for (u, r, g), n in answered.items()],
        [((u, r, g), n) for (u, r, g), n in asked.items()],
        [(1, (u, r, g), 4, n) for (u, r, g), n in answered.items()],
        [],
    )  # fmt: skip
    for counts, key in ((answered, "respondents"), (asked, "requests")):
        span, hidden = Span(), []
        for unit, role, gender in itertools.product(
            [None, *TREE], [None, 1, 2], [None, "woman", "man", "other"]
        ):
            scope = SurveyScope(unit, role, gender)
            chosen = {cube.places[i] for i in cube.cells(scope)}
            vector = [counts.get(p, 0) if p in chosen else 0 for p in places]
            value = sum(vector)
            figure = cube.results(scope)[key]
            if figure is not None:
                assert figure == value and (value == 0 or value >= K)
                span.add([1 if x else 0 for x in vector])
            elif value:
                hidden.append(([1 if x else 0 for x in vector], value))
        assert span.rows or sum(counts.values()) < K
        for vector, value in hidden:
            assert value >= K or not span.contains(vector), "a hidden figure under k is worked out"
        for i, p in enumerate(places):
            if 0 < counts.get(p, 0) < K:
                assert not span.contains([1 if j == i else 0 for j in range(len(places))])


def test_results_over_the_database_for_every_filter(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    nurse = Role.objects.create(organisation=setup.org_a, name="sjuksköterska")
    crowd(setup.unit1, 6, module=setup.module)
    crowd(setup.unit2, 2, gender="man", module=setup.module)
    crowd(setup.unit3, 5, role=nurse, module=setup.module)
    crowd(setup.unit3, 1, gender="man", role=nurse, module=setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    answer_all(survey, SurveyRequest.objects.filter(survey=survey))
    units = [
        None,
        setup.admin_a.pk,
        setup.dep1.pk,
        setup.dep2.pk,
        setup.unit1.pk,
        setup.unit2.pk,
        setup.unit3.pk,
    ]
    people = list(SurveyRequest.objects.filter(survey=survey).values_list("unit_id", "role_id", "gender"))
    span, hidden = Span(), []
    ancestors = {
        setup.unit1.pk: {setup.admin_a.pk, setup.dep1.pk},
        setup.unit2.pk: {setup.admin_a.pk, setup.dep1.pk},
    }
    ancestors[setup.unit3.pk] = {setup.admin_a.pk, setup.dep2.pk}
    for unit, role, gender in itertools.product(
        units, [None, setup.employee.role_id, nurse.pk], [None, "woman", "man"]
    ):
        vector = [
            int(
                (unit is None or u == unit or unit in ancestors[u])
                and (role is None or r == role)
                and (gender is None or g == gender)
            )
            for u, r, g in people
        ]
        figure = survey_results(survey, SurveyScope(unit, role, gender))["respondents"]
        if figure is None:
            hidden.append((vector, sum(vector)))
        else:
            assert figure == sum(vector) and (figure == 0 or figure >= K)
            span.add(vector)
    assert survey_results(survey)["respondents"] == 14
    assert len(hidden) > 5 and span.rows, "the case shows some figures and hides others"
    assert survey_results(survey, SurveyScope(unit=setup.unit2.pk))["respondents"] is None  # 2 men
    for vector, value in hidden:
        assert value >= K or not span.contains(vector)


# --- access -------------------------------------------------------------------------------------


def english(client: Client) -> Client:
    """A client that reads the pages in English (the texts the tests look for)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def close(survey: Survey, *, reopen: bool = False) -> None:
    """The survey's closing day passed (or, with ``reopen``, not yet)."""
    day = TODAY + dt.timedelta(days=14) if reopen else TODAY - dt.timedelta(days=1)
    Survey.objects.filter(pk=survey.pk).update(closes_on=day)
    survey.refresh_from_db()


def _login(client: Client, username: str) -> Client:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_who_may_create_send_and_see_results(setup: Any, django_capture_on_commit_callbacks: Any) -> None:
    crowd(setup.unit1, 5, module=setup.module)
    manage = reverse("evaluation:survey_manage", args=[setup.initiative.pk])
    for username in ("employee", "manager", "trainer", "top", "leadb"):
        assert _login(Client(HTTP_ACCEPT_LANGUAGE="en"), username).get(manage).status_code == 404, username
    lead = _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "lead")
    assert lead.get(manage).status_code == 200
    response = lead.post(
        manage,
        {"title": "Slutenkät", "introduction": "", "defaults": "1",
         "opens_on": TODAY.isoformat(), "closes_on": (TODAY + dt.timedelta(days=7)).isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    survey = Survey.objects.get()
    owner = _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "projectleader")  # the initiative's owner
    pk = setup.initiative.pk
    add = reverse("evaluation:survey_question_add", args=[pk])
    assert owner.post(add, {"text": "Något mer?", "kind": "text"}).status_code == 302
    foreign_question = Question.objects.create(organisation=setup.org_b, text="x")
    remove = reverse("evaluation:survey_question_remove", args=[pk, foreign_question.pk])
    assert owner.post(remove).status_code == 404
    mine = survey.questions.first()
    move = reverse("evaluation:survey_question_move", args=[pk, mine.pk])  # type: ignore[union-attr]
    assert owner.post(move, {"direction": "sideways"}).status_code == 400
    assert owner.get(move).status_code == 405  # one action, one POST view
    assert lead.post(reverse("evaluation:survey_send", args=[pk + 999])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post(reverse("evaluation:survey_send", args=[pk])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "sent" and len(mail.outbox) == 5
    answer_all(survey, SurveyRequest.objects.filter(survey=survey), text="finfint")
    results = reverse("evaluation:survey_results", args=[survey.pk])
    for username in ("lead", "projectleader", "top", "evaluator"):
        page = _login(Client(), username).get(results)
        # free text for the lead and the owners; figures only for top management, the evaluator
        assert page.status_code == 200 and (b"finfint" in page.content) == (
            username in ("lead", "projectleader")
        )
        assert survey.title.encode() in _login(Client(), username).get(reverse("evaluation:surveys")).content
    for username in ("employee", "manager", "trainer", "leadb"):
        assert _login(Client(HTTP_ACCEPT_LANGUAGE="en"), username).get(results).status_code == 404, username
    lead = _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "lead")
    assert lead.get(results + "?unit=abc").status_code == 400
    assert lead.get(results + "?gender=x").status_code == 400
    assert lead.get(results + f"?unit={setup.unit_b.pk}").status_code == 404  # another organisation's unit
    assert lead.get(reverse("evaluation:survey_manage", args=[999999])).status_code == 404
    initiative_b = Initiative.objects.create(organisation=setup.org_b, code="b", name="B")
    assert lead.get(reverse("evaluation:survey_manage", args=[initiative_b.pk])).status_code == 404
    # Another initiative of the same organisation: its owner is someone else.
    other = Initiative.objects.create(organisation=setup.org_a, code="annan", name="Annan insats")
    other_survey = surveys.survey_create(
        initiative=other, title="Annan enkät", opens_on=TODAY, closes_on=TODAY
    )
    Survey.objects.filter(pk=other_survey.pk).update(status=Survey.Status.SENT)
    owner = _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "projectleader")
    assert owner.get(reverse("evaluation:survey_manage", args=[other.pk])).status_code == 404
    assert owner.get(reverse("evaluation:survey_results", args=[other_survey.pk])).status_code == 404
    assert b"Annan enk" not in owner.get(reverse("evaluation:surveys")).content
    assert lead.get(reverse("evaluation:survey_results", args=[other_survey.pk])).status_code == 200
    initiative_page = lead.get(reverse("learning:initiative", args=[setup.initiative.pk])).content
    assert reverse("evaluation:survey_results", args=[survey.pk]).encode() in initiative_page


def test_excel_export(setup: Any, django_capture_on_commit_callbacks: Any) -> None:
    from openpyxl import load_workbook

    crowd(setup.unit1, 5, module=setup.module)
    survey = send(make_survey(setup, title="=Slut/enkät"), django_capture_on_commit_callbacks)
    answer_all(survey, SurveyRequest.objects.filter(survey=survey), value=3, text="=HYPERLINK(x)")
    response = _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "lead").get(
        reverse("evaluation:survey_results", args=[survey.pk]) + "?format=xlsx"
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet, texts = book.worksheets
    assert sheet.title == "=Slut enkät" and sheet["A1"].value == "'=Slut/enkät"
    rows = list(sheet.iter_rows(values_only=True))
    first = next(r for r in rows if r and r[0] == survey.questions.first().text)  # type: ignore[union-attr]
    assert first[1:4] == (5, 1.0, 0.0)
    cell = next(c for c in sheet[rows.index(first) + 1] if c.column == 3)
    assert cell.number_format == "0.0%"
    assert "'=HYPERLINK(x)" in [c.value for c in texts["A"]]


def test_journey_shows_open_survey_then_answer_received(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    attend(setup.employee, setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    client = english(_login(Client(), "employee"))
    request = SurveyRequest.objects.get(survey=survey)
    page = client.get(reverse("learning:me")).content.decode()
    assert reverse("evaluation:survey_answer", args=[request.token]) in page
    answer_all(survey, [request])
    page = client.get(reverse("learning:me")).content.decode()
    assert "answer received" in page and request.token not in page
    other = _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "other").get(reverse("learning:me")).content.decode()
    assert survey.title not in other


# --- review findings: when results show, who reads text, per-question k, rounding, labels ------


def test_results_show_only_once_closed_or_everyone_answered(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Read before and after one person answers, the figures would tell that answer: while the
    survey is open and someone has not answered, no question's figures (the rate may show)."""
    crowd(setup.unit1, 7, module=setup.module)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    requests = list(SurveyRequest.objects.filter(survey=survey).order_by("pk"))
    url = reverse("evaluation:survey_results", args=[survey.pk])
    lead = english(_login(Client(), "lead"))
    answer_all(survey, requests[:5], value=4, text="fem")
    before = survey_results(survey)
    assert before["released"] is False and before["respondents"] == 5 and before["requests"] == 7
    assert all(q.get("answers") is None and q.get("texts") is None for q in before["questions"])
    page = lead.get(url).content.decode()
    assert "once the survey has closed" in page and survey.closes_on.isoformat() in page
    assert "fem" not in page and "71.4 %" in page  # the response rate, rounded
    answer_all(survey, requests[5:6], value=1, text="sex")
    between = survey_results(survey)
    assert between["questions"] == before["questions"]  # one more answer changed nothing shown
    sheet = openpyxl_of(lead.get(url + "?format=xlsx")).worksheets[0]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True)}
    first = rows[survey.questions.first().text]  # type: ignore[union-attr]
    assert "once the survey has closed" in first[0] and not any(first[1:])
    # everyone asked has answered: shown, and nothing can change any more
    answer_all(survey, requests[6:], value=4, text="sju")
    done = survey_results(survey)
    assert done["released"] and done["questions"][0]["answers"] == 7
    assert "fem" in lead.get(url).content.decode()
    # or the survey has closed, whoever has not answered
    other = surveys.survey_create(
        initiative=Initiative.objects.create(organisation=setup.org_a, code="x", name="X"),
        title="X",
        opens_on=TODAY - dt.timedelta(days=20),
        closes_on=TODAY - dt.timedelta(days=1),
    )
    Survey.objects.filter(pk=other.pk).update(status=Survey.Status.SENT)
    from kompetenslyft.evaluation.survey_results import results_released

    assert results_released(Survey.objects.get(pk=other.pk))
    close(survey, reopen=True)
    SurveyRequest.objects.filter(pk=requests[0].pk).update(answered_on=None)
    assert not results_released(survey)
    close(survey)
    assert results_released(survey)


def openpyxl_of(response: Any) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(response.content))


def test_free_text_only_for_the_lead_owners_and_steering_group(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    crowd(setup.unit1, 5, module=setup.module)
    setup.initiative.steering_group.add(setup.manager)
    survey = send(make_survey(setup), django_capture_on_commit_callbacks)
    answer_all(survey, SurveyRequest.objects.filter(survey=survey), text="hemligt svar")
    url = reverse("evaluation:survey_results", args=[survey.pk])
    for username in ("lead", "projectleader", "manager"):
        client = _login(Client(), username)
        assert b"hemligt svar" in client.get(url).content, username
        book = openpyxl_of(client.get(url + "?format=xlsx"))
        assert len(book.worksheets) == 2, username
    for username in ("top", "evaluator"):
        client = english(_login(Client(), username))
        page = client.get(url)
        assert page.status_code == 200 and b"hemligt svar" not in page.content, username
        assert b"you see the figures" in page.content
        assert page.context["results"]["questions"][0]["answers"] == 5  # figures, yes
        book = openpyxl_of(client.get(url + "?format=xlsx"))
        assert len(book.worksheets) == 1, username
        assert "hemligt svar" not in str([c.value for s in book.worksheets for r in s.iter_rows() for c in r])
    # the rule itself: another organisation's lead, a trainer, an employee read no text
    from kompetenslyft.core.access import access_for
    from kompetenslyft.org.models import Person

    for username in ("leadb", "trainer", "employee", "top"):
        user = Person.objects.filter(user__username=username).get().user
        assert not access_for(user).sees_survey_free_text(survey), username


def test_a_question_needs_k_answers_of_its_own() -> None:
    """Six respondents in one place (a shown block), but only three answered the question."""
    cube = SurveyCube(
        1,
        5,
        {10: None},
        [(1, "Skala", "scale"), (2, "Skala, få", "scale"), (3, "Text", "text")],
        [((10, 1, "woman"), 6)],
        [((10, 1, "woman"), 6)],
        [(1, (10, 1, "woman"), 4, 6), (2, (10, 1, "woman"), 1, 3)],
        [(3, (10, 1, "woman"), "ett"), (3, (10, 1, "woman"), "två")],
    )
    shown = cube.results(SurveyScope())
    assert shown["shown"] and shown["respondents"] == 6
    scale, few, text = shown["questions"]
    assert scale["answers"] == 6 and scale["distribution"] == [0, 0, 0, 1]
    assert few["answers"] is None and few["distribution"] is None and few["positive_share"] is None
    assert text["texts"] is None


def test_percentages_are_rounded() -> None:
    from django.utils import translation

    from kompetenslyft.evaluation.templatetags.survey_tags import percent

    with translation.override("sv"):
        assert percent(1 / 7) == "14,3 %"
        assert percent(0.0005) == "0,1 %"
        assert percent(2 / 3) == "66,7 %"
    with translation.override("en"):
        assert percent(1 / 7) == "14.3 %"
        assert percent(1.0) == "100.0 %"
    assert percent(None) == "–"


def test_excel_titles_and_the_asked_count(setup: Any, django_capture_on_commit_callbacks: Any) -> None:
    crowd(setup.unit1, 8, module=setup.module)
    survey = send(
        make_survey(setup, title="Slutenkät: Digitalt lyft i vård"), django_capture_on_commit_callbacks
    )
    answer_all(survey, list(SurveyRequest.objects.filter(survey=survey))[:3])
    close(survey)
    response = english(_login(Client(), "lead")).get(
        reverse("evaluation:survey_results", args=[survey.pk]) + "?format=xlsx"
    )
    book = openpyxl_of(response)
    assert book.worksheets[0].title == "Slutenkät Digitalt lyft i vård"
    rows = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    assert rows["Asked"] == 8  # the asked are shown although the answers are too few
    assert str(rows["Answered"]).startswith("hidden (fewer than 5")
    page = english(_login(Client(), "lead")).get(reverse("evaluation:survey_results", args=[survey.pk]))
    assert page.context["results"]["requests"] == 8


def test_a_project_leader_without_surveys_is_told_so(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    other = Initiative.objects.create(organisation=setup.org_a, code="annan", name="Annan insats")
    crowd(setup.unit1, 5, module=setup.module)
    sent = surveys.survey_create(initiative=other, title="Annan", opens_on=TODAY, closes_on=TODAY)
    Survey.objects.filter(pk=sent.pk).update(status=Survey.Status.SENT)
    page = english(_login(Client(), "projectleader")).get(reverse("evaluation:surveys")).content.decode()
    assert "No final survey has been sent yet for your initiatives." in page
    assert "Annan" not in page
    lead = english(_login(Client(), "lead")).get(reverse("evaluation:surveys")).content.decode()
    assert "Annan" in lead
