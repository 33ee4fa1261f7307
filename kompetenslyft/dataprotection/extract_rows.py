"""The readers of the register extract's sections (``extract.SECTIONS``): one function per
section, each one query (a few two) whatever the length of the person's history, returning
rows with the extract's stable field names."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.apps import apps

Rows = list[dict[str, Any]]


def _model(label: str) -> Any:
    return apps.get_model(label)


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times in ISO 8601, decimals as text."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _values(queryset: Any, **fields: str) -> Rows:
    """Rows of ``queryset`` with the extract's field names (keys) read from model lookups."""
    lookups = list(fields.values())
    return [
        {name: plain(row[lookup]) for name, lookup in fields.items()} for row in queryset.values(*lookups)
    ]


# --- the sections ------------------------------------------------------------------------


def _placements(person: Any) -> Rows:
    return _values(
        _model("org.Placement").objects.filter(person=person).order_by("valid_from", "id"),
        unit="unit__name",
        role="role__name",
        valid_from="valid_from",
        valid_to="valid_to",
    )


def _managed_units(person: Any) -> Rows:
    return _values(
        _model("org.Unit").objects.filter(manager=person).order_by("path"), unit_id="unit_id", unit="name"
    )


def _campaigns(person: Any) -> Rows:
    return _values(
        _model("assessment.Participant").objects.filter(person=person).order_by("campaign__opens_on", "id"),
        self_assessment="campaign__name",
        measurement_point="campaign__measurement_point",
        unit="unit__name",
        invited_at="invited_at",
        reminded_at="reminded_at",
        reminders="reminders",
        questions="questions",
        answered="answered",
        completed_at="completed_at",
    )


def _answers(person: Any) -> Rows:
    return _values(
        _model("assessment.Answer").objects.filter(person=person).order_by("measured_at", "id"),
        competence="competence__name",
        measurement_point="measurement_point",
        level="level",
        measured_at="measured_at",
        self_assessment="campaign__name",
        source="source",
        is_latest="is_latest",
    )


def _gaps(person: Any) -> Rows:
    from kompetenslyft.assessment.selectors import person_gaps

    return [
        {
            "competence": gap.competence.name,
            "required_level": gap.required_level,
            "mandatory": gap.mandatory,
            "assessed_level": gap.level,
            "measurement_point": gap.point,
            "gap": gap.gap,
        }
        for gap in person_gaps(person)
    ]


def _proposals(person: Any) -> Rows:
    return _values(
        _model("learning.Proposal").objects.filter(person=person).order_by("initiative__starts_on", "id"),
        initiative="initiative__name",
        unit="unit__name",
        items="items",
        assigned="assigned",
        exempt="exempt",
        status="status",
        confirmed_by="confirmed_by__username",
        confirmed_at="confirmed_at",
        updated_at="updated_at",
    )


def _enrolments(person: Any) -> Rows:
    return _values(
        _model("learning.Enrolment").objects.filter(person=person).order_by("created_at", "id"),
        module="module__name",
        initiative="initiative__name",
        kind="kind",
        due_on="due_on",
        created_at="created_at",
    )


def _bookings(person: Any) -> Rows:
    return _values(
        _model("learning.Booking").objects.filter(person=person).order_by("session__starts_at", "id"),
        module="session__module__name",
        session_starts_at="session__starts_at",
        place="session__place",
        status="status",
        booked_by="booked_by__username",
        created_at="created_at",
        invited_at="invited_at",
        reminded_at="reminded_at",
    )


def _attendance(person: Any) -> Rows:
    return _values(
        _model("learning.Attendance").objects.filter(person=person).order_by("date", "id"),
        module="module__name",
        date="date",
        hours="hours",
        status="status",
        source="source",
        unit="unit__name",
        role="role__name",
    )


def _participations(person: Any) -> Rows:
    summary = _values(
        _model("learning.Participation").objects.filter(person=person).order_by("first_on", "id"),
        initiative="initiative__name",
        unit="unit__name",
        role="role__name",
        gender="gender",
        first_on="first_on",
        last_on="last_on",
        hours="hours",
    )
    # the same attendance summed per module format and role, for the initiatives' cost figures
    per_format = _values(
        _model("learning.ParticipationFormat")
        .objects.filter(person=person)
        .order_by("initiative_id", "format"),
        initiative="initiative__name",
        role="role__name",
        format="format",
        hours="hours",
    )
    return summary + [{**row, "per": "format"} for row in per_format]


