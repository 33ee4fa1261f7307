"""Writes on modules and job aids beyond the imports: creating and editing a module on the web
(the import's checks, :mod:`.module_rules`), sharing modules and job aids with the network and
adopting those of others, the introduction programme of a role and repetition (modules due
again). Every change is audited. Kept apart from ``services.py``, which is past its size."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, NamedTuple, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kompetenslyft.competence.models import Competence
from kompetenslyft.competence.selectors import competences_in_use
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.queue import enqueue
from kompetenslyft.org.models import Organisation, Person, Placement, Role, Unit
from kompetenslyft.search.services import index_module

from .models import Enrolment, JobAid, JobAidAdoption, Module, ModuleAdoption
from .module_rules import check_module_fields, cycle_message, find_cycle
from .selectors import completed_modules, due_again, modules_for

# A person "starts" when its current placement (a new person, or a new role) began this many
# days ago or less, or its start date lies in that window or later.
INTRODUCTION_WINDOW_DAYS = 60

# form field ← the import's column name, so that the shared checks land on the right field
_FIELD_OF_COLUMN = {"module_code": "code"}
# An absolute IRI: a scheme, a colon, no white space or control character (RFC 3987, loosely).
ACTIVITY_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\x00-\x1f\x7f]+")


class ModuleFields(TypedDict):
    """What the web form (and the import's row) says of a module; a relation left out is empty."""

    code: str
    name: str
    category: str
    level: str
    module_format: str
    hours: Decimal | str
    description: NotRequired[str]
    pre_material: NotRequired[str]
    refresh_months: NotRequired[int | None]
    activity_iri: NotRequired[str]
    competences: NotRequired[Iterable[Competence]]
    mandatory_roles: NotRequired[Iterable[Role]]
    prerequisites: NotRequired[Iterable[Module]]


class _Checked(NamedTuple):
    clean: dict[str, Any]
    competences: list[Competence]
    mandatory_roles: list[Role]
    prerequisites: list[Module]


def _check(*, organisation: Organisation, module: Module | None, fields: ModuleFields) -> _Checked:
    """The module's fields checked as a row of the modules import is, and its relations."""
    competences = list(fields.get("competences", ()))
    mandatory_roles = list(fields.get("mandatory_roles", ()))
    prerequisites = list(fields.get("prerequisites", ()))
    refresh_months = fields.get("refresh_months")
    data = {
        "module_code": fields["code"],
        "name": fields["name"],
        "category": fields["category"],
        "level": fields["level"],
        "format": fields["module_format"],
        "hours": str(fields["hours"]),
        "description": fields.get("description", ""),
        "pre_material": fields.get("pre_material", ""),
        "refresh_months": "" if refresh_months is None else str(refresh_months),
    }
    clean, problems = check_module_fields(data)
    errors: dict[str, list[str]] = {}
    for column, message in problems:
        errors.setdefault(_FIELD_OF_COLUMN.get(column, column), []).append(message)
    if "activity_iri" in fields:
        iri = fields["activity_iri"].strip()
        if iri and not ACTIVITY_IRI.fullmatch(iri):
            errors.setdefault("activity_iri", []).append(
                _("An activity IRI is an absolute address such as https://example.org/courses/fire-safety.")
            )
        clean["activity_iri"] = iri
    same_code = Module.objects.filter(organisation=organisation, code__iexact=clean["code"])
    if module is not None:
        same_code = same_code.exclude(pk=module.pk)
    if clean["code"] and same_code.exists():
        errors.setdefault("code", []).append(_("Another module of the organisation has this code."))
    allowed_competences = set(competences_in_use(organisation).values_list("pk", flat=True))
    if any(c.pk not in allowed_competences for c in competences):
        errors.setdefault("competences", []).append(_("A competence is not one of the organisation's."))
    if any(r.organisation_id != organisation.pk for r in mandatory_roles):
        errors.setdefault("mandatory_roles", []).append(_("A role is not one of the organisation's."))
    usable = set(modules_for(organisation.pk).values_list("pk", flat=True))
    before = prerequisites
    if any(p.pk not in usable for p in before):
        errors.setdefault("prerequisites", []).append(
            _("A prerequisite is not a module the organisation uses.")
        )
    elif module is not None and any(p.pk == module.pk for p in before):
        errors.setdefault("prerequisites", []).append(_("a module cannot be its own prerequisite"))
    elif module is not None and before:
        edges: dict[int, set[int]] = {}
        for module_id, before_id in Module.prerequisites.through.objects.values_list(
            "from_module_id", "to_module_id"
        ):
            edges.setdefault(module_id, set()).add(before_id)
        edges[module.pk] = {p.pk for p in before}
        cycle = find_cycle(edges)
        if cycle and module.pk in cycle:  # told from the module being saved
            ring = cycle[:-1]
            start = ring.index(module.pk)
            cycle = [*ring[start:], *ring[:start], module.pk]
        if cycle:
            names = dict(Module.objects.filter(pk__in=cycle).values_list("pk", "code"))
            errors.setdefault("prerequisites", []).append(cycle_message([names[pk] for pk in cycle]))
    if errors:
        raise ValidationError(errors)
    return _Checked(clean, competences, mandatory_roles, prerequisites)


@transaction.atomic
def module_create(*, organisation: Organisation, actor: Any = None, **fields: Unpack[ModuleFields]) -> Module:
    """A new module of the organisation, checked as a row of the modules import is."""
    checked = _check(organisation=organisation, module=None, fields=fields)
    module = Module.objects.create(organisation=organisation, **checked.clean)
    module.competences.set(checked.competences)
    module.mandatory_roles.set(checked.mandatory_roles)
    module.prerequisites.set(checked.prerequisites)
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent(
            "module.created",
            "module",
            module.code,
            module.name,
            {"prerequisites": sorted(p.code for p in checked.prerequisites)},
        ),
    )
    index_module(module)
    return module


