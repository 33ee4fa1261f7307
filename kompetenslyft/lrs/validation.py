"""The exact validation of an xAPI statement (1.0.3 and 2.0.0 data parts), by hand: each error
names what is wrong and where, as a JSON path (``$.context.instructor.mbox``).

Where the versions differ the request's version decides: 2.0.0 adds ``context.contextAgents``
and ``context.contextGroups``; a 1.0.x request that sends them is refused as an unknown
property. Hand-written rather than a JSON schema: it is several times faster on the ingest path
and its messages are the LRS's answers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import isodate

VOIDED = "http://adlnet.gov/expapi/verbs/voided"

UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# An absolute IRI: a scheme, a colon and at least one character, no white space or controls.
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f<>\"{}|\\^`]+$")
# RFC 5646 language tag (the common shapes; grandfathered tags aside).
LANG_RE = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?$"
    r"|^[xX](?:-[A-Za-z0-9]{1,8})+$"
)
MBOX_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2_RE = re.compile(r"^[0-9a-fA-F]{56}$|^[0-9a-fA-F]{64}$|^[0-9a-fA-F]{96}$|^[0-9a-fA-F]{128}$")
TIMESTAMP_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE
)
VERSION_RE = re.compile(r"^(1\.0|2\.0)\.\d+$")

INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


class Invalid(ValueError):
    """A statement is not valid; ``str()`` says what and where."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _object(
    value: Any, path: str, allowed: frozenset[str] | set[str], required: tuple[str, ...] = ()
) -> dict:
    if not isinstance(value, dict):
        raise Invalid(path, f"must be an object, not {_type(value)}")
    for key in value:
        if key not in allowed:
            raise Invalid(f"{path}.{key}", "is not a property allowed here")
    for key in required:
        if key not in value:
            raise Invalid(f"{path}.{key}", "is required")
    return value


CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _string(value: Any, path: str) -> str:
    """A string of the statement's own (names, language maps, responses, account names …):
    control characters (U+0000–U+001F, U+007F) are refused — they reach pages, exports and
    other systems, where they break lines, logs and parsers."""
    if not isinstance(value, str):
        raise Invalid(path, f"must be a string, not {_type(value)}")
    found = CONTROL_RE.search(value)
    if found:
        raise Invalid(
            path, f"contains the control character U+{ord(found.group()):04X}, which is not allowed"
        )
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(path, f"must be true or false, not {_type(value)}")
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(path, f"must be a number, not {_type(value)}")
    return float(value)


def iri(value: Any, path: str) -> str:
    _string(value, path)
    if len(value) > 2048 or not IRI_RE.match(value):
        raise Invalid(path, f"must be an absolute IRI, not {value[:80]!r}")
    return value


def uuid(value: Any, path: str) -> str:
    _string(value, path)
    if not UUID_RE.match(value):
        raise Invalid(path, f"must be a UUID, not {value[:80]!r}")
    return value


def timestamp(value: Any, path: str) -> dt.datetime:
    """ISO 8601 date and time with a time zone (``-00:00`` is refused, as both versions say)."""
    _string(value, path)
    match = TIMESTAMP_RE.match(value)
    if not match:
        raise Invalid(path, f"must be an ISO 8601 timestamp with a time zone, not {value[:80]!r}")
    if match.group(8) in ("-00:00", "-0000"):
        raise Invalid(path, "must not use the offset -00:00")
    try:
        parsed = dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(path, f"is not a valid date and time: {value[:80]!r}") from None
    return parsed


DURATION_RE = re.compile(
    r"^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?$"
)


def duration(value: Any, path: str) -> None:
    _string(value, path)
    if not value.startswith("P") or not any(c.isdigit() for c in value) or value.endswith("T"):
        raise Invalid(path, f"must be an ISO 8601 duration, not {value[:80]!r}")
    if DURATION_RE.match(value):  # the usual shape, without isodate's cost on the ingest path
        return
    try:
        isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError):
        raise Invalid(path, f"must be an ISO 8601 duration, not {value[:80]!r}") from None


