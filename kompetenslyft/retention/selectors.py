"""Reads of the retention app: the rules in force, the dry run, runs, the person a lead may
decide about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kompetenslyft.core.access import Access
from kompetenslyft.org.models import Organisation, Person

from . import registry
from .models import RetentionRule, RetentionRun


@dataclass(frozen=True)
class RuleInForce:
    kind: registry.Kind
    months: int
    default: int
    own: bool


def rules_in_force(organisation: Organisation) -> list[RuleInForce]:
    own = dict(RetentionRule.objects.filter(organisation=organisation).values_list("kind", "months"))
    return [
        RuleInForce(kind, own.get(kind.key, kind.months), kind.months, kind.key in own)
        for kind in registry.kinds()
    ]


def months_for(organisation: Organisation, kind: str) -> int:
    own = RetentionRule.objects.filter(organisation=organisation, kind=kind).values_list("months", flat=True)
    return next(iter(own), registry.get(kind).months)


@dataclass(frozen=True)
class DryRunLine:
    kind: registry.Kind
    months: int
    cutoff: dt.date
    count: int


def dry_run(organisation: Organisation, *, today: dt.date) -> list[DryRunLine]:
    """What the rules would remove or pseudonymise today, per kind (nothing is changed)."""
    lines = []
    for rule in rules_in_force(organisation):
        cutoff = registry.cutoff(today, rule.months)
        lines.append(DryRunLine(rule.kind, rule.months, cutoff, rule.kind.count(organisation, cutoff)))
    return lines


def people_due(
    organisation: Organisation, *, today: dt.date, limit: int = 50
) -> list[tuple[registry.Kind, Any]]:
    """The people the rules would pseudonymise today (per kind that names people), first
    ``limit`` of each, for the lead's dry run."""
    found = []
    for rule in rules_in_force(organisation):
        if rule.kind.people is None:
            continue
        cutoff = registry.cutoff(today, rule.months)
        people = list(rule.kind.people(organisation, cutoff).select_related("unit")[:limit])
        found.append((rule.kind, people))
    return found


def lead_organisations(access: Access) -> list[Organisation]:
    if access.is_superuser:
        return list(Organisation.objects.order_by("name"))
    return list(Organisation.objects.filter(pk__in=sorted(access.lead_org_ids)).order_by("name"))


def lead_organisation(access: Access, organisation_id: int | None) -> Organisation:
    """The organisation a lead's retention page is about (its first one unless chosen);
    ``Organisation.DoesNotExist`` outside its organisations."""
    organisations = lead_organisations(access)
    if organisation_id is None:
        if not organisations:
            raise Organisation.DoesNotExist
        return organisations[0]
    for organisation in organisations:
        if organisation.pk == organisation_id:
            return organisation
    raise Organisation.DoesNotExist


def person_for_decision(access: Access, pk: int) -> Person:
    """A person of one of the lead's organisations; ``Person.DoesNotExist`` otherwise."""
    person = Person.objects.select_related("organisation", "unit", "role").get(pk=pk)
    if not access.is_lead_of(person.organisation_id):
        raise Person.DoesNotExist
    return person


def runs_of(organisation: Organisation, *, limit: int = 10) -> list[RetentionRun]:
    return list(RetentionRun.objects.filter(organisation=organisation)[:limit])


def run_for(access: Access, pk: int) -> RetentionRun:
    run = RetentionRun.objects.select_related("organisation").get(pk=pk)
    if run.organisation_id is None or not access.is_lead_of(run.organisation_id):
        raise RetentionRun.DoesNotExist
    return run


def is_pseudonymised(person: Person) -> bool:
    return hasattr(person, "erasure")
