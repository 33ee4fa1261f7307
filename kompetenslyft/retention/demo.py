"""The demo's leavers: people who left Solvik kommun long enough ago that the retention rule for
leavers (24 months by default) pseudonymises them — the lead's dry run lists them, the nightly
``kompetenslyft retention`` does it — and one who left recently and is not due yet."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.org.models import Person, Placement, Role, Unit

# (employee id, given name, family name, unit, role, days since the last day of work)
LEAVERS = [
    ("S9001", "Birgitta", "Holmqvist", "VOF-HT-N", "undersköterska", 3 * 365 + 40),
    ("S9002", "Jonas", "Lindkvist", "VOF-HT-S", "vårdbiträde", 2 * 365 + 120),
    ("S9003", "Marianne", "Ek", "VOF-SB-LIN", "undersköterska", 2 * 365 + 60),
    ("S9004", "Ahmed", "Yousef", "VOF-FS-BJO", "stödassistent", 4 * 365 + 10),
    ("S9005", "Sara", "Nyström", "VOF-HT-C", "undersköterska", 200),  # not due for more than a year
]


def leavers_for_demo(organisation: Any, *, today: dt.date | None = None) -> list[Person]:
    """Add the leavers (once: people already there are left as they are)."""
    today = today or timezone.localdate()
    units = {u.unit_id: u for u in Unit.objects.filter(organisation=organisation)}
    roles = {r.name: r for r in Role.objects.filter(organisation=organisation)}
    made = []
    for employee_id, given, family, unit_id, role_name, days in LEAVERS:
        if Person.objects.filter(organisation=organisation, employee_id=employee_id).exists():
            continue
        left = today - dt.timedelta(days=days)
        started = left - dt.timedelta(days=5 * 365)
        person = Person.objects.create(
            organisation=organisation,
            employee_id=employee_id,
            given_name=given,
            family_name=family,
            email=f"{given}.{family}.{employee_id[1:]}@solvik.se".lower().translate(
                str.maketrans("åäö", "aao")
            ),
            gender="man" if given in {"Jonas", "Ahmed"} else "woman",
            language="sv",
            start_date=started,
            unit=units[unit_id],
            role=roles[role_name],
            is_active=False,
            deactivated_on=left,
        )
        Placement.objects.create(
            person=person, unit=person.unit, role=person.role, valid_from=started, valid_to=left
        )
        made.append(person)
    audit_record_many(
        actor=None,
        organisation=organisation,
        events=[
            AuditEvent("person.deactivated", "person", p.employee_id, p.full_name, {"demo": True})
            for p in made
        ],
    )
    return made
