"""Knowledge test pages, one view per action: a person's test (start, answer, hand in, see the
result), and a module's question banks and tests for its lead or trainers (import a GIFT file
with a preview, set the tests)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import parse_id
from kompetenslyft.learning import module_selectors
from kompetenslyft.learning.models import Module
from kompetenslyft.org.models import Organisation, Person

from . import gift, results, selectors, services
from .forms import BankRenameForm, GiftUploadForm, TestForm
from .models import KnowledgeTest, Question, QuestionBank


def _me(request: HttpRequest) -> Person:
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    return Person.objects.select_related("organisation").get(pk=access.person_id)


# --- taking a test ---------------------------------------------------------------------------------


@login_required
def test_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _me(request)
    test = selectors.test_for_person(person, pk)
    if test is None:
        raise Http404
    state = selectors.attempt_state(test, person)
    return render(
        request,
        "knowledge/test.html",
        {"test": test, "state": state, "drawn": selectors.questions_to_draw(test)},
    )


@login_required
@require_POST
def test_start(request: HttpRequest, pk: int) -> HttpResponse:
    person = _me(request)
    test = selectors.test_for_person(person, pk)
    if test is None:
        raise Http404
    try:
        attempt = services.attempt_start(test=test, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("knowledge:test", pk=test.pk)
    return redirect("knowledge:attempt", pk=attempt.pk)


@login_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The drawn questions (an open try) or the result with feedback per question."""
    person = _me(request)
    attempt = selectors.attempt_for_person(person, pk)
    if attempt is None:
        raise Http404
    open_try = attempt.submitted_at is None
    items = [
        {
            "question": question,
            # The open try's choices written here, not in the template: the test page is the one
            # everyone taking a test opens (≤ 100 ms at 50,000 people), its loop the bulk of it.
            "choices": _choices(question, options) if open_try else "",
            "options": options,
            "chosen": set(attempt.chosen(question.pk)),
            "score": services.score_of(
                question.kind, {o.pk: o.weight for o in options}, attempt.chosen(question.pk)
            )
            if attempt.submitted_at
            else None,
        }
        for question, options in selectors.attempt_questions(attempt)
    ]
    state = selectors.attempt_state(attempt.test, person) if attempt.submitted_at else None
    return render(request, "knowledge/attempt.html", {"attempt": attempt, "items": items, "state": state})


def _choices(question: Any, options: list[Any]) -> SafeString:
    kind = "checkbox" if question.kind == Question.Kind.MULTIPLE else "radio"
    return format_html_join(
        "",
        '<label><input type="{}" name="q{}" value="{}"> <span>{}</span></label>',
        ((kind, question.pk, o.pk, o.label) for o in options),
    )


