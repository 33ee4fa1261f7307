"""The pages: taking a test from the journey and the module page, importing a bank with a
preview, setting the tests — and the access rules attacked (another person's try, a trainer of
another module, another organisation's test)."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.knowledge import services
from kompetenslyft.knowledge.models import Attempt, KnowledgeTest, Question, QuestionBank
from kompetenslyft.learning import proposal_services
from kompetenslyft.learning.models import Attendance

from .conftest import FIXTURES, client_for, right_answers, wrong_answers


def test_the_journey_offers_the_test_before_the_module_and_the_start_page_lists_it(work: Any) -> None:
    client = client_for(work.employee.user)
    page = client.get(reverse("learning:me")).content.decode()
    assert "Knowledge test: E-post grund" in page and reverse("knowledge:test", args=[work.pre.pk]) in page
    # The test after the module is offered once it is completed, not before.
    assert reverse("knowledge:test", args=[work.post.pk]) not in page
    home = client.get(reverse("home")).content.decode()
    assert reverse("knowledge:test", args=[work.pre.pk]) in home


def test_taking_the_test_on_one_page_and_passing_exempts_with_the_reason(work: Any) -> None:
    client = client_for(work.employee.user)
    response = client.post(reverse("knowledge:test_start", args=[work.pre.pk]))
    attempt = Attempt.objects.get(person=work.employee)
    assert response.status_code == 302 and response["Location"] == reverse(
        "knowledge:attempt", args=[attempt.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert page.count("<fieldset") == 5 and "Hand in" in page
    data = {f"q{q}": options for q, options in right_answers(attempt).items()}
    response = client.post(reverse("knowledge:attempt_submit", args=[attempt.pk]), data)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Passed: 100 % (pass mark 60 %)." in page  # a whole per cent, never "100.00 %"
    assert "you are exempt from E-post grund" in page
    journey = client.get(reverse("learning:me")).content.decode()
    assert "Exempt: " + services.exemption_reason(work.org_a) in journey


def test_after_passing_the_test_before_the_module_the_journey_still_shows_it(work: Any) -> None:
    """The review: passing the test before the module exempts, and the test then left the
    journey, so the person saw neither the test nor its result anywhere."""
    from django.utils import translation
    from django.utils.formats import date_format

    client = client_for(work.employee.user)
    client.post(reverse("knowledge:test_start", args=[work.pre.pk]))
    attempt = Attempt.objects.get(person=work.employee)
    client.post(reverse("knowledge:attempt_submit", args=[attempt.pk]), {
        f"q{q}": options for q, options in right_answers(attempt).items()
    })  # fmt: skip
    attempt.refresh_from_db()
    assert attempt.passed
    with translation.override("en"):
        day = date_format(timezone.localtime(attempt.submitted_at), "SHORT_DATE_FORMAT")
    journey = client.get(reverse("learning:me")).content.decode()
    card = journey[journey.index(f'data-passed-before="{work.mail.pk}"') :]
    card = card[: card.index("</li>")]
    assert "Knowledge test: E-post grund" in card and "before the module" in card
    assert f"You passed it on {day} with 100 %." in card
    assert "You are exempt from the module because you passed this test." in card
    assert reverse("knowledge:attempt", args=[attempt.pk]) in card
    assert client.get(reverse("knowledge:attempt", args=[attempt.pk])).status_code == 200
    # Closing the test later does not take the person's result away; nobody else sees it.
    KnowledgeTest.objects.filter(pk=work.pre.pk).update(active=False)
    assert "You passed it on" in client.get(reverse("learning:me")).content.decode()
    from kompetenslyft.knowledge.selectors import passed_before

    assert passed_before(work.colleague, shown=set()) == []


def test_failing_shows_feedback_and_the_retry(work: Any) -> None:
    client = client_for(work.employee.user)
    client.post(reverse("knowledge:test_start", args=[work.pre.pk]))
    attempt = Attempt.objects.get(person=work.employee)
    response = client.post(reverse("knowledge:attempt_submit", args=[attempt.pk]), {}, follow=True)
    assert "Answer at least one question before handing in." in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None
    data = {f"q{q}": options for q, options in wrong_answers(attempt).items()}
    client.post(reverse("knowledge:attempt_submit", args=[attempt.pk]), data)
    page = client.get(reverse("knowledge:attempt", args=[attempt.pk])).content.decode()
    assert "Not passed: 0 %" in page and "Wrong." in page and "Try again" in page


def test_another_persons_attempt_is_a_404_to_everyone_even_the_lead(work: Any) -> None:
    attempt = services.attempt_start(test=work.pre, person=work.colleague)
    for user in (work.employee.user, work.lead.user, work.manager.user, work.trainer.user):
        client = client_for(user)
        assert client.get(reverse("knowledge:attempt", args=[attempt.pk])).status_code == 404
        assert client.post(reverse("knowledge:attempt_submit", args=[attempt.pk]), {}).status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_another_organisations_test_and_a_closed_test_are_404(work: Any) -> None:
    client = client_for(work.lead_b.user)
    assert client.get(reverse("knowledge:test", args=[work.pre.pk])).status_code == 404
    assert client.post(reverse("knowledge:test_start", args=[work.pre.pk])).status_code == 404
    KnowledgeTest.objects.filter(pk=work.pre.pk).update(active=False)
    assert (
        client_for(work.employee.user).get(reverse("knowledge:test", args=[work.pre.pk])).status_code == 404
    )


def test_a_bad_option_id_is_a_400(work: Any) -> None:
    client = client_for(work.employee.user)
    client.post(reverse("knowledge:test_start", args=[work.pre.pk]))
    attempt = Attempt.objects.get(person=work.employee)
    response = client.post(
        reverse("knowledge:attempt_submit", args=[attempt.pk]), {f"q{attempt.question_ids()[0]}": "x"}
    )
    assert response.status_code == 400


def test_the_trainer_imports_from_the_module_page_with_a_preview(work: Any) -> None:
    client = client_for(work.trainer.user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("knowledge:module", args=[work.mail.pk]) in home
    module_page = client.get(reverse("learning:module", args=[work.mail.pk])).content.decode()
    assert reverse("knowledge:module", args=[work.mail.pk]) in module_page
    assert client.get(reverse("knowledge:module", args=[work.mail.pk])).status_code == 200
    upload = SimpleUploadedFile("vard.gift", (FIXTURES / "hemtjenesten_nb.txt").read_bytes())
    response = client.post(reverse("knowledge:bank_preview", args=[work.mail.pk]), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "Confirm the import" in page and "VT3 Samtykke" in page
    assert not QuestionBank.objects.filter(name="vard").exists()
    content = base64.b64encode((FIXTURES / "hemtjenesten_nb.txt").read_bytes()).decode()
    response = client.post(
        reverse("knowledge:bank_import", args=[work.mail.pk]), {"filename": "vard.gift", "content": content}
    )
    assert response.status_code == 302
    assert Question.objects.filter(bank__name="vard", bank__module=work.mail).count() == 4
    entry = AuditEntry.objects.filter(action="knowledge.bank_imported").latest("pk")
    assert entry.actor == work.trainer.user


def test_a_bad_file_is_refused_with_its_reasons_and_nothing_stored(work: Any) -> None:
    client = client_for(work.trainer.user)
    upload = SimpleUploadedFile("blandet.gift", (FIXTURES / "blandet_ustottet.gift").read_bytes())
    response = client.post(reverse("knowledge:bank_preview", args=[work.mail.pk]), {"file": upload})
    assert response.status_code == 400
    assert (
        "question 4 (Numerisk), line 9: numerical questions are not supported." in response.content.decode()
    )
    wrong_kind = SimpleUploadedFile("frågor.csv", b"a,b\n")
    response = client.post(reverse("knowledge:bank_preview", args=[work.mail.pk]), {"file": wrong_kind})
    assert response.status_code == 400 and "Choose a .gift or .txt file." in response.content.decode()
    response = client.post(
        reverse("knowledge:bank_import", args=[work.mail.pk]), {"filename": "x", "content": "%%"}
    )
    assert response.status_code == 400
    assert not QuestionBank.objects.filter(name__in=["blandet", "x"]).exists()


def test_a_trainer_of_another_module_and_an_employee_cannot_manage_the_bank(work: Any) -> None:
    for user in (work.trainer.user, work.employee.user, work.manager.user, work.lead_b.user):
        client = client_for(user)
        assert client.get(reverse("knowledge:module", args=[work.teams.pk])).status_code == 404
        upload = SimpleUploadedFile("a.gift", b"Q {=a ~b}")
        assert (
            client.post(reverse("knowledge:bank_preview", args=[work.teams.pk]), {"file": upload}).status_code
            == 404
        )
        content = base64.b64encode(b"Q {=a ~b}").decode()
        response = client.post(
            reverse("knowledge:bank_import", args=[work.teams.pk]), {"filename": "a", "content": content}
        )
        assert response.status_code == 404
        assert client.post(reverse("knowledge:test_save", args=[work.teams.pk, "pre"]), {}).status_code == 404
    assert not QuestionBank.objects.filter(module=work.teams).exists()


def test_the_lead_sets_the_test_and_bad_values_are_a_400(work: Any) -> None:
    client = client_for(work.lead.user)
    url = reverse("knowledge:test_save", args=[work.mail.pk, "post"])
    data = {
        "post-pass_mark": "70",
        "post-questions_drawn": "4",
        "post-max_attempts": "0",
        "post-wait_hours": "2",
        "post-active": "on",
    }
    assert client.post(url, data).status_code == 302
    test = KnowledgeTest.objects.get(module=work.mail, kind="post")
    assert (test.pass_mark, test.questions_drawn, test.max_attempts, test.wait_hours) == (70, 4, 0, 2)
    assert client.post(url, {**data, "post-pass_mark": "101"}).status_code == 400
    assert client.post(reverse("knowledge:test_save", args=[work.mail.pk, "during"]), data).status_code == 404


def test_the_module_page_shows_no_ones_score(work: Any) -> None:
    def results() -> str:
        page = client_for(work.trainer.user).get(reverse("knowledge:module", args=[work.mail.pk]))
        text = page.content.decode()
        return text[text.index("<h2>Results</h2>") :]

    # Not "hidden" where there is nothing to hide: a test with no result to show yet says so
    # (0 or 1 to k−1 people alike, so that it does not tell whether anyone took it).
    hidden = (
        '<td colspan="3" data-figure="none">No results to show yet: a result is shown once 5 or more '
        "people have taken the test.</td>"
    )
    none_yet = results()
    attempt = services.attempt_start(test=work.pre, person=work.employee)
    services.attempt_submit(attempt=attempt, answers=right_answers(attempt), actor=None)
    one = results()
    assert hidden in one and "100" not in one
    # No try yet looks the same as one try: the page does not tell whether anyone took it.
    assert one == none_yet and one.count(hidden) == 2
    assert "hidden (" not in one


def test_the_lead_reads_why_a_result_is_missing_nobody_yet_or_too_few(work: Any) -> None:
    """The review: the results said "–" with no word of why. The lead (who sees 0 against
    hidden on the dashboard too) reads which; a trainer still cannot tell the two apart."""
    from kompetenslyft.knowledge.services import publish_result_months

    from .test_results import _months_ago, _take

    def results(user: Any) -> str:  # the table and the difference (not the months' note)
        text = client_for(user).get(reverse("knowledge:module", args=[work.mail.pk])).content.decode()
        return text[text.index("<table>", text.index("<h2>Results</h2>")) :]

    nobody = results(work.lead.user)
    assert (
        nobody.count(
            '<td colspan="3" data-figure="nobody">Nobody has taken the test in the months published.</td>'
        )
        == 2
    )
    need = "(it needs a result shown both before and after the module)"
    assert "Difference in mean score (points): – <span" in nobody and need in nobody
    trainer_before = results(work.trainer.user)
    _take(work.pre, work.employee, 100, at=_months_ago(1))
    publish_result_months(today=timezone.localdate())
    few = results(work.lead.user)
    assert (
        '<td colspan="3" data-figure="hidden">Hidden: fewer than 5 people took the test in each month '
        "published, and a month's result is shown from 5 people.</td>"
    ) in few
    assert "100" not in few.replace("pass mark", "")
    assert results(work.trainer.user) == trainer_before  # 0 or 1 to k−1: the same to a trainer
    assert 'data-figure="none"' in trainer_before and need in trainer_before


def test_a_module_without_a_test_says_so_rather_than_hidden(work: Any) -> None:
    page = client_for(work.lead.user).get(reverse("knowledge:module", args=[work.teams.pk]))
    text = page.content.decode()
    results = text[text.index("<h2>Results</h2>") :]
    assert results.count("No test set up.") == 2
    assert "hidden" not in results


def test_a_test_opens_and_starts_only_for_whom_the_journey_offers_it(work: Any) -> None:
    """The attack: the employee started the test after a module it never completed, and the
    manager and top management opened the test before a module not on their journey."""
    employee = client_for(work.employee.user)
    assert employee.get(reverse("knowledge:test", args=[work.pre.pk])).status_code == 200
    assert employee.get(reverse("knowledge:test", args=[work.post.pk])).status_code == 404
    assert employee.post(reverse("knowledge:test_start", args=[work.post.pk])).status_code == 404
    for person in (work.manager, work.top, work.lead):
        client = client_for(person.user)
        for test in (work.pre, work.post):
            assert client.get(reverse("knowledge:test", args=[test.pk])).status_code == 404
            assert client.post(reverse("knowledge:test_start", args=[test.pk])).status_code == 404
    assert not Attempt.objects.exists()
    # The module's page offers no link to a test that would be a 404.
    page = client_for(work.manager.user).get(reverse("learning:module", args=[work.mail.pk]))
    assert reverse("knowledge:test", args=[work.pre.pk]) not in page.content.decode()
    # Once the module is completed, the test after it opens, and the one before it no longer.
    Attendance.objects.create(
        person=work.employee,
        module=work.mail,
        unit=work.employee.unit,
        date=timezone.localdate(),
        hours=Decimal(1),
        status=Attendance.Status.COMPLETED,
    )
    assert employee.get(reverse("knowledge:test", args=[work.pre.pk])).status_code == 404
    assert employee.get(reverse("knowledge:test", args=[work.post.pk])).status_code == 200
    assert employee.post(reverse("knowledge:test_start", args=[work.post.pk])).status_code == 302


def test_drawing_more_questions_than_the_bank_holds_is_refused_naming_the_field(work: Any) -> None:
    """The attack: 50 questions drawn from a bank of 7; the test page then said "50 questions"."""
    client = client_for(work.lead.user)
    data = {
        "pre-pass_mark": "60",
        "pre-questions_drawn": "50",
        "pre-max_attempts": "2",
        "pre-wait_hours": "0",
        "pre-active": "on",
    }
    response = client.post(reverse("knowledge:test_save", args=[work.mail.pk, "pre"]), data)
    assert response.status_code == 400
    assert response.context["kinds"][0]["form"].errors["questions_drawn"] == [
        "The module's question bank has 7 questions in use: draw at most 7."
    ]
    assert "draw at most 7" in response.content.decode()
    assert KnowledgeTest.objects.get(pk=work.pre.pk).questions_drawn == 5
    # A module with no questions yet: nothing can be drawn.
    response = client.post(reverse("knowledge:test_save", args=[work.teams.pk, "pre"]), data)
    assert response.status_code == 400 and "has 0 questions in use" in response.content.decode()
    assert not KnowledgeTest.objects.filter(module=work.teams).exists()
    # Questions retired after the test was set: the page says how many a try really draws.
    Question.objects.filter(bank__module=work.mail).exclude(
        pk__in=Question.objects.filter(bank__module=work.mail).order_by("pk")[:3]
    ).update(retired=True)
    page = client_for(work.employee.user).get(reverse("knowledge:test", args=[work.pre.pk]))
    assert "3 questions, drawn at random." in page.content.decode()


def test_the_trainer_opens_a_bank_from_the_module_page_and_reads_its_questions(work: Any) -> None:
    """The review: after importing, the bank on the module's page was no link; its questions
    could not be read (kind, options with the right ones, feedback) in the page's language."""
    bank = QuestionBank.objects.get(module=work.mail)
    bank_url = reverse("knowledge:bank", args=[work.mail.pk, bank.pk])
    client = client_for(work.trainer.user)
    module_page = client.get(reverse("knowledge:module", args=[work.mail.pk])).content.decode()
    assert f'<a href="{bank_url}">{bank.name}</a>' in module_page
    response = client.get(bank_url)
    page = response.content.decode()
    assert response.status_code == 200 and "Question bank: digital_dokumentation" in page
    assert page.count("data-question=") == 7
    # The kind, the right option marked (and its weight where it is a part), the feedback.
    assert '<span class="badge" data-kind="single">one right answer</span>' in page
    assert '<span class="badge" data-kind="multiple">several right answers</span>' in page
    assert (
        '<li data-right="yes"><strong>För att den enskilde ska få en säker och god vård</strong> '
        '<span class="badge">right</span>'
    ) in page
    assert '<strong>Hälsa</strong> <span class="badge">right · 50 %</span>' in page
    assert '<li data-right="no">Telefonnummer <span class="muted">(-100 %)</span>' in page
    assert "Feedback: Nej, det är en vanlig personuppgift." in page
    assert "Feedback on the question: Läs mer i rutinen för dokumentation på intranätet." in page
    assert "<script>" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    # In Swedish: the kind and a true/false question's options in the page's language.
    swedish = client_for(work.trainer.user)
    swedish.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
    sv = swedish.get(bank_url).content.decode()
    assert '<span class="badge" data-kind="truefalse">sant eller falskt</span>' in sv
    assert '<strong>Sant</strong> <span class="badge">rätt</span>' in sv
    # The lead of the organisation opens it too; nobody else, nor another module's bank id.
    assert client_for(work.lead.user).get(bank_url).status_code == 200
    for user in (work.employee.user, work.manager.user, work.lead_b.user):
        assert client_for(user).get(bank_url).status_code == 404
    assert client.get(reverse("knowledge:bank", args=[work.teams.pk, bank.pk])).status_code == 404
    assert client.get(reverse("knowledge:bank", args=[work.mail.pk, bank.pk + 999])).status_code == 404


