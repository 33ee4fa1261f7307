"""Writes of the learning domain: initiatives and their plans, proposals from the gap,
enrolments, job aids, support questions and answers. Sessions, bookings, invitations and
attendance are in ``session_services`` (re-exported here)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.competence.selectors import RequirementIndex
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.bulk import bulk_insert
from kompetenslyft.core.db import analyse
from kompetenslyft.core.queue import enqueue
from kompetenslyft.org.models import Person, Unit
from kompetenslyft.search.services import index_job_aid

from . import participation
from .checklist import checklist_entries
from .models import (
    Enrolment,
    Initiative,
    JobAid,
    Module,
    PlanEntry,
    Proposal,
    SupportRequest,
    proposal_counts,
)
from .scope_rules import check_scope_change
from .selectors import modules_for
from .session_services import (
    attendance_take as attendance_take,
)
from .session_services import (
    booking_book as booking_book,
)
from .session_services import (
    booking_cancel as booking_cancel,
)
from .session_services import (
    booking_send_invitation as booking_send_invitation,
)
from .session_services import (
    ics_for as ics_for,
)
from .session_services import (
    session_cancel as session_cancel,
)
from .session_services import (
    session_create as session_create,
)
from .session_services import (
    session_send_cancellation as session_send_cancellation,
)
from .session_services import (
    session_send_reminders as session_send_reminders,
)
from .session_services import (
    session_update as session_update,
)


@transaction.atomic
def initiative_create(
    *,
    organisation: Any,
    code: str,
    name: str,
    purpose: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    budget: Decimal | None = None,
    units: list[Unit] | None = None,
    roles: list[Any] | None = None,
    modules: list[Module] | None = None,
    owners: list[Any] | None = None,
    actor: Any = None,
) -> Initiative:
    """A new initiative of ``organisation``; ``owners`` (its project leaders) must be people of
    the organisation (a project leader who creates its first initiative owns it)."""
    if any(owner.organisation_id != organisation.pk for owner in owners or []):
        raise ValidationError(_("An owner of an initiative must belong to its organisation."))
    problems: dict[str, str] = {}  # every problem at once, by field
    if Initiative.objects.filter(organisation=organisation, code=code).exists():
        problems["code"] = _("The organisation already has an initiative with the code '%(code)s'.") % {
            "code": code
        }
    if starts_on and ends_on and ends_on < starts_on:
        problems["ends_on"] = _("The initiative ends before it starts.")
    try:
        check_scope_change(
            organisation_id=organisation.pk,
            actor=actor,
            before=None,
            after=([m.pk for m in modules or []], starts_on, ends_on),
        )
    except ValidationError as exc:
        problems["starts_on"] = exc.messages[0]
    if problems:
        raise ValidationError(problems)
    initiative = Initiative.objects.create(
        organisation=organisation,
        code=code,
        name=name,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
    )
    initiative.units.set(units or [])
    initiative.roles.set(roles or [])
    initiative.modules.set(modules or [])
    initiative.owners.set(owners or [])
    participation.refresh_initiative(initiative)
    PlanEntry.objects.bulk_create(checklist_entries(initiative))
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent("initiative.created", "initiative", code, name),
    )
    return initiative


# Evidence that exempts someone from a module besides the self-assessment: a passed knowledge
# test, or a completion reported to the learning record store. Each source is a function
# (initiative, module ids) → the (person id, module id) pairs that need not take the module:
# a set (shown as "already reaches the goal"), or a dict pair → reason, kept as an exemption
# with that reason (e.g. "passed the knowledge test", in the organisation's language). The
# knowledge and LRS domains register theirs here.
ExemptionSource = Callable[[Initiative, list[int]], "set[tuple[int, int]] | dict[tuple[int, int], str]"]
EXEMPTION_SOURCES: list[ExemptionSource] = []


def register_exemption_source(source: ExemptionSource) -> None:
    if source not in EXEMPTION_SOURCES:
        EXEMPTION_SOURCES.append(source)


def initiative_people(initiative: Initiative) -> Any:
    paths = Q(pk__in=[])
    for path in initiative.units.values_list("path", flat=True):
        paths |= Q(path__startswith=path)
    people = Person.objects.filter(
        organisation_id=initiative.organisation_id,
        is_active=True,
        unit__in=Unit.objects.filter(paths).values("pk"),
    )
    role_ids = list(initiative.roles.values_list("pk", flat=True))
    return people.filter(role_id__in=role_ids) if role_ids else people


def proposals_request(*, initiative: Initiative, actor: Any) -> None:
    """Ask for proposals from the gap: made in the background (``proposals_generate``)."""
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent("proposals.requested", "initiative", str(initiative.pk), initiative.name),
    )
    enqueue("learning.proposals_task", initiative.pk)


def proposals_generate(*, initiative_id: int) -> int:
    """For everyone in the target group, the modules of the initiative that teach a competence
    it is below the requirement in (or has not assessed) are assigned; those whose competences
    it already reaches are exempt; modules mandatory for its role are always assigned. A
    confirmed proposal is left as the manager confirmed it."""
    initiative = Initiative.objects.select_related("organisation").get(pk=initiative_id)
    return _proposals_make(initiative, initiative_people(initiative), everyone=True)


@transaction.atomic
def proposals_for_people(
    *, initiative: Initiative, people: list[Person], actor: Any, competence: Any = None
) -> int:
    """Proposals of ``initiative`` for exactly ``people`` (e.g. those a gap drill-down listed),
    made as :func:`proposals_generate` makes them; other people's proposals are left as they
    are, and so is a confirmed one. Every person must be an active person of the initiative's
    organisation; with ``competence`` (the drill-down's), a module of the initiative must
    teach it."""
    if competence is not None and not initiative.modules.filter(competences=competence).exists():
        raise ValidationError(
            _(
                "No module of %(initiative)s teaches %(competence)s: add one to the initiative or choose another."
            )
            % {"initiative": initiative.name, "competence": competence.local_name}
        )
    if not people:
        raise ValidationError(_("No one to propose modules for."))
    if any(p.organisation_id != initiative.organisation_id or not p.is_active for p in people):
        raise ValidationError(
            _("Proposals can only be made for active people of the initiative's organisation.")
        )
    count = _proposals_make(
        initiative,
        Person.objects.filter(pk__in=sorted({p.pk for p in people}), organisation=initiative.organisation),
        everyone=False,
    )
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "proposals.made_for_people", "initiative", str(initiative.pk), initiative.name, {"people": count}
        ),
    )
    return count


def _proposals_make(initiative: Initiative, target: Any, *, everyone: bool) -> int:
    """Write the proposals of the people of ``target`` (a Person queryset); ``everyone``: the
    whole target group, whose unconfirmed proposals are all replaced."""
    from kompetenslyft.assessment.models import LATEST, Answer

    index = RequirementIndex(initiative.organisation)
    modules = list(initiative.modules.prefetch_related("competences", "mandatory_roles"))
    teaches = {m.pk: [(c.pk, c.code) for c in m.competences.all()] for m in modules}
    mandatory = {m.pk: {r.pk for r in m.mandatory_roles.all()} for m in modules}
    people = list(target.values_list("pk", "unit_id", "role_id"))
    confirmed = set(
        Proposal.objects.filter(initiative=initiative, status=Proposal.Status.CONFIRMED).values_list(
            "person_id", flat=True
        )
    )
    wanted_competences = {c for pairs in teaches.values() for c, _code in pairs}
    # The hot path of a large initiative (millions of answers): read plain tuples.
    answers = Answer.objects.filter(
        person__organisation=initiative.organisation, competence_id__in=wanted_competences
    )
    if not everyone:
        answers = answers.filter(person_id__in=[p[0] for p in people])
    if initiative.measurement_point == LATEST:
        answers = answers.filter(is_latest=True)
    else:
        answers = answers.filter(measurement_point=initiative.measurement_point)
    levels: dict[int, dict[int, int]] = {}
    if wanted_competences:  # (no modules, or none teaching a competence: nothing to read)
        sql, params = answers.values_list("person_id", "competence_id", "level").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(50_000):
                for person_id, competence_id, level in chunk:
                    levels.setdefault(person_id, {})[competence_id] = level
    # What each module means for a (unit, role) group is the same for all its members:
    # mandatory, or the (competence, code, required level) it teaches that the group requires.
    module_keys = [(m.pk, str(m.pk)) for m in modules]
    group_plans: dict[tuple[int, int], list[tuple[str, bool, list[tuple[int, str, int]]]]] = {}

    def plan_for(unit_id: int, role_id: int) -> list[tuple[str, bool, list[tuple[int, str, int]]]]:
        key = (unit_id, role_id)
        if key not in group_plans:
            required = index.for_group(unit_id, role_id)
            plan: list[tuple[str, bool, list[tuple[int, str, int]]]] = []
            for module_id, module_key in module_keys:
                if role_id in mandatory[module_id]:
                    plan.append((module_key, True, []))
                    continue
                relevant = [
                    (c, code, required[c].required_level) for c, code in teaches[module_id] if c in required
                ]
                if relevant:
                    plan.append((module_key, False, relevant))
            group_plans[key] = plan
        return group_plans[key]

    evidence: dict[tuple[int, int], str] = {}
    for source in EXEMPTION_SOURCES:
        found = source(initiative, [m.pk for m in modules])
        evidence.update(found if isinstance(found, dict) else dict.fromkeys(found, ""))
    # A manager's swaps and exemptions on a proposal not yet confirmed are kept.
    manual = {
        person_id: {k: items[k] for k in ("w", "e") if k in items}
        for person_id, items in Proposal.objects.filter(
            initiative=initiative, status=Proposal.Status.PROPOSED
        )
        .filter(Q(items__has_key="w") | Q(items__has_key="e"))
        .values_list("person_id", "items")
    }
    rows: list[tuple[Any, ...]] = []
    now = timezone.now()
    no_levels: dict[int, int] = {}
    for person_id, unit_id, role_id in people:
        if person_id in confirmed:
            continue
        mine = levels.get(person_id, no_levels)
        below_items: dict[str, list[str]] = {}
        mandatory_items: list[str] = []
        exempt_items: list[str] = []
        reasoned: dict[str, str] = {}
        for module_key, is_mandatory, relevant in plan_for(unit_id, role_id):
            if is_mandatory:
                mandatory_items.append(module_key)
                continue
            below = [code for c, code, level in relevant if mine.get(c, -1) < level]
            if below and evidence and (person_id, int(module_key)) in evidence:
                reason = evidence[(person_id, int(module_key))]
                if reason:  # exempt with the evidence's reason, as a manager's exemption is
                    below_items[module_key] = below
                    reasoned[module_key] = reason
                    continue
                below = []
            if below:
                below_items[module_key] = below
            else:
                exempt_items.append(module_key)
        items: dict[str, Any] = {"b": below_items, "m": mandatory_items, "x": exempt_items}
        counts = (len(below_items) + len(mandatory_items), len(exempt_items))
        if reasoned:
            items["e"] = reasoned
        if person_id in manual:
            kept = manual[person_id]
            items.update(kept)
            if reasoned:
                items["e"] = {**reasoned, **kept.get("e", {})}
        if reasoned or person_id in manual:
            counts = proposal_counts(items)
        rows.append(
            (
                initiative.pk,
                person_id,
                unit_id,
                json.dumps(items, separators=(",", ":")),
                counts[0],
                counts[1],
                Proposal.Status.PROPOSED,
                now,
            )
        )
    with transaction.atomic():
        replaced = Proposal.objects.filter(initiative=initiative, status=Proposal.Status.PROPOSED)
        if not everyone:
            replaced = replaced.filter(person_id__in=[row[1] for row in rows])
        replaced._raw_delete(Proposal.objects.db)
        bulk_insert(
            Proposal._meta.db_table,
            ("initiative_id", "person_id", "unit_id", "items", "assigned", "exempt", "status", "updated_at"),
            rows,
        )
        analyse(Proposal)
    return len(rows)


@transaction.atomic
def proposals_confirm(*, proposals: Any, actor: Any) -> int:
    """Confirm the given (already scoped) proposals."""
    count = proposals.filter(status=Proposal.Status.PROPOSED).update(
        status=Proposal.Status.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now()
    )
    if count:
        first = proposals.select_related("initiative").first()
        if first is not None:
            audit_record(
                actor=actor,
                organisation=first.initiative.organisation,
                event=AuditEvent(
                    "proposals.confirmed",
                    "initiative",
                    first.initiative.code,
                    first.initiative.name,
                    {"people": count},
                ),
            )
    return count


@transaction.atomic
def enrol(*, person: Person, module: Module, initiative: Initiative | None = None) -> Enrolment:
    if not modules_for(person.organisation_id).filter(pk=module.pk).exists():
        raise ValidationError(_("The module is not offered to your organisation."))
    enrolment, _created = Enrolment.objects.get_or_create(
        person=person, module=module, defaults={"initiative": initiative}
    )
    return enrolment


@transaction.atomic
def job_aid_save(
    *,
    organisation: Any,
    title: str,
    owner: str,
    version: str,
    plain_language: bool,
    link: str,
    attachment: Any,
    modules: list[Module],
    competences: list[Any],
    actor: Any = None,
) -> JobAid:
    aid = JobAid.objects.create(
        organisation=organisation,
        title=title,
        owner=owner,
        version=version,
        plain_language=plain_language,
        link=link,
        attachment_name=attachment.name[:255] if attachment else "",
        attachment=attachment.read() if attachment else b"",
    )
    aid.competences.set(competences)
    for module in modules:
        module.job_aids.add(aid)
    index_job_aid(aid)
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent("job_aid.created", "job_aid", str(aid.pk), title),
    )
    return aid


@transaction.atomic
def support_request_create(
    *, person: Person, topic: str, question: str, initiative: Initiative | None = None, actor: Any = None
) -> SupportRequest:
    """An employee's question; the trainers and super users it is routed to
    (``selectors.support_contacts``) are told by e-mail, each in its language, from a task."""
    request = SupportRequest.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        unit_id=person.unit_id,
        initiative=initiative,
        topic=topic,
        question=question,
    )
    audit_record(
        actor=actor,
        organisation=person.organisation,
        event=AuditEvent("support.asked", "support_request", str(request.pk), topic),
    )
    enqueue("learning.support_asked_task", request.pk)
    return request


@transaction.atomic
def support_request_answer(
    *, request: SupportRequest, answer: str, answered_by: Person, actor: Any = None
) -> SupportRequest:
    """Answer a question routed to ``answered_by``; the person who asked is told by e-mail."""
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if request.answered_at is not None:
        raise ValidationError(_("The question is already answered."))
    request.answer = answer
    request.answered_by = answered_by
    request.answered_at = timezone.now()
    request.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        organisation=request.organisation,
        event=AuditEvent("support.answered", "support_request", str(request.pk), request.topic),
    )
    enqueue("learning.support_answered_task", request.pk)
    return request


def _mail(person: Person, template: str, context: dict[str, Any]) -> bool:
    if not person.email:
        return False
    with translation.override(person.language or settings.LANGUAGE_CODE):
        context = {**context, "person": person, "base": settings.KOMPETENSLYFT_BASE_URL}
        subject = render_to_string(f"learning/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"learning/email/{template}.txt", context)
    EmailMessage(subject, body, to=[person.email]).send()
    return True


def support_send_question(*, request_id: int) -> int:
    """Tell the trainers and super users a question is routed to (the task of the create)."""
    from .selectors import support_contacts

    request = SupportRequest.objects.select_related("person", "person__unit", "initiative").get(pk=request_id)
    sent = 0
    for contact in support_contacts(request.person, request.initiative):
        sent += _mail(contact, "support_question", {"request": request})
    return sent


def support_send_answer(*, request_id: int) -> bool:
    """Tell the person who asked that its question is answered (the task of the answer)."""
    request = SupportRequest.objects.select_related("person", "answered_by").get(pk=request_id)
    return _mail(request.person, "support_answer", {"request": request})
