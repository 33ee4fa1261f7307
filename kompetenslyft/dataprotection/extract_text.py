"""The register extract in words: field labels, labels of codes (audit actions, kinds of
rows) and values written the way the reader's language writes them.

The rows (``extract_rows``) hold Python values — dates and times, decimals, codes with their
labels beside them (``<key>_label``). :class:`Presenter` turns them into the JSON file's plain
values (times in ISO 8601 in the installation's time zone, ``settings.TIME_ZONE``) and into
the PDF's text (times in the language's own format). Every translated text is looked up once
when the presenter is made, in the language active then, never per row.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import orjson
from django.utils import dateformat, dates, formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

# The extract's field names in the reader's language (the JSON keeps the English keys).
FIELD_LABELS: dict[str, Promise] = {
    "organisation": gettext_lazy("Organisation"),
    "employee_id": gettext_lazy("Employee id"),
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "email": gettext_lazy("E-mail"),
    "gender": gettext_lazy("Gender"),
    "language": gettext_lazy("Language"),
    "start_date": gettext_lazy("Start date"),
    "unit": gettext_lazy("Unit"),
    "unit_id": gettext_lazy("Unit id"),
    "role": gettext_lazy("Role"),
    "active": gettext_lazy("Active"),
    "deactivated_on": gettext_lazy("Deactivated on"),
    "username": gettext_lazy("User name"),
    "has_password": gettext_lazy("Has a password"),
    "date_joined": gettext_lazy("Account created"),
    "last_login": gettext_lazy("Last log-in"),
    "product_roles": gettext_lazy("Roles in the product"),
    "name": gettext_lazy("Name"),
    "confirmed": gettext_lazy("Confirmed"),
    "last_used_at": gettext_lazy("Last used"),
    "kind": gettext_lazy("Kind"),
    "attempt_time": gettext_lazy("Time"),
    "logout_time": gettext_lazy("Logged out"),
    "ip_address": gettext_lazy("IP address"),
    "user_agent": gettext_lazy("Browser"),
    "locked_out": gettext_lazy("Locked out"),
    "valid_from": gettext_lazy("Valid from"),
    "valid_to": gettext_lazy("Valid to"),
    "self_assessment": gettext_lazy("Self-assessment"),
    "measurement_point": gettext_lazy("Measurement point"),
    "invited_at": gettext_lazy("Invited"),
    "reminded_at": gettext_lazy("Reminded"),
    "reminders": gettext_lazy("Reminders"),
    "questions": gettext_lazy("Questions"),
    "answered": gettext_lazy("Answered"),
    "completed_at": gettext_lazy("Completed on"),
    "competence": gettext_lazy("Competence"),
    "level": gettext_lazy("Level"),
    "measured_at": gettext_lazy("Measured on"),
    "source": gettext_lazy("Source"),
    "is_latest": gettext_lazy("Latest"),
    "required_level": gettext_lazy("Required level"),
    "mandatory": gettext_lazy("Mandatory"),
    "assessed_level": gettext_lazy("Assessed level"),
    "gap": gettext_lazy("Gap"),
    "initiative": gettext_lazy("Initiative"),
    "items": gettext_lazy("Modules"),
    "assigned": gettext_lazy("Assigned"),
    "exempt": gettext_lazy("Exempt"),
    "status": gettext_lazy("Status"),
    "confirmed_by": gettext_lazy("Confirmed by"),
    "confirmed_at": gettext_lazy("Confirmed on"),
    "updated_at": gettext_lazy("Last changed"),
    "module": gettext_lazy("Module"),
    "due_on": gettext_lazy("Due on"),
    "created_at": gettext_lazy("Created"),
    "session_starts_at": gettext_lazy("Session starts"),
    "starts_at": gettext_lazy("Session starts"),
    "place": gettext_lazy("Place"),
    "booked_by": gettext_lazy("Booked by"),
    "date": gettext_lazy("Date"),
    "hours": gettext_lazy("Hours"),
    "first_on": gettext_lazy("First day"),
    "last_on": gettext_lazy("Last day"),
    "format": gettext_lazy("Format"),
    "as": gettext_lazy("Taking part as"),
    "topic": gettext_lazy("Topic"),
    "question": gettext_lazy("Question"),
    "answer": gettext_lazy("Answer"),
    "answered_at": gettext_lazy("Answered on"),
    "published_question": gettext_lazy("Published question"),
    "published_answer": gettext_lazy("Published answer"),
    "occurred_on": gettext_lazy("Took place on"),
    "opens_on": gettext_lazy("Opens on"),
    "closes_on": gettext_lazy("Closes on"),
    "sent_on": gettext_lazy("Sent on"),
    "reminded_on": gettext_lazy("Reminded on"),
    "answered_on": gettext_lazy("Answered on"),
    "survey": gettext_lazy("Final survey"),
    "test": gettext_lazy("Test"),
    "number": gettext_lazy("Try number"),
    "questions_drawn": gettext_lazy("Questions drawn for the try"),
    "answers": gettext_lazy("Answers"),
    "started_at": gettext_lazy("Started"),
    "submitted_at": gettext_lazy("Handed in"),
    "score": gettext_lazy("Score"),
    "passed": gettext_lazy("Passed the test"),
    "manager": gettext_lazy("Manager"),
    "held_on": gettext_lazy("Held on"),
    "applying": gettext_lazy("Applying it"),
    "hindrances": gettext_lazy("What hinders"),
    "hindrance_other": gettext_lazy("Other hindrance"),
    "support_needed": gettext_lazy("Support needed"),
    "recorded_at": gettext_lazy("Recorded"),
    "recorded_by": gettext_lazy("Recorded by"),
    "paused": gettext_lazy("Paused"),
    "left": gettext_lazy("Left micro-learning"),
    "emails": gettext_lazy("E-mails"),
    "team_opt_out": gettext_lazy("Left out of team challenges"),
    "completed_on": gettext_lazy("Completed on"),
    "box": gettext_lazy("Repetition box"),
    "right": gettext_lazy("Right answers"),
    "wrong": gettext_lazy("Wrong answers"),
    "day": gettext_lazy("Day"),
    "emailed_at": gettext_lazy("E-mailed"),
    "content": gettext_lazy("Content"),
    "registration": gettext_lazy("Registration"),
    "fetched_at": gettext_lazy("Fetched"),
    "expires_at": gettext_lazy("Expires"),
    "stored": gettext_lazy("Stored"),
    "voided": gettext_lazy("Voided"),
    "statement": gettext_lazy("Learning record"),
    "drawn_at": gettext_lazy("Drawn"),
    "by": gettext_lazy("Done by"),
    "action": gettext_lazy("Action"),
    "changes": gettext_lazy("What changed"),
    "target": gettext_lazy("Concerning"),
    "read_at": gettext_lazy("When"),
    "reader": gettext_lazy("Reader"),
    "reader_role": gettext_lazy("Reader's role"),
    "timestamp": gettext_lazy("Happened"),
    "what": gettext_lazy("What"),
    "asked_at": gettext_lazy("Asked on"),
    "asked_by": gettext_lazy("Asked by"),
    "reason": gettext_lazy("Reason"),
}

# A reader the access log keeps without a person or a name (an operator's account).
NO_NAME = gettext_lazy("an account without a name")

# Keys the PDF leaves out: their rows say it otherwise (the JSON keeps them).
HIDDEN = frozenset({"record", "per"})

# Kinds of rows a section tells apart (``<key>`` code → label).
TAGS: dict[str, Promise] = {
    "log-in": gettext_lazy("log-in"),
    "failed log-in": gettext_lazy("failed log-in"),
    "owner": gettext_lazy("owner"),
    "steering group": gettext_lazy("steering group"),
    "participant": gettext_lazy("participant"),
    "manager": gettext_lazy("manager"),
    "choices": gettext_lazy("choices"),
    "format": gettext_lazy("per format"),
}

# What a proposal's module decision says (``learning.Proposal.decisions``).
DECISIONS: dict[str, Promise] = {
    "assigned": gettext_lazy("assigned"),
    "exempt": gettext_lazy("exempt"),
}
DECISION_REASONS: dict[str, Promise] = {
    "below": gettext_lazy("below the required level"),
    "mandatory": gettext_lazy("mandatory"),
    "reached": gettext_lazy("already reaches the level"),
    "swapped": gettext_lazy("chosen by the manager"),
    # a manager's exemption or evidence (a passed knowledge test, an LRS record): its reason says which
    "manager": gettext_lazy("exempt, for the reason given"),
}

# Audit actions (``core.AuditEntry.action``) in words: those about a person's registration
# and account, then the last part of any other action ("module.created": "created").
ACTIONS: dict[str, Promise] = {
    "person.created": gettext_lazy("registered"),
    "person.changed": gettext_lazy("registration changed"),
    "person.moved": gettext_lazy("moved to another unit or role"),
    "person.deactivated": gettext_lazy("deactivated"),
    "person.reactivated": gettext_lazy("activated again"),
    "person.register_extract": gettext_lazy("register extract made on request"),
    "retention.pseudonymise": gettext_lazy("pseudonymised"),
    "account.created": gettext_lazy("account created"),
    "account.changed": gettext_lazy("account changed"),
    "account.deleted": gettext_lazy("account removed"),
    "grant.added": gettext_lazy("role in the product given"),
    "grant.removed": gettext_lazy("role in the product taken away"),
    "second_factor.enrolled": gettext_lazy("second factor set up"),
    "sign_in.oidc": gettext_lazy("signed in with the organisation's account"),
    "support.asked": gettext_lazy("support question asked"),
    "support.answered": gettext_lazy("support question answered"),
    "attendance.taken": gettext_lazy("attendance registered"),
    "session.people_booked": gettext_lazy("people booked on a session"),
    "proposal.confirm": gettext_lazy("proposal confirmed"),
    "proposals.confirmed": gettext_lazy("proposals confirmed"),
}
VERBS: dict[str, Promise] = {
    "created": gettext_lazy("created"),
    "create": gettext_lazy("created"),
    "changed": gettext_lazy("changed"),
    "updated": gettext_lazy("changed"),
    "update": gettext_lazy("changed"),
    "saved": gettext_lazy("changed"),
    "save": gettext_lazy("changed"),
    "set": gettext_lazy("changed"),
    "deleted": gettext_lazy("removed"),
    "removed": gettext_lazy("removed"),
    "remove": gettext_lazy("removed"),
    "added": gettext_lazy("added"),
    "moved": gettext_lazy("moved"),
    "imported": gettext_lazy("imported"),
    "shared": gettext_lazy("shared"),
    "unshared": gettext_lazy("no longer shared"),
    "adopted": gettext_lazy("adopted"),
    "published": gettext_lazy("published"),
    "unpublished": gettext_lazy("unpublished"),
    "cancelled": gettext_lazy("cancelled"),
    "opened": gettext_lazy("opened"),
    "closed": gettext_lazy("closed"),
    "reminded": gettext_lazy("reminders sent"),
    "sent": gettext_lazy("sent"),
    "confirmed": gettext_lazy("confirmed"),
    "requested": gettext_lazy("requested"),
}


def action_label(code: str) -> str:
    """An audit action in words ("person.moved": "moved to another unit or role"); an action
    not named here by its last part ("module.created": "created"), else the code itself."""
    text = ACTIONS.get(code) or VERBS.get(code.rsplit(".", 1)[-1])
    return str(text) if text is not None else code


class Presenter:
    """The extract's labels and values in the language active when it is made."""

    def __init__(self) -> None:
        self.labels = {key: str(text) for key, text in FIELD_LABELS.items()}
        self.tags = {key: str(text) for key, text in TAGS.items()}
        self.decisions = {key: str(text) for key, text in DECISIONS.items()}
        self.reasons = {key: str(text) for key, text in DECISION_REASONS.items()}
        self.yes, self.no = str(gettext_lazy("yes")), str(gettext_lazy("no"))
        self.voided = str(gettext_lazy("voided"))
        self.zone = timezone.get_current_timezone()
        self.decimal_separator = str(formats.get_format("DECIMAL_SEPARATOR"))
        self._date = _compile(str(formats.get_format("DATE_FORMAT")))
        self._datetime = _compile(str(formats.get_format("DATETIME_FORMAT")))

    # --- labels ---------------------------------------------------------------------------

    def label(self, key: str) -> str:
        """A field's label; an unknown key (a new field) reads as itself, spaced."""
        found = self.labels.get(key)
        if found is not None:
            return found
        # a key already in words (an audit entry's changes, ``changes_label``) stays as it is
        return key if key[:1].isupper() and "_" not in key else key.replace("_", " ").capitalize()

    def tag(self, code: str) -> str:
        return self.tags.get(code, code)

    # --- values ---------------------------------------------------------------------------

    def local(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.zone) if timezone.is_aware(value) else value

    def dumps(self, data: Any, *, indent: bool = True) -> bytes:
        """``data`` as the JSON file holds it: times in ISO 8601 in the installation's time
        zone (with its offset), dates in ISO 8601, decimals as text. orjson walks the data;
        only the times and decimals come back here."""
        option = orjson.OPT_PASSTHROUGH_DATETIME | (orjson.OPT_INDENT_2 if indent else 0)
        return orjson.dumps(data, default=self._json_value, option=option)

    def plain(self, data: Any) -> Any:
        """``data`` with the values the JSON file holds (:meth:`dumps`, read back)."""
        return orjson.loads(self.dumps(data, indent=False))

    def _json_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return self.local(value).isoformat()
        if isinstance(value, dt.date | dt.time):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            return str(value)
        if isinstance(value, bytes | memoryview):
            return bytes(value).decode("utf-8", "replace")
        if isinstance(value, Promise):
            return str(value)
        raise TypeError(f"{type(value).__name__} is not in the extract's JSON")

    def text(self, value: Any) -> str:
        """A value as the PDF writes it, in the language's own format."""
        if value is None or value == "" or value == [] or value == {}:
            return "–"
        if value is True:
            return self.yes
        if value is False:
            return self.no
        if isinstance(value, dt.datetime):
            return self._datetime(self.local(value))
        if isinstance(value, dt.date):
            return self._date(value)
        if isinstance(value, decimal.Decimal | float):
            return str(value).replace(".", self.decimal_separator)
        if isinstance(value, list | tuple):
            return ", ".join(self.text(v) for v in value)
        if isinstance(value, dict):
            if "module" in value and "status" in value:  # a proposal's module
                return self.decision(value)
            return "; ".join(f"{self.label(str(k))}: {self.change(v)}" for k, v in value.items())
        return str(value)

    def change(self, value: Any) -> str:
        """A value of an audit entry's changes: a pair is from the first to the second."""
        if isinstance(value, list | tuple) and len(value) == 2:
            return f"{self.text(value[0])} -> {self.text(value[1])}"
        return self.text(value)

    def decision(self, item: dict[str, Any]) -> str:
        why = ", ".join(t for t in (item.get("status_label"), item.get("reason_label")) if t)
        return f"{item['module']} ({why})" if why else str(item["module"])