@transaction.atomic
def module_update(*, module: Module, actor: Any = None, **fields: Unpack[ModuleFields]) -> Module:
    """Change one of an organisation's own modules (never a network module or one adopted)."""
    if module.organisation is None:
        raise ValidationError(_("A module of the whole network is changed by the installation only."))
    checked = _check(organisation=module.organisation, module=module, fields=fields)
    clean = checked.clean
    changes = {k: [str(getattr(module, k)), str(v)] for k, v in clean.items() if getattr(module, k) != v}
    for key, value in clean.items():
        setattr(module, key, value)
    module.save()
    relations: tuple[tuple[str, list[Any], str], ...] = (
        ("competences", checked.competences, "competence_codes"),
        ("mandatory_roles", checked.mandatory_roles, "mandatory_roles"),
        ("prerequisites", checked.prerequisites, "prerequisites"),
    )
    for relation, wanted, label in relations:
        manager = getattr(module, relation)
        old = sorted(str(o) for o in manager.all())
        new = sorted(str(o) for o in wanted)
        if old != new:
            manager.set(wanted)
            changes[label] = ["; ".join(old), "; ".join(new)]
    if changes:
        audit_record(
            actor=actor,
            organisation=module.organisation,
            event=AuditEvent("module.changed", "module", module.code, module.name, changes),
        )
    index_module(module)
    return module


@transaction.atomic
def module_set_introduction_roles(
    *, module: Module, organisation: Organisation, roles: Iterable[Role], actor: Any = None
) -> None:
    """The roles of ``organisation`` for which the module is part of the introduction programme
    (an organisation sets its own roles on any module it uses, adopted ones included). People
    already in the window of a start get it at once."""
    roles = list(roles)
    if not modules_for(organisation.pk).filter(pk=module.pk).exists():
        raise ValidationError(_("The module is not one the organisation uses."))
    if any(r.organisation_id != organisation.pk for r in roles):
        raise ValidationError(_("A role is not one of the organisation's."))
    old = set(module.introduction_roles.filter(organisation=organisation))
    module.introduction_roles.remove(*(old - set(roles)))
    module.introduction_roles.add(*(set(roles) - old))
    if old != set(roles):
        audit_record(
            actor=actor,
            organisation=organisation,
            event=AuditEvent(
                "module.introduction",
                "module",
                module.code,
                module.name,
                {"roles": [sorted(r.name for r in old), sorted(r.name for r in roles)]},
            ),
        )
        enqueue("learning.module_tasks.introduction_assign_task", organisation.pk)


