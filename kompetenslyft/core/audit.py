"""Writing the audit log. Called by services; never by views."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .models import AuditEntry


@dataclass
class AuditEvent:
    action: str
    target_type: str
    target_id: str = ""
    target_label: str = ""
    changes: dict[str, Any] = field(default_factory=dict)


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return str(getattr(actor, "get_username", lambda: actor)())


def audit_record(*, actor: Any, organisation: Any, event: AuditEvent) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        organisation=organisation,
        action=event.action,
        target_type=event.target_type,
        target_id=str(event.target_id),
        target_label=event.target_label[:300],
        changes=_jsonable(event.changes),
    )


def audit_record_many(*, actor: Any, organisation: Any, events: Iterable[AuditEvent]) -> int:
    label = actor_label(actor)
    actor_obj = actor if getattr(actor, "pk", None) else None
    entries = [
        AuditEntry(
            actor=actor_obj,
            actor_label=label,
            organisation=organisation,
            action=e.action,
            target_type=e.target_type,
            target_id=str(e.target_id),
            target_label=e.target_label[:300],
            changes=_jsonable(e.changes),
        )
        for e in events
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
