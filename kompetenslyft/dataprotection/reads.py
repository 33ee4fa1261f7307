"""Who looked at whom: the person-level pages and exports whose reads are logged (ADR 0017).

Every page or export that shows data of a named person to someone other than that person
calls :func:`log_read` with the people it showed (one ``AccessEntry`` per read and
organisation, one ``AccessPerson`` row per person, in bulk). The views, found by walking the
URL patterns for person ids (``<id:pk>`` of a person, a ``person`` parameter) and every page
that lists people with data beyond their name:

==============================  ==========================================================
URL name                        what is logged
==============================  ==========================================================
org:person                      a person's page (registration, placements, requirements,
                                self-assessments it was asked to answer)
org:people_export               the people list as CSV: every person of the file
learning:team                   team progress: the page's people (status per person)
learning:proposals              an initiative's proposals: the page's people
learning:proposal               one person's proposal (assigned, exempt and why)
learning:session                a session's register: its participants shown
learning:support                a trainer's support inbox: the askers shown
learning:support_overview       the lead's support overview: the askers shown
assessment:team                 team competences: the page's people × levels
assessment:gap_people           the people below the goal behind a gap
followup:list                   the manager's follow-up talks: the page's people
followup:record                 one follow-up talk about a person (its form)
followup:change                 the same, changing a recorded talk
successcases:contacts           a success-case contact list (names to interview)
successcases:contacts_csv       the same list as CSV
dataprotection:extract_for      a lead asks for a person's register extract (with a reason)
==============================  ==========================================================

Exempt, with the reason, in :data:`EXEMPT`. A test walks every URL pattern and fails when one
that names a person (a person id in the route, or a view reading a ``person`` parameter) is in
neither :data:`LOGGED` nor :data:`EXEMPT`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from .models import AccessKind
from .services import access_record, access_record_people

LOGGED: dict[str, str] = {
    "org:person": AccessKind.PERSON_PAGE,
    "org:people_export": AccessKind.PEOPLE_EXPORT,
    "learning:team": AccessKind.TEAM_PROGRESS,
    "learning:proposals": AccessKind.PROPOSAL,
    "learning:proposal": AccessKind.PROPOSAL,
    "learning:session": AccessKind.SESSION_REGISTER,
    "learning:support": AccessKind.SUPPORT_QUESTIONS,
    "learning:support_overview": AccessKind.SUPPORT_QUESTIONS,
    "assessment:team": AccessKind.TEAM_COMPETENCES,
    "assessment:gap_people": AccessKind.GAP_PEOPLE,
    "followup:list": AccessKind.FOLLOW_UPS,
    "followup:record": AccessKind.FOLLOW_UP,
    "followup:change": AccessKind.FOLLOW_UP,
    "successcases:contacts": AccessKind.CONTACT_LIST,
    "successcases:contacts_csv": AccessKind.CONTACT_LIST_EXPORT,
    "dataprotection:extract_for": AccessKind.REGISTER_EXTRACT,
    # each download by its asker (not the person itself) is a read of the whole register
    "dataprotection:extract_file": AccessKind.REGISTER_EXTRACT,
    "retention:overview": AccessKind.PEOPLE_LIST,  # the people the dry run would pseudonymise
}

EXEMPT: dict[str, str] = {
    "org:people": "the directory (name, unit, role) shown to leads and managers; each person's page is logged",
    "org:me": "the person's own page (a redirect to it)",
    "assessment:me": "the person's own gaps",
    "learning:me": "the person's own journey",
    "learning:journey_book": "the person books itself",
    "learning:journey_booking_cancel": "the person cancels its own booking",
    "learning:support_ask": "the person asks its own question",
    "learning:session_book": "a POST that books people picked from the logged register's page",
    "learning:session_attendance": "a POST that records attendance on the logged register's page",
    "learning:book_assigned_session": "lists the viewer's own assigned people to book: a form on the logged team page's data",
    "learning:proposal_confirm": "a POST changing the logged proposal",
    "learning:proposal_swap": "a POST changing the logged proposal",
    "learning:proposal_exempt": "a POST changing the logged proposal",
    "learning:proposals_confirm_all": "a POST changing the logged proposals",
    "assessment:gap_propose": "a POST proposing modules for the people of the logged drill-down",
    "lrs:agents": "machine access by an organisation's LRS client key (xAPI), not a page read by a person",
    "lrs:agent_profile": "machine access by an organisation's LRS client key (xAPI)",
    "lrs:statements": "machine access by an organisation's LRS client key (xAPI)",
    "home": "the start page: the viewer's own cards, counts and links to the logged pages",
    "assessment:answer": "the person answers its own self-assessment",
    "evaluation:mine": "the person answers its own module evaluation",
    "evaluation:session": "the person answers its own module evaluation (from the room's QR code)",
    "cmi5:launch": "the person launches its own e-learning",
    "learning:module": "a module's page: the viewer's own booking and enrolment",
    "learning:session_create": "a trainer or lead schedules a session; no person's data is shown",
    "learning:support_answer": "a POST answering a question of the logged support inbox",
    "dataprotection:my_data": "the person's own data",
    "dataprotection:extract_own": "the person asks for its own extract",
    "dataprotection:extract": "the extract's progress page: only its asker and the person (the asking is logged)",
    "dataprotection:access_entry": "the data protection officer's log itself (names and employee ids only)",
    "retention:decide": "a lead's confirmation to pseudonymise, reached from the logged person page; the decision is audited",
}


# Filters whose values are free text a reader typed (a name, an e-mail): the log keeps that a
# search was made, not what was searched (it would keep a name after its person is pseudonymised).
FREE_TEXT = frozenset({"q", "search", "query", "name", "email"})


def logged_path(request: HttpRequest) -> str:
    """The page read, with its filters; free-text filters' values left out."""
    query = request.GET.copy()
    for key in FREE_TEXT & set(query):
        query.setlist(key, ["*"])
    encoded = query.urlencode(safe="*")
    return (request.path + (f"?{encoded}" if encoded else ""))[:500]


def log_read(request: HttpRequest, kind: str, people: Iterable[Any]) -> None:
    """Log that the request's user saw ``people`` (Person objects, or rows with ``id`` and
    ``organisation_id``) on a page or in an export of ``kind``."""
    access_record_people(reader=request.user, kind=kind, people=people, path=logged_path(request))


def log_read_ids(request: HttpRequest, kind: str, pairs: Iterable[tuple[int, int]]) -> None:
    """:func:`log_read` for ``(person id, organisation id)`` pairs (exports of many people)."""
    access_record(reader=request.user, kind=kind, people=pairs, path=logged_path(request))