def test_the_bank_page_reads_its_questions_in_a_fixed_number_of_queries(
    work: Any, django_assert_max_num_queries: Any
) -> None:
    bank = QuestionBank.objects.get(module=work.mail)
    client = client_for(work.trainer.user)
    url = reverse("knowledge:bank", args=[work.mail.pk, bank.pk])
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_the_trainer_renames_a_bank_and_reimporting_its_file_still_updates_it(work: Any) -> None:
    bank = QuestionBank.objects.get(module=work.mail)
    client = client_for(work.trainer.user)
    url = reverse("knowledge:bank_rename", args=[work.mail.pk, bank.pk])
    page = client.get(reverse("knowledge:bank", args=[work.mail.pk, bank.pk])).content.decode()
    assert url in page and "Rename the bank" in page
    prefix = f"bank{bank.pk}-name"
    response = client.post(url, {prefix: "  Dokumentation   i journalen "})
    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:bank", args=[work.mail.pk, bank.pk])
    bank.refresh_from_db()
    assert bank.name == "Dokumentation i journalen"
    assert AuditEntry.objects.filter(action="knowledge.bank_renamed").count() == 1
    # Empty, a control character and a bad id are refused; another organisation's lead gets a 404.
    assert client.post(url, {prefix: "  "}).status_code == 400
    assert client.post(url, {prefix: "a\x01b"}).status_code == 400
    bad = reverse("knowledge:bank_rename", args=[work.mail.pk, bank.pk + 999])
    assert client.post(bad, {prefix: "x"}).status_code == 404
    assert client_for(work.lead_b.user).post(url, {prefix: "Stulen"}).status_code == 404
    bank.refresh_from_db()
    assert bank.name == "Dokumentation i journalen"
    done = services.bank_import(
        organisation=work.org_a,
        module=work.mail,
        content=(FIXTURES / "digital_dokumentation.gift").read_bytes(),
        filename="digital_dokumentation.gift",
        actor=None,
    )
    assert done.bank_name == "Dokumentation i journalen" and done.unchanged == 7
    assert QuestionBank.objects.filter(module=work.mail).count() == 1