# --- sharing with the network ---------------------------------------------------------------------


@transaction.atomic
def module_share(*, module: Module, shared: bool, actor: Any = None) -> None:
    """Offer one's own module to the other organisations of the network (or stop offering it:
    those that adopted it keep it)."""
    if module.organisation is None:
        raise ValidationError(_("A module of the whole network is shared already."))
    if module.shared != shared:
        Module.objects.filter(pk=module.pk).update(shared=shared)
        module.shared = shared
        audit_record(
            actor=actor,
            organisation=module.organisation,
            event=AuditEvent(
                "module.shared" if shared else "module.unshared", "module", module.code, module.name
            ),
        )


@transaction.atomic
def module_adopt(*, organisation: Organisation, module: Module, actor: Any = None) -> ModuleAdoption:
    """Use a module another organisation shares: a link, not a copy (as frameworks are adopted),
    so the owner's corrections reach every adopter and the adopter cannot change it."""
    if not module.shared or module.organisation_id in (None, organisation.pk):
        raise ValidationError(_("Only a module another organisation shares can be adopted."))
    adoption, created = ModuleAdoption.objects.get_or_create(organisation=organisation, module=module)
    if created:
        audit_record(
            actor=actor,
            organisation=organisation,
            event=AuditEvent("module.adopted", "module", module.code, module.name),
        )
    return adoption


@transaction.atomic
def job_aid_share(*, job_aid: JobAid, shared: bool, actor: Any = None) -> None:
    if job_aid.organisation is None:
        raise ValidationError(_("A job aid of the whole network is shared already."))
    if job_aid.shared != shared:
        JobAid.objects.filter(pk=job_aid.pk).update(shared=shared)
        job_aid.shared = shared
        audit_record(
            actor=actor,
            organisation=job_aid.organisation,
            event=AuditEvent(
                "job_aid.shared" if shared else "job_aid.unshared", "job_aid", str(job_aid.pk), job_aid.title
            ),
        )


@transaction.atomic
def job_aid_adopt(*, organisation: Organisation, job_aid: JobAid, actor: Any = None) -> JobAidAdoption:
    if not job_aid.shared or job_aid.organisation_id in (None, organisation.pk):
        raise ValidationError(_("Only a job aid another organisation shares can be adopted."))
    adoption, created = JobAidAdoption.objects.get_or_create(organisation=organisation, job_aid=job_aid)
    if created:
        audit_record(
            actor=actor,
            organisation=organisation,
            event=AuditEvent("job_aid.adopted", "job_aid", str(job_aid.pk), job_aid.title),
        )
    return adoption


# --- introduction programme and repetition ------------------------------------------------------


def _manager_of(unit: Unit, managers: Mapping[int, int | None]) -> int | None:
    """The manager of the unit, or of the nearest unit above it that has one."""
    for pk in reversed([int(p) for p in unit.path.strip("/").split("/") if p]):
        if managers.get(pk):
            return managers[pk]
    return None