@login_required
@require_POST
def attempt_submit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _me(request)
    attempt = selectors.attempt_for_person(person, pk)
    if attempt is None:
        raise Http404
    answers = {
        question_id: [parse_id(v, name="option") for v in request.POST.getlist(f"q{question_id}")]
        for question_id in attempt.question_ids()
    }
    try:
        attempt, exempted = services.attempt_submit(attempt=attempt, answers=answers, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("knowledge:attempt", pk=attempt.pk)
    if exempted:
        messages.success(
            request,
            _("You passed the knowledge test: you are exempt from %(module)s.")
            % {"module": attempt.test.module.name},
        )
        if getattr(attempt, "cancelled_bookings", 0):
            messages.info(
                request,
                _("Your booking on %(module)s is cancelled: your place is free for someone else.")
                % {"module": attempt.test.module.name},
            )
    return redirect("knowledge:attempt", pk=attempt.pk)


# --- a module's banks and tests ----------------------------------------------------------------------


def _managed(request: HttpRequest, pk: int) -> tuple[Module, Organisation]:
    access = access_for(request.user)
    module = module_selectors.modules_visible(access).filter(pk=pk).first()
    if module is None:
        raise Http404
    organisation = selectors.manages_module(access, module)
    if organisation is None:
        raise Http404
    return module, organisation


def _module_page(
    request: HttpRequest,
    module: Module,
    organisation: Organisation,
    *,
    upload: GiftUploadForm | None = None,
    test_forms: dict[str, TestForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    tests = selectors.tests_of(organisation, module)
    forms = test_forms or {}
    in_bank = selectors.question_count(organisation, module)
    kinds = []
    for kind, label in KnowledgeTest.Kind.choices:
        test = tests.get(kind)
        form = forms.get(kind) or TestForm(
            initial={
                "pass_mark": test.pass_mark,
                "questions_drawn": test.questions_drawn,
                "max_attempts": test.max_attempts,
                "wait_hours": test.wait_hours,
                "active": test.active,
            }
            if test
            # A new test draws 10 questions, or the whole bank if it holds fewer.
            else {"questions_drawn": min(10, in_bank)}
            if 0 < in_bank < 10
            else None,
            prefix=kind,
        )
        kinds.append({"kind": kind, "label": label, "test": test, "form": form})
    before, after, k, publication = results.module_summary(organisation, module)
    banks = list(selectors.banks_of(organisation, module))
    return render(
        request,
        "knowledge/module.html",
        {
            "module": module,
            "organisation": organisation,
            "banks": banks,
            "questions": in_bank,
            "upload": upload or GiftUploadForm(),
            "kinds": kinds,
            "before": before,
            "after": after,
            "before_test": tests.get(KnowledgeTest.Kind.PRE),
            "after_test": tests.get(KnowledgeTest.Kind.POST),
            "difference": results.difference(before, after),
            "k": k,
            "exact": access_for(request.user).is_lead_of(organisation.pk),
            "publication": publication,
        },
        status=status,
    )


@login_required
def module_tests(request: HttpRequest, pk: int) -> HttpResponse:
    module, organisation = _managed(request, pk)
    return _module_page(request, module, organisation)


@login_required
@require_POST
def bank_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Read an uploaded GIFT file and show its questions (nothing is stored until confirmed)."""
    module, organisation = _managed(request, pk)
    form = GiftUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _module_page(request, module, organisation, upload=form, status=400)
    upload = form.cleaned_data["file"]
    content = upload.read()
    try:
        preview = services.bank_import(
            organisation=organisation,
            module=module,
            content=content,
            filename=upload.name,
            actor=request.user,
            dry_run=True,
        )
    except gift.GiftError as exc:
        return render(
            request,
            "knowledge/preview.html",
            {"module": module, "problems": exc.problems, "filename": upload.name},
            status=400,
        )
    return render(
        request,
        "knowledge/preview.html",
        {
            "module": module,
            "preview": preview,
            "filename": upload.name,
            "content": base64.b64encode(content).decode(),
        },
    )


@login_required
@require_POST
def bank_import(request: HttpRequest, pk: int) -> HttpResponse:
    module, organisation = _managed(request, pk)
    filename = (request.POST.get("filename") or "")[:200]
    try:
        content = base64.b64decode(request.POST.get("content", ""), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("content: not base64") from exc
    try:
        done = services.bank_import(
            organisation=organisation, module=module, content=content, filename=filename, actor=request.user
        )
    except gift.GiftError as exc:
        return render(
            request,
            "knowledge/preview.html",
            {"module": module, "problems": exc.problems, "filename": filename},
            status=400,
        )
    messages.success(
        request,
        _("Imported %(name)s: %(new)s new, %(updated)s changed, %(retired)s retired.")
        % {"name": done.bank_name, "new": done.new, "updated": done.updated, "retired": done.retired},
    )
    return redirect("knowledge:module", pk=module.pk)


def _bank_page(
    request: HttpRequest,
    module: Module,
    organisation: Organisation,
    bank: QuestionBank,
    *,
    rename: BankRenameForm | None = None,
    status: int = 200,
) -> HttpResponse:
    questions, retired = selectors.bank_questions(bank)
    return render(
        request,
        "knowledge/bank.html",
        {
            "module": module,
            "organisation": organisation,
            "bank": bank,
            "questions": questions,
            "retired": retired,
            "rename": rename or BankRenameForm(initial={"name": bank.name}, prefix=f"bank{bank.pk}"),
        },
        status=status,
    )


@login_required
def bank_detail(request: HttpRequest, pk: int, bank: int) -> HttpResponse:
    """One question bank's questions as the trainer wrote them: each one's kind, its options with
    the right ones marked, and the feedback (the page's language for the words around them)."""
    module, organisation = _managed(request, pk)
    found = selectors.bank_of(organisation, module, bank)
    if found is None:
        raise Http404
    return _bank_page(request, module, organisation, found)


@login_required
@require_POST
def bank_rename(request: HttpRequest, pk: int, bank: int) -> HttpResponse:
    module, organisation = _managed(request, pk)
    found = selectors.bank_of(organisation, module, bank)
    if found is None:
        raise Http404
    form = BankRenameForm(request.POST, prefix=f"bank{found.pk}")
    if form.is_valid():
        try:
            services.bank_rename(bank=found, name=form.cleaned_data["name"], actor=request.user)
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(request, _("The bank was renamed."))
            return redirect("knowledge:bank", pk=module.pk, bank=found.pk)
    return _bank_page(request, module, organisation, found, rename=form, status=400)


@login_required
@require_POST
def test_save(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    module, organisation = _managed(request, pk)
    if kind not in KnowledgeTest.Kind.values:
        raise Http404
    form = TestForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            services.test_save(
                organisation=organisation, module=module, kind=kind, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The test was saved."))
            return redirect("knowledge:module", pk=module.pk)
    return _module_page(request, module, organisation, test_forms={kind: form}, status=400)