def test_passing_the_pre_test_when_booked_exempts_and_cancels_the_booking(work: Any) -> None:
    """The reviewer passed the test before a module it was booked on: no exemption, the booking
    kept, and the journey and the test page said different things."""
    import datetime as dt

    from kompetenslyft.learning.models import Booking
    from kompetenslyft.learning.services import booking_book, session_create

    session = session_create(
        module=work.mail,
        starts_at=timezone.now() + dt.timedelta(days=5),
        duration_minutes=60,
        capacity=1,
        place="Sal 3",
    )
    mine = booking_book(session=session, person=work.employee)
    waiting = booking_book(session=session, person=work.colleague)
    assert (mine.status, waiting.status) == ("booked", "waiting")
    client = client_for(work.employee.user)
    promise = "Before the module: if you pass, you are exempt from it and your booking on it is cancelled"
    assert promise in client.get(reverse("learning:me")).content.decode()
    assert promise in client.get(reverse("knowledge:test", args=[work.pre.pk])).content.decode()
    client.post(reverse("knowledge:test_start", args=[work.pre.pk]))
    attempt = Attempt.objects.get(person=work.employee)
    data = {f"q{q}": options for q, options in right_answers(attempt).items()}
    page = client.post(reverse("knowledge:attempt_submit", args=[attempt.pk]), data, follow=True)
    text = page.content.decode()
    assert "you are exempt from E-post grund" in text
    assert "Your booking on E-post grund is cancelled" in text
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, waiting.status) == ("cancelled", "booked")  # the place went to the next
    journey = client.get(reverse("learning:me")).content.decode()
    assert "Exempt: " + services.exemption_reason(work.org_a) in journey
    assert not Booking.objects.filter(person=work.employee, status__in=["booked", "waiting"]).exists()


def test_no_test_before_a_module_the_person_is_exempt_from(work: Any) -> None:
    """The reviewer's demo employee was offered the test before a module it was exempt from."""
    from kompetenslyft.knowledge.selectors import tests_for_person

    assert work.pre.pk in {s.test.pk for s in tests_for_person(work.employee)}
    proposal_services.proposal_exempt(
        proposal=work.proposal, module=work.mail, reason="har redan gått den", actor=work.manager.user
    )
    assert work.pre.pk not in {s.test.pk for s in tests_for_person(work.employee)}
    client = client_for(work.employee.user)
    assert client.get(reverse("knowledge:test", args=[work.pre.pk])).status_code == 404
    assert client.post(reverse("knowledge:test_start", args=[work.pre.pk])).status_code == 404


def test_a_true_or_false_question_says_so(work: Any) -> None:
    client = client_for(work.employee.user)
    response = client.post(reverse("knowledge:test_start", args=[work.pre.pk]))
    attempt = Attempt.objects.get(person=work.employee)
    page = client.get(response["Location"]).content.decode()
    kinds = {q.kind for q in Question.objects.filter(pk__in=[d[0] for d in attempt.drawn])}
    assert ("Is the statement true or false?" in page) == ("truefalse" in kinds)
