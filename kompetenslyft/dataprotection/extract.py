"""What a register extract (GDPR art. 15) holds: every section of data about one person.

The structure is documented and stable (``docs/record-of-processing.md`` names it)::

    {
      "format": "kompetenslyft-register-extract",
      "version": 1,
      "made_at": "<ISO 8601, the installation's time zone>",
      "language": "sv",
      "person": {...},                      # the person as registered
      "not_included": ["<sentence>", ...],  # what is deliberately left out, and why
      "sections": [
        {"key": "placements", "title": "<translated>", "rows": [{<field>: <value>}, ...]},
        ...
      ]
    }

Rows hold values as the person reads them where the register holds a code: beside a code
(``"gender": "woman"``) is its label in the extract's language (``"gender_label": "kvinna"``);
times are in the installation's time zone (``settings.TIME_ZONE``) with their offset; a
proposal's modules are a list of names, each assigned or exempt and why. The PDF writes the
same rows with translated field names and dates in the language's format.

Each :class:`Section` names the model fields it covers (``covers``); a test walks every model
of every app and fails when a relation to ``org.Person`` or the user model is neither covered
by a section nor in :data:`EXCLUDED` with a reason, so that a new model about people cannot be
left out of the extract unnoticed. Each section is one query (a few are two), whatever the
length of the person's history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from .extract_rows import (
    _account,
    _answers,
    _attempts,
    _attendance,
    _audit_about,
    _audit_by,
    _bookings,
    _campaigns,
    _cmi5_launches,
    _contact_lists,
    _enrolments,
    _evaluation_requests,
    _extracts,
    _follow_ups,
    _follow_ups_held,
    _gaps,
    _initiative_roles,
    _managed_units,
    _micro_courses,
    _micro_items,
    _micro_learning,
    _micro_sets,
    _participations,
    _placements,
    _proposals,
    _reads,
    _second_factor,
    _sessions_trained,
    _sign_ins,
    _statements,
    _support_answered,
    _support_asked,
    _support_contacts,
    _survey_requests,
)
from .extract_text import Presenter

FORMAT = "kompetenslyft-register-extract"
VERSION = 1

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    rows: Callable[[Any], Rows]
    covers: tuple[str, ...] = ()  # "<app>.<Model>.<field>" relations to the person or its account


SECTIONS: tuple[Section, ...] = (
    Section("account", gettext_lazy("Account and sign-in"), _account, ("org.Person.user", "core.Grant.user")),
    Section(
        "second_factor",
        gettext_lazy("Second factor (authenticator app)"),
        _second_factor,
        ("otp_totp.TOTPDevice.user",),
    ),
    Section("sign_ins", gettext_lazy("Log-ins"), _sign_ins),
    Section("placements", gettext_lazy("Units and roles over time"), _placements, ("org.Placement.person",)),
    Section("managed_units", gettext_lazy("Units it manages"), _managed_units, ("org.Unit.manager",)),
    Section(
        "self_assessments",
        gettext_lazy("Self-assessments it was asked to answer"),
        _campaigns,
        ("assessment.Participant.person",),
    ),
    Section("answers", gettext_lazy("Self-assessment answers"), _answers, ("assessment.Answer.person",)),
    Section("gaps", gettext_lazy("Required levels and gaps"), _gaps),
    Section(
        "proposals", gettext_lazy("Proposals and assignments"), _proposals, ("learning.Proposal.person",)
    ),
    Section("enrolments", gettext_lazy("Enrolments"), _enrolments, ("learning.Enrolment.person",)),
    Section("bookings", gettext_lazy("Bookings"), _bookings, ("learning.Booking.person",)),
    Section("attendance", gettext_lazy("Attendance"), _attendance, ("learning.Attendance.person",)),
    Section(
        "participations",
        gettext_lazy("Participation in initiatives"),
        _participations,
        ("learning.Participation.person", "learning.ParticipationFormat.person"),
    ),
    Section(
        "initiative_roles",
        gettext_lazy("Owner or steering group of initiatives"),
        _initiative_roles,
        ("learning.Initiative.owners", "learning.Initiative.steering_group"),
    ),
    Section(
        "sessions_trained",
        gettext_lazy("Sessions it trains"),
        _sessions_trained,
        ("learning.Session.trainers",),
    ),
    Section(
        "support_contacts",
        gettext_lazy("Support contact for"),
        _support_contacts,
        ("learning.SupportContact.person",),
    ),
    Section(
        "support_asked",
        gettext_lazy("Support questions it asked"),
        _support_asked,
        ("learning.SupportRequest.person",),
    ),
    Section(
        "support_answered",
        gettext_lazy("Support answers it gave"),
        _support_answered,
        ("learning.SupportRequest.answered_by",),
    ),
    Section(
        "evaluation_requests",
        gettext_lazy("Module evaluations it was asked to answer"),
        _evaluation_requests,
        ("evaluation.Request.person",),
    ),
    Section(
        "survey_requests",
        gettext_lazy("Final surveys it was asked to answer"),
        _survey_requests,
        ("evaluation.SurveyRequest.person",),
    ),
    Section(
        "knowledge_tests",
        gettext_lazy("Knowledge test tries and answers"),
        _attempts,
        ("knowledge.Attempt.person",),
    ),
    Section(
        "follow_ups", gettext_lazy("Follow-up talks about it"), _follow_ups, ("followup.FollowUp.person",)
    ),
    Section(
        "follow_ups_held",
        gettext_lazy("Follow-up talks it held as manager"),
        _follow_ups_held,
        ("followup.FollowUp.manager",),
    ),
    Section(
        "micro_learning",
        gettext_lazy("Micro-learning choices"),
        _micro_learning,
        ("microlearning.Learner.person",),
    ),
    Section(
        "micro_courses",
        gettext_lazy("Micro-learning courses"),
        _micro_courses,
        ("microlearning.Course.person",),
    ),
    Section(
        "micro_items",
        gettext_lazy("Micro-learning questions to repeat"),
        _micro_items,
        ("microlearning.Item.person",),
    ),
    Section(
        "micro_sets",
        gettext_lazy("Micro-learning daily questions and answers"),
        _micro_sets,
        ("microlearning.QuestionSet.person",),
    ),
    Section("cmi5_launches", gettext_lazy("E-learning launches"), _cmi5_launches, ("lrs.Cmi5Launch.person",)),
    Section("statements", gettext_lazy("Learning records (xAPI statements)"), _statements),
    Section("contact_lists", gettext_lazy("Success-case contact lists it is on"), _contact_lists),
    Section("audit_about", gettext_lazy("Changes to its registration"), _audit_about),
    Section("audit_by", gettext_lazy("Changes it made"), _audit_by, ("core.AuditEntry.actor",)),
    Section("reads", gettext_lazy("Who read its data"), _reads, ("dataprotection.AccessPerson.person",)),
    Section(
        "register_extracts",
        gettext_lazy("Register extracts"),
        _extracts,
        ("dataprotection.RegisterExtract.person",),
    ),
)

# Relations to a person or its account that are deliberately not sections, and why.
EXCLUDED: dict[str, str] = {
    "admin.LogEntry.user": "the operators' changes in the administration, not data of a person in an organisation",
    "org.ImportBatch.uploaded_by": "an uploaded file about other people, deleted after it is confirmed or expires",
    "org.ImportBatch.confirmed_by": "as uploaded_by; the import itself is in the audit entries it made",
    "assessment.Campaign.created_by": "who made a self-assessment: the organisation's work, in the audit entries it made",
    "learning.Proposal.confirmed_by": "the confirming account, named in the person's own proposals section",
    "learning.Booking.booked_by": "the booking account, named in the person's own bookings section",
    "evaluation.Survey.created_by": "who made a final survey: the organisation's work, not data about the person",
    "evaluation.ExportJob.requested_by": "a dashboard export of aggregates, deleted a day after it was asked for",
    "costs.CostEntry.created_by": "who entered an initiative's cost: the organisation's work",
    "successcases.Story.created_by": "who wrote a success-case story: the organisation's work",
    "successcases.ContactList.drawn_by": "who drew a contact list; the people on it are in contact_lists",
    "followup.FollowUp.recorded_by": "the recording account, named in the person's own follow-ups section",
    "retention.Erasure.person": "the marker that a person was pseudonymised: after it no extract names the person",
    "retention.RetentionRule.updated_by": "who set an organisation's retention times: the organisation's work",
    "retention.RetentionRun.requested_by": "who started a retention run: the organisation's work, in its audit entries",
    "microlearning.ModuleSetting.updated_by": "who switched micro-learning on for a module: the organisation's work",
    "microlearning.TeamChallenge.started_by": "who started a team challenge: the organisation's work",
    "microlearning.InitiativeSetting.updated_by": "who switched micro-learning for an initiative: the organisation's work",
    "dataprotection.RegisterExtract.requested_by": "the extracts a lead made of other people, about them; the asking is in its audit entries",
    "dataprotection.AccessEntry.reader": "what it read of others is about those people, shown to them",
    "dataprotection.AccessEntry.reader_person": "the reader as a person: as reader, about the people read",
}

NOT_INCLUDED = (
    gettext_lazy(
        "Module evaluations and final survey answers are not included: they are anonymous and "
        "cannot be traced to you (only that you were asked and when you answered is kept)."
    ),
    gettext_lazy(
        "Figures about groups (gaps per unit, reports, indicators) are not about you and are not included."
    ),
)


def person_header(person: Any) -> dict[str, Any]:
    from django.conf import settings

    from kompetenslyft.org.models import Gender

    genders = dict(Gender.choices)
    languages = dict(settings.LANGUAGES)
    return {
        "organisation": person.organisation.name,
        "employee_id": person.employee_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "gender": person.gender,
        "gender_label": str(genders[person.gender]) if person.gender in genders else person.gender,
        "language": person.language,
        "language_label": str(languages[person.language])
        if person.language in languages
        else person.language,
        "start_date": person.start_date,
        "unit": person.unit.name,
        "role": person.role.name,
        "active": person.is_active,
        "deactivated_on": person.deactivated_on,
    }


def collect(person: Any, *, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The extract of ``person`` (a Person with organisation, unit, role and user at hand) in
    the active language, its values as Python values (:func:`build` writes them as JSON holds
    them); ``progress`` is told the per cent done after each few sections."""
    sections = []
    for number, section in enumerate(SECTIONS, start=1):
        sections.append({"key": section.key, "title": str(section.title), "rows": section.rows(person)})
        if progress is not None and number % 6 == 0:
            progress(5 + round(80 * number / len(SECTIONS)))
    return {
        "format": FORMAT,
        "version": VERSION,
        "made_at": timezone.now(),
        "language": _language(),
        "person": person_header(person),
        "not_included": [str(text) for text in NOT_INCLUDED],
        "sections": sections,
    }


def build(person: Any, *, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The extract of ``person`` as the JSON file holds it (:func:`collect`, written plain)."""
    return Presenter().plain(collect(person, progress=progress))


def _language() -> str:
    from django.utils.translation import get_language

    return get_language() or "sv"
