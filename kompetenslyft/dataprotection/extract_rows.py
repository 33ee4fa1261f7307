"""The readers of the register extract's sections (``extract.SECTIONS``): one function per
section, each one query (a few two) whatever the length of the person's history, returning
rows with the extract's stable field names.

Values are Python values (dates and times, decimals); a field holding a code (a model field's
choices, or a kind of row) has its label in the active language beside it as
``<field>_label``, looked up once per section. ``extract_text.Presenter`` writes them out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps

from .extract_text import DECISION_REASONS, DECISIONS, NO_NAME, TAGS, action_label
from .extract_words import ChangeWords, answered, question_texts

Rows = list[dict[str, Any]]
Choices = Iterable[tuple[Any, Any]]


def _model(label: str) -> Any:
    return apps.get_model(label)


def _field_choices(model: Any, lookup: str) -> Choices:
    """The choices of the model field a ``values()`` lookup ends in (empty for none)."""
    field = None
    for part in lookup.split("__"):
        field = model._meta.get_field(part)
        if field.is_relation:
            model = field.related_model
    return getattr(field, "flatchoices", None) or ()


def _values(queryset: Any, choices: dict[str, Choices] | None = None, /, **fields: str) -> Rows:
    """Rows of ``queryset`` with the extract's field names (keys) read from model lookups; a
    field with choices (the model's, or given in ``choices``) gets its label beside it."""
    given = choices or {}
    labels: dict[str, dict[Any, str]] = {}
    for name, lookup in fields.items():
        found = given.get(name) or _field_choices(queryset.model, lookup)
        if found:
            labels[name] = {code: str(text) for code, text in found}
    rows = []
    for row in queryset.values(*fields.values()):
        out: dict[str, Any] = {}
        for name, lookup in fields.items():
            value = out[name] = row[lookup]
            if name in labels:
                out[f"{name}_label"] = labels[name].get(value, value) if value not in (None, "") else None
        rows.append(out)
    return rows


def _tagged(rows: Rows, key: str, code: str) -> Rows:
    """``rows`` with ``key`` set to ``code`` (a kind of row of :data:`TAGS`) and its label."""
    label = str(TAGS[code])
    return [{key: code, f"{key}_label": label, **row} for row in rows]


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
    rows = _values(
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
    return _with_modules(rows)


def _with_modules(rows: Rows) -> Rows:
    """Proposals whose compact ``items`` are written out as a list of their modules (by name),
    each assigned or exempt and why (``learning.Proposal.decisions``); one query for the names."""
    proposal = _model("learning.Proposal")
    decided = [proposal(items=row["items"]).decisions() for row in rows]
    ids = {module_id for decisions in decided for module_id in decisions}
    names = (
        dict(_model("learning.Module").objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    )
    statuses = {code: str(text) for code, text in DECISIONS.items()}
    reasons = {code: str(text) for code, text in DECISION_REASONS.items()}
    for row, decisions in zip(rows, decided, strict=True):
        items = []
        for module_id, decision in sorted(decisions.items(), key=lambda pair: names.get(pair[0], "")):
            why = reasons.get(decision["r"], decision["r"])
            if decision.get("c"):
                why = f"{why}: {', '.join(decision['c'])}"
            if decision.get("t"):
                why = f"{why}: {decision['t']}"
            items.append(
                {
                    "module": names.get(module_id, str(module_id)),
                    "status": decision["s"],
                    "status_label": statuses.get(decision["s"], decision["s"]),
                    "reason": decision["r"],
                    "reason_label": why,
                }
            )
        row["items"] = items
    return rows


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
    from kompetenslyft.learning.models import Module
    from kompetenslyft.org.models import Gender

    summary = _values(
        _model("learning.Participation").objects.filter(person=person).order_by("first_on", "id"),
        {"gender": Gender.choices},
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
        {"format": Module.Format.choices},
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
    return _tagged(owned, "as", "owner") + _tagged(steering, "as", "steering group")


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
    rows = _values(
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
    # The questions and chosen options by their texts, not their ids (two queries for all).
    # (an entry is [question id, [option ids]]; a bare id is read too)
    drawn = [
        [int(entry[0] if isinstance(entry, list) else entry) for entry in row["questions_drawn"] or []]
        for row in rows
    ]
    questions, options = question_texts([q for ids in drawn for q in ids])
    for row, ids in zip(rows, drawn, strict=True):
        # the test by its module and when it is taken ("Dokumentation, before the module")
        row["test_label"] = (
            f"{row['module']}, {row['test_label']}" if row.get("test_label") else row["module"]
        )
        row["questions_drawn"] = [questions.get(q, "?") for q in ids]
        row["answers"] = answered(row["answers"], ids, questions, options)
    return rows


def _follow_ups(person: Any) -> Rows:
    from django.utils.translation import ngettext

    from kompetenslyft.followup.models import KINDS, Hindrance

    # ``kind`` is the number of days after the module the talk is due (30 or 90)
    kinds = [
        (
            days,
            ngettext("%(days)s day after the module", "%(days)s days after the module", days)
            % {"days": days},
        )
        for days in KINDS
    ]
    rows = _values(
        _model("followup.FollowUp").objects.filter(person=person).order_by("due_on", "id"),
        {"kind": kinds},
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
    hindrances = {code: str(text) for code, text in Hindrance.choices}
    for row in rows:
        row["hindrances_label"] = [hindrances.get(code, code) for code in row["hindrances"] or []]
    return rows


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
    return _tagged(rows, "record", "choices")


def _micro_courses(person: Any) -> Rows:
    return _values(
        _model("microlearning.Course").objects.filter(person=person).order_by("completed_on", "id"),
        module="module__name",
        completed_on="completed_on",
        created_at="created_at",
    )


def _micro_items(person: Any) -> Rows:
    rows = _values(
        _model("microlearning.Item").objects.filter(person=person).order_by("module_id", "id"),
        module="module__name",
        question="question_id",
        box="box",
        due_on="due_on",
        right="right",
        wrong="wrong",
    )
    questions, _options = question_texts(row["question"] for row in rows)
    for row in rows:
        row["question"] = questions.get(row["question"], "?")
    return rows


def _micro_sets(person: Any) -> Rows:
    rows = _values(
        _model("microlearning.QuestionSet").objects.filter(person=person).order_by("day", "id"),
        day="day",
        questions="questions",
        answers="answers",
        right="right",
        answered_on="answered_on",
        emailed_at="emailed_at",
    )
    shown = [[int(q) for q in row["questions"] or []] for row in rows]
    every = sorted({q for ids in shown for q in ids})
    questions, options = question_texts(every)
    # the module each question is about: the set is named by its modules
    modules = dict(
        _model("knowledge.Question").objects.filter(pk__in=every).values_list("pk", "bank__module__name")
    )
    for row, ids in zip(rows, shown, strict=True):
        row["module"] = ", ".join(dict.fromkeys(modules[q] for q in ids if q in modules))
        row["questions"] = [questions.get(q, "?") for q in ids]
        row["answers"] = answered(row["answers"], ids, questions, options)
    return [{"day": row.pop("day"), "module": row.pop("module"), **row} for row in rows]


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
    rows = []
    for row in statements.order_by("stored", "id").values("stored", "voided", "data"):
        statement = _json(row["data"])
        rows.append(
            {
                # when it happened (the statement's timestamp; the LRS sets it to the stored
                # time when the tool sent none), then when the LRS received it
                "timestamp": _event_time(statement) or row["stored"],
                "stored": row["stored"],
                "voided": row["voided"],
                "statement": statement,
            }
        )
    return rows


def _event_time(statement: Any) -> Any:
    import datetime as dt

    value = statement.get("timestamp") if isinstance(statement, dict) else None
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _json(text: Any) -> Any:
    import orjson

    try:
        return orjson.loads(text)
    except (TypeError, ValueError):
        return text


def _contact_lists(person: Any) -> Rows:
    lists = (
        _model("successcases.ContactList")
        .objects.filter(organisation_id=person.organisation_id)
        .order_by("drawn_at", "id")
        .values("initiative__name", "drawn_at", "participant_ids", "manager_ids")
    )
    rows = []
    for found in lists:
        as_ = "participant" if person.pk in (found["participant_ids"] or []) else "manager"
        if as_ == "participant" or person.pk in (found["manager_ids"] or []):
            rows += _tagged(
                [{"initiative": found["initiative__name"], "drawn_at": found["drawn_at"]}], "as", as_
            )
    return rows


def _account(person: Any) -> Rows:
    user = person.user
    if user is None:
        return []
    from kompetenslyft.core.models import ProductRole

    roles = {code: str(text) for code, text in ProductRole.choices}
    grants = list(user.grants.select_related("organisation").order_by("organisation__name", "role"))
    return [
        {
            "username": user.username,
            "email": user.email,
            "has_password": user.has_usable_password(),
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "active": user.is_active,
            "product_roles": [f"{g.organisation.name}: {roles.get(g.role, g.role)}" for g in grants],
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

    def attempts(label: str, **more: str) -> Any:
        return _values(
            _model(label).objects.filter(username=username).order_by("attempt_time", "id"),
            attempt_time="attempt_time",
            **more,
            ip_address="ip_address",
            user_agent="user_agent",
        )

    return _tagged(attempts("axes.AccessLog", logout_time="logout_time"), "kind", "log-in") + _tagged(
        attempts("axes.AccessFailureLog", locked_out="locked_out"), "kind", "failed log-in"
    )


def _audit(queryset: Any, **fields: str) -> Rows:
    """Audit entries with their action in words beside the code (``action_label``)."""
    rows = _values(queryset.order_by("created_at", "id"), created_at="created_at", action="action", **fields)
    words: dict[str, str] = {}
    for row in rows:
        code = row["action"]
        if code not in words:
            words[code] = action_label(code)
        row["action_label"] = words[code]
    if "changes" in fields:
        changes = ChangeWords(row["changes"] for row in rows)
        for row in rows:
            if isinstance(row["changes"], dict) and row["changes"]:
                row["changes_label"] = changes.words(row["changes"])
    return rows


def _audit_about(person: Any) -> Rows:
    entries = _model("core.AuditEntry").objects.filter(
        organisation_id=person.organisation_id, target_type="person", target_id=person.employee_id
    )
    return _audit(entries, by="actor_label", changes="changes")


def _audit_by(person: Any) -> Rows:
    if person.user_id is None:
        return []
    return _audit(_model("core.AuditEntry").objects.filter(actor_id=person.user_id), target="target_label")


def _reads(person: Any) -> Rows:
    """Who read the person's data: the reader by name and role (its roles in the product in
    the organisation, manager when it manages a unit there, else its role at work), never by
    its account name; three queries however many reads."""
    from kompetenslyft.core.models import ProductRole

    rows = _values(
        _model("dataprotection.AccessPerson")
        .objects.filter(person=person)
        .order_by("entry__created_at", "entry_id"),
        read_at="entry__created_at",
        reader="entry__reader_person__given_name",
        reader_role="entry__reader_id",
        what="entry__kind",
        family_name="entry__reader_person__family_name",
        work_role="entry__reader_person__role__name",
        reader_person="entry__reader_person_id",
        organisation="entry__organisation_id",
    )
    users = {row["reader_role"] for row in rows if row["reader_role"]}
    readers = {row["reader_person"] for row in rows if row["reader_person"]}
    product_roles = {code: str(text) for code, text in ProductRole.choices}
    granted: dict[tuple[int, int], list[str]] = {}
    if users:
        for user_id, organisation_id, role in (
            _model("core.Grant")
            .objects.filter(user_id__in=users)
            .order_by("role")
            .values_list("user_id", "organisation_id", "role")
        ):
            granted.setdefault((user_id, organisation_id), []).append(product_roles.get(role, role))
    managing = set(
        _model("org.Unit").objects.filter(manager_id__in=readers).values_list("manager_id", "organisation_id")
        if readers
        else ()
    )
    manager = str(TAGS["manager"])
    for row in rows:
        given, family = row.pop("reader") or "", row.pop("family_name") or ""
        user_id, reader_person = row["reader_role"], row.pop("reader_person")
        organisation_id, work_role = row.pop("organisation"), row.pop("work_role")
        roles = list(granted.get((user_id, organisation_id), []))
        if reader_person and (reader_person, organisation_id) in managing:
            roles.insert(0, manager)
        if not roles and work_role:
            roles = [work_role]
        row["reader"] = f"{given} {family}".strip() or str(NO_NAME)
        row["reader_role"] = ", ".join(roles)
    return [
        {"read_at": row["read_at"], "reader": row["reader"], "reader_role": row["reader_role"], **row}
        for row in rows
    ]


def _extracts(person: Any) -> Rows:
    return _values(
        _model("dataprotection.RegisterExtract").objects.filter(person=person).order_by("created_at", "id"),
        asked_at="created_at",
        asked_by="requested_by__username",
        reason="reason",
        status="status",
    )
