from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kompetenslyft.core.importing import import_file
from kompetenslyft.knowledge import services
from kompetenslyft.learning import proposal_services
from kompetenslyft.learning.models import Module, Proposal
from kompetenslyft.learning.services import initiative_create, proposals_generate, session_create

FIXTURES = Path(__file__).parent / "fixtures"


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def work(network: Any) -> Any:
    """Alfa's employee is assigned M-MAIL (below the requirement) on a confirmed proposal; the
    trainer runs a session of M-MAIL; M-MAIL has a question bank and a test before and after."""
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,K\nTEAMS,Teams,K\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n{role},TEAMS,2\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-MAIL,E-post grund,K,basic,onsite,1.5,MAIL\n"
            "M-TEAMS,Teams grund,K,basic,onsite,1,TEAMS\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    network.mail, network.teams = (Module.objects.get(code=c) for c in ("M-MAIL", "M-TEAMS"))
    network.initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[network.mail, network.teams],
    )
    proposals_generate(initiative_id=network.initiative.pk)
    network.proposal = Proposal.objects.get(person=network.employee)
    proposal_services.proposal_confirm(proposal=network.proposal, actor=network.manager.user)
    network.session = session_create(
        module=network.mail,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=60,
        capacity=10,
        place="Rum 1",
        trainers=[network.trainer],
    )
    network.bank = services.bank_import(
        organisation=network.org_a,
        module=network.mail,
        content=(FIXTURES / "digital_dokumentation.gift").read_bytes(),
        filename="digital_dokumentation.gift",
        actor=network.trainer.user,
    )
    settings = {"pass_mark": 60, "questions_drawn": 5, "max_attempts": 2, "wait_hours": 0, "active": True}
    network.pre = services.test_save(
        organisation=network.org_a, module=network.mail, kind="pre", actor=network.lead.user, **settings
    )
    network.post = services.test_save(
        organisation=network.org_a, module=network.mail, kind="post", actor=network.lead.user, **settings
    )
    return network


def right_answers(attempt: Any) -> dict[int, list[int]]:
    from kompetenslyft.knowledge.models import Question

    answers = {}
    for question_id, option_ids in attempt.drawn:
        question = Question.objects.get(pk=question_id)
        answers[question_id] = [o.pk for o in question.options.all() if o.weight > 0 and o.pk in option_ids]
    return answers


def wrong_answers(attempt: Any) -> dict[int, list[int]]:
    """One wrong option per drawn question (a real hand-in that scores 0)."""
    from kompetenslyft.knowledge.models import Question

    answers = {}
    for question_id, option_ids in attempt.drawn:
        question = Question.objects.get(pk=question_id)
        wrong = [o.pk for o in question.options.all() if o.weight <= 0 and o.pk in option_ids]
        answers[question_id] = wrong[:1]
    return answers