def _compile(form: str) -> Callable[[Any], str]:
    """A Django date format ("j F Y H:i") as a function, the month and day names read once:
    ``dateformat.format`` looks them up again for every value, a tenth of a millisecond each."""
    months = {n: str(name) for n, name in dates.MONTHS.items()}
    months_ap = {n: str(name) for n, name in dates.MONTHS_AP.items()}
    months_3 = {n: str(name) for n, name in dates.MONTHS_3.items()}
    days = {n: str(name) for n, name in dates.WEEKDAYS.items()}
    known: dict[str, Callable[[Any], str]] = {
        "j": lambda v: str(v.day),
        "d": lambda v: f"{v.day:02d}",
        "n": lambda v: str(v.month),
        "m": lambda v: f"{v.month:02d}",
        "F": lambda v: months[v.month],
        "N": lambda v: months_ap[v.month],
        "M": lambda v: months_3[v.month].title(),
        "b": lambda v: months_3[v.month],
        "Y": lambda v: str(v.year),
        "y": lambda v: f"{v.year % 100:02d}",
        "l": lambda v: days[v.weekday()],
        "H": lambda v: f"{v.hour:02d}",
        "G": lambda v: str(v.hour),
        "i": lambda v: f"{v.minute:02d}",
        "s": lambda v: f"{v.second:02d}",
    }
    parts: list[Callable[[Any], str] | str] = []
    escaped = False
    for char in form:
        if escaped:
            parts.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in known:
            parts.append(known[char])
        elif char.isalpha():
            parts.append(_other(char))
        else:
            parts.append(char)

    def write(value: Any) -> str:
        return "".join(part if isinstance(part, str) else part(value) for part in parts)

    return write


def _other(char: str) -> Callable[[Any], str]:
    """A format letter the compiled format does not write itself ("P": "9 a.m."), by Django;
    a letter of the time of day is kept per hour and minute (few distinct ones)."""
    seen: dict[Any, str] = {}
    of_time = char in "aAfghP"

    def write(value: Any) -> str:
        key = (value.hour, value.minute) if of_time else value
        found = seen.get(key)
        if found is None:
            found = seen[key] = dateformat.format(value, char)
        return found

    return write
