"""The evaluations import of formats.md: one row per answer, written only through
:func:`.services.store_answers`.

* ``response_id`` keys rows: an id already imported is skipped; a file that repeats one is
  refused, naming both rows.
* A file's rows without a ``response_id`` are remembered by a digest of their content
  (:class:`~.models.ImportedFile`): importing the same content again changes nothing.
* ``employee_id``, where given, only places the answer (the person's unit, role and gender on
  the date) and marks the person as having answered (a :class:`~.models.Request` with
  ``answered_on``); it is never stored with the answer.
* The rows are shuffled before they are written, so that the order of the file (often the
  order of answering, or sorted by person) leaves no trace in the tables. The requests are
  created and updated in an order of their own (a second, independent shuffle): otherwise their
  consecutive ids would follow the file, as the answers' ``response_id`` do, and joining the two
  by rank would link an answer to its person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetenslyft.core.db import analyse
from kompetenslyft.core.importing import ImportResult, register
from kompetenslyft.core.queue import enqueue
from kompetenslyft.core.tabular import Table
from kompetenslyft.learning.imports import modules_by_code, parse_day
from kompetenslyft.org.models import Person

from .models import ITEMS, LEVEL, Answer, Comment, ImportedFile, QuestionAnswer, Request
from .services import Given, Where, placement_of, store_answers
from .summary import publication_deferred

REQUIRED = ("module_code", "date")
OPTIONAL = (*ITEMS[:1], LEVEL, *ITEMS[1:], "comment", "employee_id", "response_id")
SCALES = {"motivated": 4, "method_good": 4, "important": 4, "will_use": 4, "level": 5}
BATCH = 2000
MAX_COMMENT = 10000
MAX_RESPONSE_ID = 128

_shuffle = random.SystemRandom().shuffle
_shuffle_requests = random.SystemRandom().shuffle


@dataclass
class _Row:
    number: int
    module_id: int
    module_code: str
    day: dt.date
    values: dict[str, int | None]
    comment: str
    person_id: int | None
    response_id: str

    def canonical(self) -> list[Any]:
        """What the digest of a file is made of: the content, not its spelling (CSV or Excel,
        separator, column order, case of the module code)."""
        return [
            self.module_code.casefold(),
            self.day.isoformat(),
            *(self.values[name] for name in SCALES),
            self.comment,
            self.person_id,
        ]


def _scale(value: str, top: int) -> int | None | bool:
    """An empty cell is None; 1..top is the number; anything else False."""
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and 1 <= int(text) <= top:
        return int(text)
    return False


def _import_evaluations(
    table: Table, organisation: Any, actor: Any, result: ImportResult, **_options: Any
) -> None:
    modules = modules_by_code(organisation)
    people = dict(Person.objects.filter(organisation=organisation).values_list("employee_id", "pk"))
    today = timezone.localdate()
    seen_ids: dict[str, int] = {}
    seen_people: dict[tuple[int, int, dt.date], int] = {}
    rows: list[_Row] = []
    for number, data in table.rows:
        code = data["module_code"].strip()
        module = modules.get(code.casefold()) if code else None
        if not code:
            result.error(number, "module_code", _("is empty"))
        elif module is None:
            result.error(
                number,
                "module_code",
                _("'%(value)s' is not a module (import or create it first)") % {"value": code},
            )
        day = parse_day(data["date"]) if data["date"].strip() else None
        if day is None:
            result.error(
                number, "date", _("'%(value)s' is not a date (use YYYY-MM-DD)") % {"value": data["date"]}
            )
        elif day > today:
            result.error(number, "date", _("'%(value)s' is in the future") % {"value": data["date"]})
        values: dict[str, int | None] = {}
        bad = False
        for name, top in SCALES.items():
            value = _scale(data.get(name, ""), top)
            if value is False:
                bad = True
                result.error(
                    number,
                    name,
                    _("'%(value)s' is not a whole number from 1 to %(top)s")
                    % {"value": data.get(name, ""), "top": top},
                )
            else:
                values[name] = value  # type: ignore[assignment]
        comment = data.get("comment", "").strip()
        if len(comment) > MAX_COMMENT:
            bad = True
            result.error(number, "comment", _("is longer than %(limit)s characters") % {"limit": MAX_COMMENT})
        if not bad and not comment and all(v is None for v in values.values()):
            bad = True
            result.error(
                number,
                "motivated",
                _(
                    "the row holds no answer: motivated, level, method_good, important, will_use "
                    "and comment are all empty"
                ),
            )
        employee_id = data.get("employee_id", "").strip()
        person_id = people.get(employee_id) if employee_id else None
        if employee_id and person_id is None:
            bad = True
            result.error(
                number,
                "employee_id",
                _("'%(value)s' is not a person of the organisation") % {"value": employee_id},
            )
        response_id = data.get("response_id", "").strip()
        if len(response_id) > MAX_RESPONSE_ID:
            bad = True
            result.error(
                number,
                "response_id",
                _("is longer than %(limit)s characters") % {"limit": MAX_RESPONSE_ID},
            )
        elif response_id and not result.first_time(
            seen_ids,
            response_id,
            number,
            "response_id",
            _("'%(value)s' appears again (first in row %%(first)s)") % {"value": response_id},
        ):
            bad = True
        if module is None or day is None or bad:
            continue
        if person_id is not None and not result.first_time(
            seen_people,
            (person_id, module.pk, day),
            number,
            "employee_id",
            _("the same person, module and date appear again (first in row %(first)s)"),
        ):
            continue
        rows.append(_Row(number, module.pk, module.code, day, values, comment, person_id, response_id))
    if result.error_count:
        return
    _write(rows, organisation, result, today)


def _write(rows: list[_Row], organisation: Any, result: ImportResult, today: dt.date) -> None:
    # Rows keyed on response_id: skip the ids already imported.
    keyed = [row for row in rows if row.response_id]
    known: set[str] = set()
    ids = [row.response_id for row in keyed]
    for start in range(0, len(ids), BATCH):
        known.update(
            Answer.objects.filter(
                organisation=organisation, response_id__in=ids[start : start + BATCH]
            ).values_list("response_id", flat=True)
        )
    wanted = [row for row in keyed if row.response_id not in known]
    skipped = len(keyed) - len(wanted)
    # Rows without one: the same content imported before changes nothing.
    anonymous = [row for row in rows if not row.response_id]
    digest = ""
    new_digest = False
    if anonymous:
        content = sorted(json.dumps(row.canonical(), ensure_ascii=False) for row in anonymous)
        digest = hashlib.sha256("\n".join(content).encode()).hexdigest()
        if ImportedFile.objects.filter(organisation=organisation, digest=digest).exists():
            skipped += len(anonymous)
        else:
            wanted.extend(anonymous)
            new_digest = True
    # A person answers an occurrence once: one already marked as having answered is refused.
    requests = _requests_of(organisation, wanted)
    for row in wanted:
        if row.person_id is None:
            continue
        found = requests.get((row.person_id, row.module_id, row.day))
        if found is not None and found.answered_on is not None:
            result.error(
                row.number,
                "employee_id",
                _("this person has already answered the evaluation of %(module)s on %(date)s")
                % {"module": row.module_code, "date": row.day.isoformat()},
            )
    if result.error_count:
        return
    given: list[Given] = []
    placements: dict[tuple[int, dt.date], Where] = {}
    persons = {p.pk: p for p in Person.objects.filter(pk__in={r.person_id for r in wanted if r.person_id})}
    for row in wanted:
        where = Where()
        if row.person_id is not None:
            key = (row.person_id, row.day)
            if key not in placements:
                placements[key] = placement_of(persons[row.person_id], row.day)
            where = placements[key]
        given.append(
            Given(
                module_id=row.module_id,
                occurred_on=row.day,
                where=where,
                comment=row.comment,
                response_id=row.response_id,
                **row.values,  # type: ignore[arg-type]
            )
        )
    _shuffle(given)
    # One publication for the whole file, after the requests are marked answered (ADR 0005).
    with publication_deferred():
        for start in range(0, len(given), BATCH):
            store_answers(organisation.pk, given[start : start + BATCH], reshuffle=False)
        marked = _mark_answered(organisation, wanted, requests)
    if new_digest:
        ImportedFile.objects.create(organisation=organisation, digest=digest, imported_on=today)
    if given:
        analyse(Answer, Comment, QuestionAnswer, Request)
        result.counts["new"] = len(given)
        enqueue("evaluation.results_snapshot_task", organisation.pk)
    if skipped:
        result.counts["unchanged"] = skipped
    if marked:
        result.counts["people_marked_answered"] = marked


def _requests_of(organisation: Any, rows: list[_Row]) -> dict[tuple[int, int, dt.date], Request]:
    person_ids = sorted({row.person_id for row in rows if row.person_id is not None})
    found: dict[tuple[int, int, dt.date], Request] = {}
    for start in range(0, len(person_ids), BATCH):
        for request in Request.objects.filter(
            person_id__in=person_ids[start : start + BATCH],
            module_id__in={row.module_id for row in rows},
        ):
            found[(request.person_id, request.module_id, request.occurred_on)] = request
    return found


def _mark_answered(
    organisation: Any, rows: list[_Row], requests: dict[tuple[int, int, dt.date], Request]
) -> int:
    """A request per (person, module, date), answered on the row's date (created or updated).
    Says that the person answered, never what. Written in a random order of their own, so
    that request ids (consecutive, in the order created) say nothing about the file's order."""
    days = dt.timedelta(days=int(organisation.evaluation_days))
    new: list[Request] = []
    changed: list[Request] = []
    people_rows = [(row.person_id, row) for row in rows if row.person_id is not None]
    _shuffle_requests(people_rows)
    for person_id, row in people_rows:
        request = requests.get((person_id, row.module_id, row.day))
        if request is None:
            new.append(
                Request(
                    organisation=organisation,
                    person_id=person_id,
                    module_id=row.module_id,
                    occurred_on=row.day,
                    opens_on=row.day,
                    closes_on=row.day + days,
                    answered_on=row.day,
                )
            )
        else:
            request.answered_on = row.day
            changed.append(request)
    Request.objects.bulk_create(new, batch_size=BATCH)
    Request.objects.bulk_update(changed, ["answered_on"], batch_size=BATCH)
    return len(new) + len(changed)


register(
    "evaluations",
    required=REQUIRED,
    optional=OPTIONAL,
    handler=_import_evaluations,
    label=gettext_lazy(
        "Evaluations (module_code, date, motivated, level, method_good, important, will_use, …)"
    ),  # type: ignore[arg-type]
)
