"""The keys a statement's filter columns hold: an agent's inverse functional identifier (IFI)
as one string, and every agent and activity a statement names (related_agents /
related_activities)."""

from __future__ import annotations

import hashlib
from typing import Any


def agent_key(value: Any) -> str:
    """ "@" + the IFI of an agent or identified group; "" for an anonymous group. The spec's
    equality of agents: the same IFI (xAPI 1.0.3 Communication 2.1.3, ``agent`` parameter)."""
    if not isinstance(value, dict):
        return ""
    if "mbox" in value:
        return f"@mbox:{value['mbox']}"
    if "mbox_sha1sum" in value:
        return f"@sha1:{str(value['mbox_sha1sum']).lower()}"
    if "openid" in value:
        return f"@openid:{value['openid']}"
    account = value.get("account")
    if isinstance(account, dict):
        return f"@account:{account.get('homePage')}|{account.get('name')}"
    return ""


def object_key(value: dict) -> str:
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        return str(value["id"])
    if kind in ("Agent", "Group"):
        return agent_key(value)
    if kind == "StatementRef":
        return f"#{str(value['id']).lower()}"
    return ""


def _agents_of(value: Any, into: set[str]) -> None:
    if not isinstance(value, dict):
        return
    key = agent_key(value)
    if key:
        into.add(key)
    for member in value.get("member") or ():
        _agents_of(member, into)


def _activities_of(context: dict, into: set[str]) -> None:
    for items in (context.get("contextActivities") or {}).values():
        for item in [items] if isinstance(items, dict) else items:
            into.add(str(item["id"]))


def related(statement: dict) -> tuple[set[str], set[str]]:
    """(agents, activities) the statement names anywhere: actor, object, authority, context
    (instructor, team, contextAgents, contextGroups, contextActivities) and the same parts of a
    SubStatement object."""
    agents: set[str] = set()
    activities: set[str] = set()
    parts = [statement]
    obj = statement["object"]
    if obj.get("objectType") == "SubStatement":
        parts.append(obj)
    _agents_of(statement.get("authority"), agents)
    for part in parts:
        _agents_of(part["actor"], agents)
        target = part["object"]
        kind = target.get("objectType", "Activity")
        if kind == "Activity":
            activities.add(str(target["id"]))
        elif kind in ("Agent", "Group"):
            _agents_of(target, agents)
        context = part.get("context") or {}
        _agents_of(context.get("instructor"), agents)
        _agents_of(context.get("team"), agents)
        for item in context.get("contextAgents") or ():
            _agents_of(item.get("agent"), agents)
        for item in context.get("contextGroups") or ():
            _agents_of(item.get("group"), agents)
        _activities_of(context, activities)
    return agents, activities


def joined(keys: set[str]) -> str:
    return "\n" + "\n".join(sorted(keys)) + "\n" if keys else ""


def key_hash(key: str) -> int:
    """A 64-bit signed hash of an agent's or activity's key: what a :class:`models.Mention`
    keeps (fixed width, no identifier in the clear). Agent keys start with "@", activities
    are IRIs, so one hash space serves both."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def mention_hashes(agents: set[str], activities: set[str], actor: str, obj: str, authority: str) -> set[int]:
    """The hashes a statement's :class:`models.Mention` rows hold: what it names (``related``)
    beyond its actor's and object's keys and its authority, which their own columns find."""
    covered = {actor, obj, authority}
    return {key_hash(key) for key in agents | activities if key not in covered}