def _initiative_roles(person: Any) -> Rows:
    initiative = _model("learning.Initiative")
    owned = _values(initiative.objects.filter(owners=person).order_by("starts_on", "id"), initiative="name")
    steering = _values(
        initiative.objects.filter(steering_group=person).order_by("starts_on", "id"), initiative="name"
    )
    return [{**row, "as": "owner"} for row in owned] + [{**row, "as": "steering group"} for row in steering]


def _sessions_trained(person: Any) -> Rows:
    return _values(
        _model("learning.Session").objects.filter(trainers=person).order_by("starts_at", "id"),
        module="module__name",
        starts_at="starts_at",
        place="place",
    )


def _support_contacts(person: Any) -> Rows:
    return _values(
        _model("learning.SupportContact").objects.filter(person=person).order_by("id"),
        unit="unit__name",
        initiative="initiative__name",
    )


def _support_asked(person: Any) -> Rows:
    return _values(
        _model("learning.SupportRequest").objects.filter(person=person).order_by("created_at", "id"),
        topic="topic",
        module="module__name",
        question="question",
        created_at="created_at",
        answer="answer",
        answered_at="answered_at",
        published_question="faq_question",
        published_answer="faq_answer",
    )


def _support_answered(person: Any) -> Rows:
    # The answers it gave; the asker is someone else and is not named here.
    return _values(
        _model("learning.SupportRequest").objects.filter(answered_by=person).order_by("answered_at", "id"),
        topic="topic",
        answer="answer",
        answered_at="answered_at",
    )


def _evaluation_requests(person: Any) -> Rows:
    return _values(
        _model("evaluation.Request").objects.filter(person=person).order_by("occurred_on", "id"),
        module="module__name",
        occurred_on="occurred_on",
        opens_on="opens_on",
        closes_on="closes_on",
        sent_on="sent_on",
        reminded_on="reminded_on",
        answered_on="answered_on",
    )


def _survey_requests(person: Any) -> Rows:
    return _values(
        _model("evaluation.SurveyRequest").objects.filter(person=person).order_by("sent_on", "id"),
        survey="survey__title",
        unit="unit__name",
        role="role__name",
        sent_on="sent_on",
        reminded_on="reminded_on",
        answered_on="answered_on",
    )


def _attempts(person: Any) -> Rows:
    return _values(
        _model("knowledge.Attempt").objects.filter(person=person).order_by("started_at", "id"),
        module="test__module__name",
        test="test__kind",
        number="number",
        questions_drawn="drawn",
        answers="answers",
        started_at="started_at",
        submitted_at="submitted_at",
        score="score",
        passed="passed",
    )


def _follow_ups(person: Any) -> Rows:
    return _values(
        _model("followup.FollowUp").objects.filter(person=person).order_by("due_on", "id"),
        module="module__name",
        kind="kind",
        completed_on="completed_on",
        due_on="due_on",
        manager="manager__family_name",
        held_on="held_on",
        applying="applying",
        hindrances="hindrances",
        hindrance_other="hindrance_other",
        support_needed="support_needed",
        recorded_at="recorded_at",
        recorded_by="recorded_by__username",
    )


def _follow_ups_held(person: Any) -> Rows:
    # Talks it held as a manager: when and about which module; the employee is not named.
    return _values(
        _model("followup.FollowUp").objects.filter(manager=person).order_by("due_on", "id"),
        module="module__name",
        due_on="due_on",
        held_on="held_on",
    )


def _micro_learning(person: Any) -> Rows:
    rows = _values(
        _model("microlearning.Learner").objects.filter(person=person),
        paused="paused",
        left="left",
        emails="emails",
        team_opt_out="team_opt_out",
        created_at="created_at",
    )
    return [{"record": "choices", **row} for row in rows]


def _micro_courses(person: Any) -> Rows:
    return _values(
        _model("microlearning.Course").objects.filter(person=person).order_by("completed_on", "id"),
        module="module__name",
        completed_on="completed_on",
        created_at="created_at",
    )


def _micro_items(person: Any) -> Rows:
    return _values(
        _model("microlearning.Item").objects.filter(person=person).order_by("module_id", "id"),
        module="module__name",
        question="question__ident",
        box="box",
        due_on="due_on",
        right="right",
        wrong="wrong",
    )


def _micro_sets(person: Any) -> Rows:
    return _values(
        _model("microlearning.QuestionSet").objects.filter(person=person).order_by("day", "id"),
        day="day",
        questions="questions",
        answers="answers",
        right="right",
        answered_on="answered_on",
        emailed_at="emailed_at",
    )