@transaction.atomic
def introduction_assign(*, organisation_id: int, today: dt.date | None = None) -> int:
    """Assign the introduction modules of their role to the people who started (new, or new to
    the role) within the window, unless they have the module already or completed it; each
    manager is told by e-mail which of its people got what. Returns the assignments made."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=INTRODUCTION_WINDOW_DAYS)
    programme: dict[int, set[int]] = {}
    for role_id, module_id in Module.introduction_roles.through.objects.filter(
        role__organisation_id=organisation_id
    ).values_list("role_id", "module_id"):
        programme.setdefault(role_id, set()).add(module_id)
    if not programme:
        return 0
    started = Placement.objects.filter(valid_to__isnull=True, valid_from__gte=since).values("person_id")
    people = list(
        Person.objects.filter(organisation_id=organisation_id, is_active=True, role_id__in=list(programme))
        .filter(Q(pk__in=started) | Q(start_date__gte=since))
        .select_related("unit")
    )
    if not people:
        return 0
    ids = [p.pk for p in people]
    have = set(Enrolment.objects.filter(person_id__in=ids).values_list("person_id", "module_id"))
    done = completed_modules(ids)
    new: list[Enrolment] = []
    told: dict[int, list[int]] = {}
    managers = dict(Unit.objects.filter(organisation_id=organisation_id).values_list("pk", "manager_id"))
    for person in people:
        assigned = False
        for module_id in sorted(programme.get(person.role_id or 0, ())):
            if (person.pk, module_id) in have or module_id in done.get(person.pk, set()):
                continue
            new.append(Enrolment(person=person, module_id=module_id, kind=Enrolment.Kind.INTRODUCTION))
            assigned = True
        manager_id = _manager_of(person.unit, managers)
        if assigned and manager_id and manager_id != person.pk:
            told.setdefault(manager_id, []).append(person.pk)
    Enrolment.objects.bulk_create(new, ignore_conflicts=True)
    for manager_id, person_ids in told.items():
        enqueue("learning.module_tasks.introduction_notify_task", manager_id, person_ids)
    return len(new)


def introduction_notify(*, manager_id: int, person_ids: list[int]) -> bool:
    """Tell a manager, in its language, that its new people have their introduction modules."""
    manager = Person.objects.filter(pk=manager_id, is_active=True).first()
    if manager is None or not manager.email:
        return False
    people = list(Person.objects.filter(pk__in=person_ids).select_related("role").order_by("family_name"))
    modules: dict[int, list[Module]] = {}
    for enrolment in Enrolment.objects.filter(
        person_id__in=person_ids, kind=Enrolment.Kind.INTRODUCTION
    ).select_related("module"):
        modules.setdefault(enrolment.person_id, []).append(enrolment.module)
    rows = [(p, sorted(modules.get(p.pk, []), key=lambda m: m.code)) for p in people]
    with translation.override(manager.language or settings.LANGUAGE_CODE):
        context = {"manager": manager, "rows": rows, "base": settings.KOMPETENSLYFT_BASE_URL}
        subject = render_to_string("learning/email/introduction_subject.txt", context).strip()
        body = render_to_string("learning/email/introduction.txt", context)
    EmailMessage(subject, body, to=[manager.email]).send()
    return True


@transaction.atomic
def refresh_assign(*, today: dt.date | None = None) -> int:
    """Assign again every module with a refresh interval to the active people whose last
    completion is older than it (the daily ``refresh_assignments``). Returns how many
    enrolments were made or marked due again."""
    today = today or timezone.localdate()
    module_ids = list(Module.objects.filter(refresh_months__isnull=False).values_list("pk", flat=True))
    if not module_ids:
        return 0
    people = Person.objects.filter(is_active=True, attendances__module_id__in=module_ids).values_list(
        "pk", flat=True
    )
    due = due_again(people.distinct(), today=today, module_ids=module_ids)
    existing = {
        (e.person_id, e.module_id): e
        for e in Enrolment.objects.filter(person_id__in=list(due), module_id__in=module_ids)
    }
    create: list[Enrolment] = []
    update: list[Enrolment] = []
    for person_id, modules in due.items():
        for module_id, due_on in modules.items():
            enrolment = existing.get((person_id, module_id))
            if enrolment is None:
                create.append(
                    Enrolment(
                        person_id=person_id, module_id=module_id, kind=Enrolment.Kind.REFRESH, due_on=due_on
                    )
                )
            elif enrolment.kind != Enrolment.Kind.REFRESH or enrolment.due_on != due_on:
                enrolment.kind, enrolment.due_on = Enrolment.Kind.REFRESH, due_on
                update.append(enrolment)
    Enrolment.objects.bulk_create(create, ignore_conflicts=True)
    Enrolment.objects.bulk_update(update, ["kind", "due_on"])
    return len(create) + len(update)


def people_changed(organisation: Any) -> None:
    """``core.hooks`` "people": an HR import may have brought people who start (new, or new to
    their role): assign their introduction modules once it commits."""
    enqueue("learning.module_tasks.introduction_assign_task", organisation.pk)
