"""The framework and requirements imports of formats.md."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.importing import ImportResult, register
from kompetenslyft.core.params import int_or_none
from kompetenslyft.core.tabular import Table

from .models import Category, Competence, Framework, KnowledgeGoal, Requirement
from .selectors import CodeIndex, competence_codes

YES = {"yes", "ja", "y", "j", "true", "1", "x"}
NO = {"no", "nej", "nei", "n", "false", "0", ""}
GOAL_SPLIT = re.compile(r"[;\n]+")


def parse_level(value: str) -> int | None:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    level = int_or_none(text)
    return level if level is not None and level <= 4 else None


def competence_for_row(index: CodeIndex, code: str, number: int, result: ImportResult) -> int | None:
    """The competence a row's competence_code names, or None with the row's error recorded."""
    competence_id = index.by_code.get(code.casefold()) if code else None
    if not code:
        result.error(number, "competence_code", _("is empty"))
    elif code.casefold() in index.ambiguous:
        result.error(
            number,
            "competence_code",
            _("'%(value)s' is a competence of more than one framework in use") % {"value": code},
        )
        return None
    elif competence_id is None:
        result.error(
            number,
            "competence_code",
            _("'%(value)s' is not a competence of the organisation's frameworks") % {"value": code},
        )
    return competence_id


# --- framework ---------------------------------------------------------------------------------


def _import_framework(
    table: Table,
    organisation: Any,
    actor: Any,
    result: ImportResult,
    *,
    framework_code: str = "main",
    framework_name: str = "",
    **_options: Any,
) -> None:
    rows: dict[str, dict[str, Any]] = {}
    for number, data in table.rows:
        code, name, category_name = data["competence_code"], data["name"], data["category"]
        for column, value, limit in (
            ("competence_code", code, 64),
            ("name", name, 300),
            ("category", category_name, 300),
        ):
            if not value:
                result.error(number, column, _("is empty"))
            elif len(value) > limit:
                result.error(number, column, _("is longer than %(limit)s characters") % {"limit": limit})
        if code and code.casefold() in rows:
            result.error(
                number,
                "competence_code",
                _("'%(value)s' appears again (first in row %(first)s)")
                % {"value": code, "first": rows[code.casefold()]["row"]},
            )
        goals = [g.strip() for g in GOAL_SPLIT.split(data.get("knowledge_goals", "")) if g.strip()]
        if code and code.casefold() not in rows:  # a repeat is named above; its other cells too
            rows[code.casefold()] = {
                "row": number,
                "code": code,
                "name": name,
                "category": category_name,
                "description": data.get("description", ""),
                "goals": goals,
            }
    framework = Framework.objects.filter(organisation=organisation, code=framework_code).first()
    # A code used by another framework of the organisation would make requirements ambiguous
    # (checked with the rows' other problems, so that each row's are all named at once).
    index = competence_codes(organisation)
    own = {c.code.casefold(): c for c in framework.competences.all()} if framework else {}
    for key, row in rows.items():
        if key in index.by_code and key not in own:
            result.error(
                row["row"],
                "competence_code",
                _("'%(value)s' is already a competence of another framework in use") % {"value": row["code"]},
            )
    if result.errors:
        return
    if framework is None:
        framework = Framework.objects.create(
            organisation=organisation,
            code=framework_code,
            name=framework_name or _("Framework of %(organisation)s") % {"organisation": organisation.name},
        )
        result.counts["frameworks_created"] = 1
    categories = {c.name: c for c in framework.categories.all()}
    for row in rows.values():
        if row["category"] not in categories:
            categories[row["category"]] = Category.objects.create(
                framework=framework, name=row["category"], position=len(categories)
            )
    current_goals: dict[int, list[str]] = {}
    for competence_id, text in (
        KnowledgeGoal.objects.filter(competence__framework=framework)
        .order_by("competence_id", "position", "id")
        .values_list("competence_id", "text")
    ):
        current_goals.setdefault(competence_id, []).append(text)
    events = []
    position = len(own)
    new_goals: list[KnowledgeGoal] = []
    replace_goals: list[int] = []
    for key, row in rows.items():
        category = categories[row["category"]]
        competence = own.get(key)
        if competence is None:
            competence = Competence.objects.create(
                framework=framework,
                category=category,
                code=row["code"],
                name=row["name"],
                description=row["description"],
                position=position,
            )
            position += 1
            new_goals.extend(
                KnowledgeGoal(competence=competence, text=t, position=i) for i, t in enumerate(row["goals"])
            )
            result.count("new", f"{row['code']} {row['name']}")
            events.append(AuditEvent("competence.created", "competence", row["code"], row["name"]))
            continue
        changes = {}
        for field, value in (("name", row["name"]), ("description", row["description"])):
            if getattr(competence, field) != value:
                changes[field] = [getattr(competence, field), value]
                setattr(competence, field, value)
        if competence.category_id != category.pk:
            changes["category"] = [competence.category.name, category.name]
            competence.category = category
        if current_goals.get(competence.pk, []) != row["goals"]:
            changes["knowledge_goals"] = [current_goals.get(competence.pk, []), row["goals"]]
            replace_goals.append(competence.pk)
            new_goals.extend(
                KnowledgeGoal(competence=competence, text=t, position=i) for i, t in enumerate(row["goals"])
            )
        if changes:
            competence.save()
            result.count("changed", f"{row['code']}: " + ", ".join(changes))
            events.append(AuditEvent("competence.changed", "competence", row["code"], row["name"], changes))
        else:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1
    KnowledgeGoal.objects.filter(competence_id__in=replace_goals).delete()
    KnowledgeGoal.objects.bulk_create(new_goals)
    missing = len(own) - sum(1 for key in rows if key in own)
    if missing:
        result.warnings.append(
            _("%(count)s competence(s) of the framework are not in the file and were kept.")
            % {"count": missing}
        )
    audit_record_many(actor=actor, organisation=organisation, events=events)


# --- requirements --------------------------------------------------------------------------------


def _import_requirements(
    table: Table, organisation: Any, actor: Any, result: ImportResult, **_options: Any
) -> None:
    from kompetenslyft.org.models import Role, Unit

    roles = {r.name.casefold(): r for r in Role.objects.filter(organisation=organisation)}
    units = {u.unit_id: u for u in Unit.objects.filter(organisation=organisation).only("pk", "unit_id")}
    index = competence_codes(organisation)
    seen: dict[tuple[int, int, int | None], int] = {}
    wanted: list[tuple[int, Any, int, Any, int, bool]] = []
    for number, data in table.rows:
        role = roles.get(data["role"].casefold()) if data["role"] else None
        if not data["role"]:
            result.error(number, "role", _("is empty"))
        elif role is None:
            result.error(
                number, "role", _("'%(value)s' is not a role of the organisation") % {"value": data["role"]}
            )
        competence_id = competence_for_row(index, data["competence_code"], number, result)
        level = parse_level(data["required_level"])
        if level is None:
            result.error(
                number,
                "required_level",
                _("'%(value)s' is not a level 0–4") % {"value": data["required_level"]},
            )
        unit = None
        unit_id = data.get("unit_id", "")
        if unit_id:
            unit = units.get(unit_id)
            if unit is None:
                result.error(
                    number, "unit_id", _("'%(value)s' is not a unit of the organisation") % {"value": unit_id}
                )
        mandatory_text = data.get("mandatory", "").strip().casefold()
        if mandatory_text not in YES | NO:
            result.error(
                number, "mandatory", _("'%(value)s' is not yes or no") % {"value": data.get("mandatory", "")}
            )
        if role is None or competence_id is None or level is None or (unit_id and unit is None):
            continue
        key = (role.pk, competence_id, unit.pk if unit else None)
        if key in seen:
            result.error(
                number,
                "competence_code",
                _("the same role, competence and unit appear again (first in row %(first)s)")
                % {"first": seen[key]},
            )
            continue
        seen[key] = number
        wanted.append((number, role, competence_id, unit, level, mandatory_text in YES))
    if result.errors:
        return
    existing = {
        (r.role_id, r.competence_id, r.unit_id): r
        for r in Requirement.objects.filter(organisation=organisation)
    }
    codes = dict(Competence.objects.filter(pk__in={w[2] for w in wanted}).values_list("pk", "code"))
    to_create, to_update, events = [], [], []
    for _number, role, competence_id, unit, level, mandatory in wanted:
        key = (role.pk, competence_id, unit.pk if unit else None)
        label = f"{role.name} · {codes[competence_id]}" + (f" · {unit.unit_id}" if unit else "")
        current = existing.get(key)
        if current is None:
            to_create.append(
                Requirement(
                    organisation=organisation,
                    role=role,
                    competence_id=competence_id,
                    unit=unit,
                    required_level=level,
                    mandatory=mandatory,
                )
            )
            result.count("new", f"{label} ≥ {level}")
            events.append(
                AuditEvent("requirement.set", "requirement", label, label, {"after": [level, mandatory]})
            )
        elif (current.required_level, current.mandatory) != (level, mandatory):
            before = [current.required_level, current.mandatory]
            current.required_level, current.mandatory = level, mandatory
            to_update.append(current)
            result.count("changed", f"{label}: {before[0]} → {level}")
            events.append(
                AuditEvent(
                    "requirement.set",
                    "requirement",
                    label,
                    label,
                    {"before": before, "after": [level, mandatory]},
                )
            )
        else:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1
    Requirement.objects.bulk_create(to_create, batch_size=1000)
    Requirement.objects.bulk_update(to_update, ["required_level", "mandatory"], batch_size=1000)
    audit_record_many(actor=actor, organisation=organisation, events=events)


register(
    "framework",
    required=("competence_code", "name", "category"),
    optional=("description", "knowledge_goals"),
    handler=_import_framework,
)
register(
    "requirements",
    required=("role", "competence_code", "required_level"),
    optional=("unit_id", "mandatory"),
    handler=_import_requirements,
)