def language_map(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise Invalid(path, f"must be a language map (an object), not {_type(value)}")
    for tag, text in value.items():
        if not LANG_RE.match(tag):
            raise Invalid(f"{path}.{tag}", "is not an RFC 5646 language tag")
        _string(text, f"{path}.{tag}")
    return value


def extensions(value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise Invalid(path, f"must be an object, not {_type(value)}")
    for key in value:
        if len(key) > 2048 or not IRI_RE.match(key):
            raise Invalid(f"{path}[{key[:80]!r}]", "an extension's key must be an IRI")


def _account(value: Any, path: str) -> None:
    _object(value, path, {"homePage", "name"}, ("homePage", "name"))
    iri(value["homePage"], f"{path}.homePage")
    _string(value["name"], f"{path}.name")


def _ifis(value: dict, path: str, *, required: bool) -> int:
    present = [key for key in IFIS if key in value]
    if len(present) > 1:
        raise Invalid(
            path, f"must have exactly one of mbox, mbox_sha1sum, openid, account; has {', '.join(present)}"
        )
    if required and not present:
        raise Invalid(path, "must have exactly one of mbox, mbox_sha1sum, openid, account")
    if "mbox" in value:
        mbox = _string(value["mbox"], f"{path}.mbox")
        if not MBOX_RE.match(mbox):
            raise Invalid(f"{path}.mbox", "must be mailto: followed by an e-mail address")
    if "mbox_sha1sum" in value:
        if not SHA1_RE.match(_string(value["mbox_sha1sum"], f"{path}.mbox_sha1sum")):
            raise Invalid(f"{path}.mbox_sha1sum", "must be 40 hexadecimal digits (SHA-1)")
    if "openid" in value:
        iri(value["openid"], f"{path}.openid")
    if "account" in value:
        _account(value["account"], f"{path}.account")
    return len(present)


AGENT_KEYS = frozenset({"objectType", "name", *IFIS})
GROUP_KEYS = frozenset({"objectType", "name", "member", *IFIS})


def agent(value: Any, path: str, *, object_type_required: bool = False) -> None:
    _object(value, path, AGENT_KEYS)
    kind = value.get("objectType")
    if kind is None and object_type_required:
        raise Invalid(f"{path}.objectType", "is required here")
    if kind is not None and kind != "Agent":
        raise Invalid(f"{path}.objectType", f"must be 'Agent', not {kind!r}")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    _ifis(value, path, required=True)


def group(value: Any, path: str) -> None:
    _object(value, path, GROUP_KEYS, ("objectType",))
    if value["objectType"] != "Group":
        raise Invalid(f"{path}.objectType", f"must be 'Group', not {value['objectType']!r}")
    if "name" in value:
        _string(value["name"], f"{path}.name")
    identified = _ifis(value, path, required=False)
    if "member" in value or not identified:
        members = value.get("member")
        if not isinstance(members, list):
            raise Invalid(
                f"{path}.member", "is required for an anonymous group and must be an array of agents"
            )
        if not identified and not members:
            raise Invalid(f"{path}.member", "an anonymous group must have at least one member")
        for n, member in enumerate(members):
            if isinstance(member, dict) and member.get("objectType") == "Group":
                raise Invalid(f"{path}.member[{n}]", "a group's member must be an agent, not a group")
            agent(member, f"{path}.member[{n}]")


def actor(value: Any, path: str, *, object_type_required: bool = False) -> None:
    if isinstance(value, dict) and value.get("objectType") == "Group":
        group(value, path)
    else:
        agent(value, path, object_type_required=object_type_required)


def verb(value: Any, path: str) -> None:
    _object(value, path, {"id", "display"}, ("id",))
    iri(value["id"], f"{path}.id")
    if "display" in value:
        language_map(value["display"], f"{path}.display")


DEFINITION_KEYS = frozenset(
    {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *COMPONENT_LISTS,
    }
)


def _definition(value: Any, path: str) -> None:
    _object(value, path, DEFINITION_KEYS)
    for key in ("name", "description"):
        if key in value:
            language_map(value[key], f"{path}.{key}")
    if "type" in value:
        iri(value["type"], f"{path}.type")
    if "moreInfo" in value:
        iri(value["moreInfo"], f"{path}.moreInfo")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")
    kind = value.get("interactionType")
    if kind is not None and kind not in INTERACTION_TYPES:
        raise Invalid(
            f"{path}.interactionType", f"must be one of {', '.join(INTERACTION_TYPES)}, not {kind!r}"
        )
    if "correctResponsesPattern" in value:
        if kind is None:
            raise Invalid(f"{path}.correctResponsesPattern", "is allowed only with an interactionType")
        patterns = value["correctResponsesPattern"]
        if not isinstance(patterns, list):
            raise Invalid(f"{path}.correctResponsesPattern", "must be an array of strings")
        for n, pattern in enumerate(patterns):
            _string(pattern, f"{path}.correctResponsesPattern[{n}]")
    allowed = INTERACTION_TYPES.get(kind, ()) if kind else ()
    for key in COMPONENT_LISTS:
        if key not in value:
            continue
        if key not in allowed:
            raise Invalid(f"{path}.{key}", f"is not allowed for the interaction type {kind!r}")
        components = value[key]
        if not isinstance(components, list):
            raise Invalid(f"{path}.{key}", "must be an array of interaction components")
        seen: set[str] = set()
        for n, component in enumerate(components):
            where = f"{path}.{key}[{n}]"
            _object(component, where, {"id", "description"}, ("id",))
            ident = _string(component["id"], f"{where}.id")
            if not ident or any(c.isspace() for c in ident):
                raise Invalid(f"{where}.id", "must be a non-empty string without white space")
            if ident in seen:
                raise Invalid(f"{where}.id", f"repeats the id {ident!r} of the same list")
            seen.add(ident)
            if "description" in component:
                language_map(component["description"], f"{where}.description")


def activity(value: Any, path: str) -> None:
    _object(value, path, {"objectType", "id", "definition"}, ("id",))
    if value.get("objectType", "Activity") != "Activity":
        raise Invalid(f"{path}.objectType", f"must be 'Activity', not {value['objectType']!r}")
    iri(value["id"], f"{path}.id")
    if "definition" in value:
        _definition(value["definition"], f"{path}.definition")


def statement_ref(value: Any, path: str) -> None:
    _object(value, path, {"objectType", "id"}, ("objectType", "id"))
    if value["objectType"] != "StatementRef":
        raise Invalid(f"{path}.objectType", "must be 'StatementRef'")
    uuid(value["id"], f"{path}.id")


def _object_of(value: Any, path: str, version: str, *, sub: bool) -> str:
    if not isinstance(value, dict):
        raise Invalid(path, f"must be an object, not {_type(value)}")
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        activity(value, path)
    elif kind == "Agent":
        agent(value, path, object_type_required=True)
    elif kind == "Group":
        group(value, path)
    elif kind == "StatementRef":
        statement_ref(value, path)
    elif kind == "SubStatement":
        if sub:
            raise Invalid(f"{path}.objectType", "a SubStatement must not contain a SubStatement")
        _statement_body(value, path, version, sub=True)
    else:
        raise Invalid(
            f"{path}.objectType",
            f"must be Activity, Agent, Group, StatementRef or SubStatement, not {_short(kind)}",
        )
    return str(kind)


def _short(value: Any) -> str:
    return repr(value)[:80]


def result(value: Any, path: str) -> None:
    _object(value, path, {"score", "success", "completion", "response", "duration", "extensions"})
    if "score" in value:
        score = _object(value["score"], f"{path}.score", {"scaled", "raw", "min", "max"})
        numbers = {key: _number(score[key], f"{path}.score.{key}") for key in score}
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            raise Invalid(f"{path}.score.scaled", "must be between -1 and 1")
        low, high = numbers.get("min"), numbers.get("max")
        if low is not None and high is not None and low >= high:
            raise Invalid(f"{path}.score.min", "must be less than max")
        raw = numbers.get("raw")
        if raw is not None and low is not None and raw < low:
            raise Invalid(f"{path}.score.raw", "must not be less than min")
        if raw is not None and high is not None and raw > high:
            raise Invalid(f"{path}.score.raw", "must not be more than max")
    for key in ("success", "completion"):
        if key in value:
            _bool(value[key], f"{path}.{key}")
    if "response" in value:
        _string(value["response"], f"{path}.response")
    if "duration" in value:
        duration(value["duration"], f"{path}.duration")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")


CONTEXT_KEYS_1 = frozenset(
    {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
)
CONTEXT_KEYS_2 = CONTEXT_KEYS_1 | {"contextAgents", "contextGroups"}


def _activities(value: Any, path: str) -> None:
    if isinstance(value, dict):
        activity(value, path)  # 1.0.3 and 2.0.0 both accept a single activity (the old form)
        return
    if not isinstance(value, list):
        raise Invalid(path, "must be an array of activities")
    for n, item in enumerate(value):
        activity(item, f"{path}[{n}]")


def _relevant_types(value: Any, path: str) -> None:
    if not isinstance(value, list) or not value:
        raise Invalid(path, "must be a non-empty array of IRIs")
    for n, item in enumerate(value):
        iri(item, f"{path}[{n}]")


def context(value: Any, path: str, version: str, object_kind: str) -> None:
    _object(value, path, CONTEXT_KEYS_2 if version.startswith("2.") else CONTEXT_KEYS_1)
    if "registration" in value:
        uuid(value["registration"], f"{path}.registration")
    if "instructor" in value:
        actor(value["instructor"], f"{path}.instructor")
    if "team" in value:
        team = value["team"]
        if not isinstance(team, dict) or team.get("objectType") != "Group":
            raise Invalid(f"{path}.team", "must be a group (objectType 'Group')")
        group(team, f"{path}.team")
    if "contextActivities" in value:
        activities = _object(
            value["contextActivities"],
            f"{path}.contextActivities",
            {"parent", "grouping", "category", "other"},
        )
        for key, item in activities.items():
            _activities(item, f"{path}.contextActivities.{key}")
    for key in ("revision", "platform"):
        if key in value:
            _string(value[key], f"{path}.{key}")
            if object_kind != "Activity":
                raise Invalid(f"{path}.{key}", "is allowed only when the statement's object is an activity")
    if "language" in value:
        if not LANG_RE.match(_string(value["language"], f"{path}.language")):
            raise Invalid(f"{path}.language", "is not an RFC 5646 language tag")
    if "statement" in value:
        statement_ref(value["statement"], f"{path}.statement")
    if "extensions" in value:
        extensions(value["extensions"], f"{path}.extensions")
    for key, kind, field in (
        ("contextAgents", "contextAgent", "agent"),
        ("contextGroups", "contextGroup", "group"),
    ):
        if key not in value:
            continue
        items = value[key]
        if not isinstance(items, list):
            raise Invalid(f"{path}.{key}", "must be an array")
        for n, item in enumerate(items):
            where = f"{path}.{key}[{n}]"
            _object(item, where, {"objectType", field, "relevantTypes"}, ("objectType", field))
            if item["objectType"] != kind:
                raise Invalid(f"{where}.objectType", f"must be {kind!r}")
            if field == "agent":
                agent(item["agent"], f"{where}.agent")
            else:
                if not isinstance(item["group"], dict) or item["group"].get("objectType") != "Group":
                    raise Invalid(f"{where}.group", "must be a group (objectType 'Group')")
                group(item["group"], f"{where}.group")
            if "relevantTypes" in item:
                _relevant_types(item["relevantTypes"], f"{where}.relevantTypes")


def attachments(value: Any, path: str) -> None:
    if not isinstance(value, list):
        raise Invalid(path, "must be an array of attachments")
    for n, item in enumerate(value):
        where = f"{path}[{n}]"
        _object(
            item,
            where,
            {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
            ("usageType", "display", "contentType", "length", "sha2"),
        )
        iri(item["usageType"], f"{where}.usageType")
        language_map(item["display"], f"{where}.display")
        if "description" in item:
            language_map(item["description"], f"{where}.description")
        _string(item["contentType"], f"{where}.contentType")
        length = item["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            raise Invalid(f"{where}.length", "must be a whole number of octets")
        if not SHA2_RE.match(_string(item["sha2"], f"{where}.sha2")):
            raise Invalid(f"{where}.sha2", "must be a SHA-2 hash in hexadecimal")
        if "fileUrl" in item:
            iri(item["fileUrl"], f"{where}.fileUrl")
        # Without fileUrl its data must come as a multipart/mixed part: lrs.attachments.match.


STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)


def _statement_body(value: dict, path: str, version: str, *, sub: bool) -> None:
    _object(value, path, SUBSTATEMENT_KEYS if sub else STATEMENT_KEYS, ("actor", "verb", "object"))
    actor(value["actor"], f"{path}.actor")
    verb(value["verb"], f"{path}.verb")
    kind = _object_of(value["object"], f"{path}.object", version, sub=sub)
    if "result" in value:
        result(value["result"], f"{path}.result")
    if "context" in value:
        context(value["context"], f"{path}.context", version, kind)
    if "timestamp" in value:
        timestamp(value["timestamp"], f"{path}.timestamp")
    if "attachments" in value:
        attachments(value["attachments"], f"{path}.attachments")


def statement(value: Any, version: str, path: str = "$") -> None:
    """Raise :class:`Invalid` unless ``value`` is a valid statement under ``version`` (the
    request's, "1.0.3" or "2.0.0")."""
    if not isinstance(value, dict):
        raise Invalid(path, f"a statement must be an object, not {_type(value)}")
    _statement_body(value, path, version, sub=False)
    if "id" in value:
        uuid(value["id"], f"{path}.id")
    if "stored" in value:
        timestamp(value["stored"], f"{path}.stored")
    if "authority" in value:
        actor(value["authority"], f"{path}.authority")
    if "version" in value:
        stated = _string(value["version"], f"{path}.version")
        if not VERSION_RE.match(stated) or (version.startswith("1.") and not stated.startswith("1.0.")):
            raise Invalid(f"{path}.version", f"is not a version this request may state: {stated[:20]!r}")
    object_ = value["object"]
    if value["verb"]["id"] == VOIDED and object_.get("objectType") != "StatementRef":
        raise Invalid(f"{path}.object", "a voiding statement's object must be a StatementRef")
