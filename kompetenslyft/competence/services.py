"""Writes on frameworks and requirements. Every change is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record

from .models import Category, Competence, Framework, FrameworkAdoption, KnowledgeGoal, Level, Requirement


@transaction.atomic
def framework_adopt(*, organisation: Any, framework: Framework, actor: Any = None) -> None:
    if framework.organisation_id not in (None, organisation.pk):
        raise ValidationError(_("Another organisation's framework cannot be adopted."))
    if framework.organisation_id is None:
        _adoption, created = FrameworkAdoption.objects.get_or_create(
            organisation=organisation, framework=framework
        )
        if created:
            audit_record(
                actor=actor,
                organisation=organisation,
                event=AuditEvent("framework.adopted", "framework", framework.code, framework.name),
            )


@transaction.atomic
def framework_create(*, organisation: Any, code: str, name: str, actor: Any = None) -> Framework:
    framework = Framework.objects.create(organisation=organisation, code=code, name=name)
    audit_record(
        actor=actor, organisation=organisation, event=AuditEvent("framework.created", "framework", code, name)
    )
    return framework


@transaction.atomic
def competence_save(
    *,
    framework: Framework,
    code: str,
    name: str,
    category_name: str,
    description: str = "",
    goals: list[str] | None = None,
    actor: Any = None,
) -> Competence:
    """Create or update one competence (keyed by its code) with its knowledge goals."""
    code, name, category_name = code.strip(), name.strip(), category_name.strip()
    if not code or not name or not category_name:
        raise ValidationError(_("A competence needs a code, a name and a category."))
    category, _created = Category.objects.get_or_create(
        framework=framework, name=category_name, defaults={"position": framework.categories.count()}
    )
    competence = Competence.objects.filter(framework=framework, code=code).first()
    if competence is None:
        competence = Competence.objects.create(
            framework=framework,
            category=category,
            code=code,
            name=name,
            description=description,
            position=framework.competences.count(),
        )
    else:
        competence.name, competence.category, competence.description = name, category, description
        competence.save()
    if goals is not None:
        goal_set(competence=competence, goals=goals)
    audit_record(
        actor=actor,
        organisation=framework.organisation,
        event=AuditEvent(
            "competence.saved", "competence", code, name, {"category": category_name, "goals": goals or []}
        ),
    )
    return competence


def goal_set(*, competence: Competence, goals: list[str]) -> bool:
    """Replace the knowledge goals if they differ; True when they changed."""
    goals = [g.strip() for g in goals if g.strip()]
    current = list(competence.goals.order_by("position", "id").values_list("text", flat=True))
    if current == goals:
        return False
    competence.goals.all().delete()
    KnowledgeGoal.objects.bulk_create(
        KnowledgeGoal(competence=competence, text=text, position=index) for index, text in enumerate(goals)
    )
    return True


@transaction.atomic
def requirement_set(
    *,
    organisation: Any,
    role: Any,
    competence: Competence,
    unit: Any | None,
    required_level: int | None,
    mandatory: bool = False,
    actor: Any = None,
) -> Requirement | None:
    """Set (or with ``required_level=None`` remove) the requirement of a role for a competence,
    everywhere or in one unit and below."""
    if role.organisation_id != organisation.pk or (
        unit is not None and unit.organisation_id != organisation.pk
    ):
        raise ValidationError(_("The role and the unit must belong to the organisation."))
    if required_level is not None and required_level not in Level.values:
        raise ValidationError(_("'%(level)s' is not a level (0–4).") % {"level": required_level})
    existing = Requirement.objects.filter(
        organisation=organisation, role=role, competence=competence, unit=unit
    ).first()
    label = f"{role.name} · {competence.code}" + (f" · {unit.unit_id}" if unit else "")
    from kompetenslyft.core.hooks import changed

    if required_level is None:
        if existing:
            changed("requirements", organisation)
            existing.delete()
            audit_record(
                actor=actor,
                organisation=organisation,
                event=AuditEvent("requirement.removed", "requirement", label, label),
            )
        return None
    if existing and (existing.required_level, existing.mandatory) == (required_level, mandatory):
        return existing
    changed("requirements", organisation)
    before = [existing.required_level, existing.mandatory] if existing else None
    if existing:
        existing.required_level, existing.mandatory = required_level, mandatory
        existing.save()
        requirement = existing
    else:
        requirement = Requirement.objects.create(
            organisation=organisation,
            role=role,
            competence=competence,
            unit=unit,
            required_level=required_level,
            mandatory=mandatory,
        )
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent(
            "requirement.set",
            "requirement",
            label,
            label,
            {"before": before, "after": [required_level, mandatory]},
        ),
    )
    return requirement