def _cmi5_launches(person: Any) -> Rows:
    return _values(
        _model("lrs.Cmi5Launch").objects.filter(person=person).order_by("created_at", "id"),
        content="unit__title",
        registration="registration",
        created_at="created_at",
        fetched_at="fetched_at",
        expires_at="expires_at",
    )


def _statements(person: Any) -> Rows:
    from django.db.models import Q

    from kompetenslyft.lrs.services import person_identifiers

    identifiers = sorted(person_identifiers(person))
    q = Q(actor_key__in=identifiers) if identifiers else Q(pk__in=[])
    for key in identifiers:
        q |= Q(related_agents__contains=f"\n{key}\n")
    if person.employee_id:
        q |= Q(related_agents__contains=f"|{person.employee_id}\n")
    statements = _model("lrs.Statement").objects.filter(q, organisation_id=person.organisation_id)
    return [
        {"stored": plain(row["stored"]), "voided": row["voided"], "statement": _json(row["data"])}
        for row in statements.order_by("stored", "id").values("stored", "voided", "data")
    ]


def _json(text: Any) -> Any:
    import orjson

    try:
        return orjson.loads(text)
    except (TypeError, ValueError):
        return text


def _contact_lists(person: Any) -> Rows:
    contact_list = _model("successcases.ContactList")
    rows = []
    for found in contact_list.objects.filter(organisation_id=person.organisation_id).order_by(
        "drawn_at", "id"
    ):
        if person.pk in (found.participant_ids or []):
            rows.append(
                {"initiative": found.initiative.name, "as": "participant", "drawn_at": plain(found.drawn_at)}
            )
        elif person.pk in (found.manager_ids or []):
            rows.append(
                {"initiative": found.initiative.name, "as": "manager", "drawn_at": plain(found.drawn_at)}
            )
    return rows


def _account(person: Any) -> Rows:
    user = person.user
    if user is None:
        return []
    grants = list(user.grants.select_related("organisation").order_by("organisation__name", "role"))
    return [
        {
            "username": user.username,
            "email": user.email,
            "has_password": user.has_usable_password(),
            "date_joined": plain(user.date_joined),
            "last_login": plain(user.last_login),
            "active": user.is_active,
            "product_roles": [f"{g.organisation.name}: {g.role}" for g in grants],
        }
    ]


def _second_factor(person: Any) -> Rows:
    if person.user_id is None:
        return []
    return _values(
        _model("otp_totp.TOTPDevice").objects.filter(user_id=person.user_id).order_by("id"),
        name="name",
        confirmed="confirmed",
        created_at="created_at",
        last_used_at="last_used_at",
    )


def _sign_ins(person: Any) -> Rows:
    """Log-ins and failed log-ins recorded for its account name (django-axes)."""
    if person.user_id is None:
        return []
    username = person.user.username
    rows = _values(
        _model("axes.AccessLog").objects.filter(username=username).order_by("attempt_time", "id"),
        attempt_time="attempt_time",
        logout_time="logout_time",
        ip_address="ip_address",
        user_agent="user_agent",
    )
    failures = _values(
        _model("axes.AccessFailureLog").objects.filter(username=username).order_by("attempt_time", "id"),
        attempt_time="attempt_time",
        ip_address="ip_address",
        user_agent="user_agent",
        locked_out="locked_out",
    )
    return [{"kind": "log-in", **row} for row in rows] + [
        {"kind": "failed log-in", **row} for row in failures
    ]


def _audit_about(person: Any) -> Rows:
    return _values(
        _model("core.AuditEntry")
        .objects.filter(
            organisation_id=person.organisation_id, target_type="person", target_id=person.employee_id
        )
        .order_by("created_at", "id"),
        created_at="created_at",
        by="actor_label",
        action="action",
        changes="changes",
    )


def _audit_by(person: Any) -> Rows:
    if person.user_id is None:
        return []
    return _values(
        _model("core.AuditEntry").objects.filter(actor_id=person.user_id).order_by("created_at", "id"),
        created_at="created_at",
        action="action",
        target="target_label",
    )


def _reads(person: Any) -> Rows:
    return _values(
        _model("dataprotection.AccessPerson")
        .objects.filter(person=person)
        .order_by("entry__created_at", "entry_id"),
        read_at="entry__created_at",
        reader="entry__reader_label",
        what="entry__kind",
    )


def _extracts(person: Any) -> Rows:
    return _values(
        _model("dataprotection.RegisterExtract").objects.filter(person=person).order_by("created_at", "id"),
        asked_at="created_at",
        asked_by="requested_by__username",
        reason="reason",
        status="status",
    )
