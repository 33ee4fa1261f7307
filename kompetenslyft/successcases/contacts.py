"""Whom the lead may ask for an interview about a candidate group (Brinkerhoff), within the
anonymity rules (ADR 0011):

* only the organisation's **lead** draws a list (it may see people by name; a project leader
  sees aggregates only and asks the lead);
* the group is everyone who took part in the initiative (attended or completed one of its
  modules within its period) in a unit and those below it, in a role, or in one module;
* the list is the unit's manager (for a unit) and a random sample of at least k participants
  (never fewer: a group of fewer than k participants gets no list), drawn by the operating
  system's random source from everyone who took part, **without reading any result** — so
  it is not a ranking of people and says nothing of who did well or badly;
* drawing is written to the audit log; the list is kept with the initiative, and a story can
  name the group it came from."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.learning.models import Attendance, Initiative
from kompetenslyft.learning.reports import COUNTED
from kompetenslyft.org.models import Person, Role, Unit

from .models import ContactList

SAMPLE = 10
"""People drawn for a list (never fewer than k, never more than took part)."""


def may_draw(access: Access, initiative: Initiative) -> bool:
    return access.is_lead_of(initiative.organisation_id)


def _group(initiative: Initiative, kind: str, key: int) -> tuple[str, QuerySet[Attendance], list[int]]:
    """(label, the group's attendance, its managers) — or a ValidationError naming what is wrong."""
    rows = Attendance.objects.filter(
        module__in=initiative.modules.all(),
        status__in=COUNTED,
        person__organisation_id=initiative.organisation_id,
        person__is_active=True,
    )
    if initiative.starts_on:
        rows = rows.filter(date__gte=initiative.starts_on)
    if initiative.ends_on:
        rows = rows.filter(date__lte=initiative.ends_on)
    managers: list[int] = []
    if kind == ContactList.Kind.UNIT:
        unit = Unit.objects.filter(pk=key, organisation_id=initiative.organisation_id).first()
        if unit is None:
            raise ValidationError(_("There is no such unit in the organisation."))
        label = f"{_('Unit')}: {unit.name}"
        rows = rows.filter(unit__path__startswith=unit.path)
        if unit.manager_id:
            managers = [unit.manager_id]
    elif kind == ContactList.Kind.ROLE:
        role = Role.objects.filter(pk=key, organisation_id=initiative.organisation_id).first()
        if role is None:
            raise ValidationError(_("There is no such role in the organisation."))
        label = f"{_('Role')}: {role.name}"
        rows = rows.filter(role_id=role.pk)
    elif kind == ContactList.Kind.MODULE:
        module = initiative.modules.filter(pk=key).first()
        if module is None:
            raise ValidationError(_("The module is not one of the initiative's modules."))
        label = f"{_('Module')}: {module.code} {module.name}"
        rows = rows.filter(module_id=module.pk)
    else:
        raise ValidationError(_("Choose a unit, role or module."))
    return label, rows, managers


@transaction.atomic
def contacts_draw(*, initiative: Initiative, kind: str, key: int, actor: Any) -> ContactList:
    """Draw the contact list of one candidate group (see the module's docstring)."""
    if not may_draw(access_for(actor), initiative):
        raise PermissionDenied("only the organisation's lead draws contact lists")
    label, rows, managers = _group(initiative, kind, key)
    everyone = sorted(set(rows.values_list("person_id", flat=True)))
    k = initiative.organisation.anonymity_threshold
    if len(everyone) < k:
        raise ValidationError(
            _(
                "Fewer than %(k)s people of this group took part: no list is drawn, so that no one is singled out."
            )
            % {"k": k}
        )
    # The unit's manager is on the list as its manager: not drawn a second time as a participant.
    pool = [pk for pk in everyone if pk not in managers]
    size = min(len(pool), max(k, SAMPLE))
    drawn = secrets.SystemRandom().sample(pool, size)
    found = ContactList.objects.create(
        organisation_id=initiative.organisation_id,
        initiative=initiative,
        kind=kind,
        key=key,
        label=label,
        took_part=len(everyone),
        participant_ids=drawn,
        manager_ids=managers,
        drawn_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        organisation=initiative.organisation,
        event=AuditEvent(
            "successcases.contacts_drawn",
            "successcases.ContactList",
            str(found.pk),
            label,
            {"kind": kind, "key": key, "drawn": size, "took_part": len(everyone), "managers": len(managers)},
        ),
    )
    return found


def lists_of(initiative: Initiative) -> QuerySet[ContactList]:
    return ContactList.objects.filter(initiative=initiative)


def list_for(access: Access, initiative: Initiative, pk: int) -> ContactList:
    if not may_draw(access, initiative):
        raise Http404
    found = lists_of(initiative).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def people_of(contact_list: ContactList) -> tuple[list[Person], list[Person]]:
    """(managers, participants) as drawn — participants in the drawn (random) order, never by
    any result; people since removed are left out."""
    ids = [*contact_list.manager_ids, *contact_list.participant_ids]
    found = Person.objects.filter(pk__in=ids, organisation_id=contact_list.organisation_id).select_related(
        "unit"
    )
    by_pk = {p.pk: p for p in found}
    managers = [by_pk[i] for i in contact_list.manager_ids if i in by_pk]
    # each person once: a manager drawn as a participant as well (lists drawn before) is listed
    # as the manager only
    participants = [
        by_pk[i] for i in contact_list.participant_ids if i in by_pk and i not in contact_list.manager_ids
    ]
    return managers, participants


def csv_rows(contact_list: ContactList) -> list[list[str]]:
    managers, participants = people_of(contact_list)
    rows = [[_("Group"), _("Contact"), _("Name"), _("E-mail")]]
    for person in managers:
        rows.append([contact_list.label, _("Manager"), person.full_name, person.email or ""])
    for person in participants:
        rows.append([contact_list.label, _("Took part"), person.full_name, person.email or ""])
    return rows
