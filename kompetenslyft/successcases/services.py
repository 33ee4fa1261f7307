"""Writing an initiative's success stories (add, change, remove), each checked and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kompetenslyft.core.access import access_for
from kompetenslyft.core.audit import AuditEvent, audit_record
from kompetenslyft.core.tabular import CONTROL_CHARACTERS
from kompetenslyft.learning.models import Initiative

from .models import ContactList, Story
from .selectors import may_work

FIELDS = ("kind", "title", "what_was_done", "result", "helped", "hindered")


def _check(actor: Any, initiative: Initiative) -> None:
    if not may_work(access_for(actor), initiative):
        raise PermissionDenied("not a lead or project leader of the initiative")


def _clean(fields: dict[str, Any]) -> dict[str, str]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    data = {k: str(fields.get(k) or "").strip() for k in FIELDS}
    errors: dict[str, str] = {}
    if data["kind"] not in Story.Kind.values:
        errors["kind"] = _("Choose success or non-success.")
    for name in ("title", "what_was_done", "result"):
        if not data[name]:
            errors[name] = _("This field is required.")
    if len(data["title"]) > 200:
        errors["title"] = _("The title is longer than 200 characters.")
    for name, value in data.items():
        if CONTROL_CHARACTERS.search(value.replace("\n", "").replace("\r", "").replace("\t", "")):
            errors[name] = _("The text holds a control character.")
    if errors:
        raise ValidationError(errors)
    return data


def _event(action: str, story: Story) -> AuditEvent:
    return AuditEvent(
        action, "successcases.Story", str(story.pk), story.title, {"kind": story.kind, "group": story.group}
    )


def _source(initiative: Initiative, contact_list: ContactList | None) -> dict[str, Any]:
    """The group a story's interviews came from: a contact list of the same initiative."""
    if contact_list is None:
        return {"contact_list": None, "group": ""}
    if contact_list.initiative_id != initiative.pk:
        raise ValidationError({"contact_list": _("The contact list is not one of this initiative's.")})
    return {"contact_list": contact_list, "group": contact_list.label}


@transaction.atomic
def story_create(
    *, initiative: Initiative, actor: Any, contact_list: ContactList | None = None, **fields: Any
) -> Story:
    _check(actor, initiative)
    data = _clean(fields)
    story = Story.objects.create(
        organisation_id=initiative.organisation_id,
        initiative=initiative,
        created_by=actor if getattr(actor, "pk", None) else None,
        **_source(initiative, contact_list),
        **data,
    )
    audit_record(actor=actor, organisation=initiative.organisation, event=_event("story.create", story))
    return story


@transaction.atomic
def story_update(
    *, story: Story, actor: Any, contact_list: ContactList | None = None, **fields: Any
) -> Story:
    _check(actor, story.initiative)
    for key, value in _clean(fields).items():
        setattr(story, key, value)
    for key, value in _source(story.initiative, contact_list).items():
        setattr(story, key, value)
    story.save()
    audit_record(actor=actor, organisation=story.initiative.organisation, event=_event("story.update", story))
    return story


@transaction.atomic
def story_remove(*, story: Story, actor: Any) -> None:
    _check(actor, story.initiative)
    audit_record(actor=actor, organisation=story.initiative.organisation, event=_event("story.remove", story))
    story.delete()
