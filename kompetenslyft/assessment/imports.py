"""The assessments import of formats.md: answers collected in another tool."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.competence.imports import competence_for_row, parse_level
from kompetenslyft.competence.selectors import competence_codes
from kompetenslyft.core.audit import AuditEvent, audit_record_many
from kompetenslyft.core.db import analyse
from kompetenslyft.core.importing import ImportResult, register
from kompetenslyft.core.params import int_or_none
from kompetenslyft.core.tabular import Table
from kompetenslyft.org.models import Person

from .models import Answer
from .services import update_latest


def parse_moment(value: str) -> dt.datetime | None:
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y"):
        try:
            moment = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware just below
        except ValueError:
            continue
        return timezone.make_aware(moment)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _import_assessments(
    table: Table, organisation: Any, actor: Any, result: ImportResult, **_options: Any
) -> None:
    people = dict(Person.objects.filter(organisation=organisation).values_list("employee_id", "pk"))
    index = competence_codes(organisation)
    now = timezone.now()
    seen: dict[tuple[int, int, int], int] = {}
    wanted: dict[tuple[int, int, int], tuple[int, dt.datetime | None]] = {}
    for number, data in table.rows:
        person_id = people.get(data["employee_id"])
        if not data["employee_id"]:
            result.error(number, "employee_id", _("is empty"))
        elif person_id is None:
            result.error(
                number,
                "employee_id",
                _("'%(value)s' is not a person of the organisation") % {"value": data["employee_id"]},
            )
        competence_id = competence_for_row(index, data["competence_code"], number, result)
        level = parse_level(data["level"])
        if level is None:
            result.error(number, "level", _("'%(value)s' is not a level 0–4") % {"value": data["level"]})
        point_text = data["measurement_point"].strip().removesuffix(".0")
        point = int_or_none(point_text)
        point = point if point is not None and point < 1000 else None
        if point is None:
            result.error(
                number,
                "measurement_point",
                _("'%(value)s' is not a measurement point (0, 1, 2 …)")
                % {"value": data["measurement_point"]},
            )
        moment: dt.datetime | None = None
        if data.get("measured_at"):
            parsed = parse_moment(data["measured_at"])
            if parsed is None:
                result.error(
                    number,
                    "measured_at",
                    _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": data["measured_at"]},
                )
            else:
                moment = parsed
        if person_id is None or competence_id is None or level is None or point is None:
            continue
        key = (person_id, competence_id, point)
        if result.first_time(
            seen,
            key,
            number,
            "measurement_point",
            _("the same person, competence and measurement point appear again (first in row %(first)s)"),
        ):
            wanted[key] = (level, moment)
    if result.errors:
        return
    existing = {
        (a.person_id, a.competence_id, a.measurement_point): a
        for a in Answer.objects.filter(
            person_id__in={k[0] for k in wanted}, competence_id__in={k[1] for k in wanted}
        )
    }
    to_create, to_update = [], []
    for key, (level, moment) in wanted.items():
        answer = existing.get(key)
        if answer is None:
            to_create.append(
                Answer(
                    person_id=key[0],
                    competence_id=key[1],
                    measurement_point=key[2],
                    level=level,
                    measured_at=moment or now,
                    source=Answer.Source.IMPORT,
                    is_latest=False,
                )
            )
            result.counts["new"] = result.counts.get("new", 0) + 1
        elif answer.level != level or (moment is not None and answer.measured_at != moment):
            answer.level, answer.measured_at = level, moment or now
            to_update.append(answer)
            result.counts["changed"] = result.counts.get("changed", 0) + 1
        else:
            result.counts["unchanged"] = result.counts.get("unchanged", 0) + 1
    Answer.objects.bulk_create(to_create, batch_size=2000)
    Answer.objects.bulk_update(to_update, ["level", "measured_at"], batch_size=2000)
    update_latest({(k[0], k[1]) for k in wanted})
    if to_create or to_update:
        analyse(Answer)
        audit_record_many(
            actor=actor,
            organisation=organisation,
            events=[
                AuditEvent(
                    "assessments.imported",
                    "organisation",
                    organisation.code,
                    organisation.name,
                    {"new": len(to_create), "changed": len(to_update)},
                )
            ],
        )


register(
    "assessments",
    required=("employee_id", "competence_code", "level", "measurement_point"),
    optional=("measured_at",),
    handler=_import_assessments,
)
