"""A final survey's results under the disclosure control, for everyone who sees them (the lead
included): per question the positive share (3–4) and the distribution, free-text answers as a
separate list sorted by text, and the response rate, for the whole survey or filtered by unit
(subtree), role and gender.

The survey's respondents (:class:`~.models.SurveyResponse`) are counted per placement (unit,
role, gender); these cells are the atoms of a release of fixed blocks made by
:func:`kompetenslyft.core.disclosure.pool_paths` over the paths (survey, unit ancestry…, "·",
gender, role, cell). A figure is shown only where the cells a filter selects are an exact union
of whole blocks of k or more respondents, so no difference of filters singles out fewer than k.
The requests (who was asked, placed the same on the day the survey was sent) have a release of
their own: a response rate is shown only where both its counts are. The whole is read once per
survey version (raised with every response and request written) and memoised, as
:mod:`.cube` does for the module evaluations. The questions' figures are shown only once the
survey has closed or everyone asked has answered (:func:`results_released`), and a question
only where it has k or more answers itself.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from kompetenslyft.core import disclosure

from .cube import DIRECT, GENDERS, UNPLACED
from .models import Question, QuestionAnswer, Survey, SurveyRequest, SurveyResponse

Place = tuple[int | None, int | None, str]  # unit, role, gender


@dataclass(frozen=True)
class SurveyScope:
    """A filter; the parts combine. ``unit`` covers its subtree."""

    unit: int | None = None
    role: int | None = None
    gender: str | None = None  # woman | man | other


class SurveyCube:
    """One survey's respondents, requests and answers per placement, with both releases."""

    def __init__(
        self,
        survey_id: int,
        threshold: int,
        parents: Mapping[int, int | None],
        questions: list[tuple[int, str, str]],
        respondents: Iterable[tuple[Place, int]],
        requests: Iterable[tuple[Place, int]],
        values: Iterable[tuple[int, Place, int, int]],
        texts: Iterable[tuple[int, Place, str]],
    ) -> None:
        self.threshold = max(1, int(threshold))
        self.parents = parents
        self.questions = questions
        self._ancestry: dict[int, tuple[int, ...]] = {}
        self.index: dict[Place, int] = {}
        self.places: list[Place] = []
        self.respondents: list[int] = []
        self.requests: list[int] = []
        for place, n in respondents:
            self.respondents[self._cell(place)] += n
        for place, n in requests:
            self.requests[self._cell(place)] += n
        self.values: dict[int, dict[int, list[int]]] = defaultdict(dict)  # question → cell → [n1..n4]
        for question_id, place, value, n in values:
            if 1 <= value <= 4:
                counts = self.values[question_id].setdefault(self._cell(place), [0, 0, 0, 0])
                counts[value - 1] += n
        self.texts: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for question_id, place, text in texts:
            self.texts[question_id].append((self._cell(place), text))
        self.response_blocks, self.response_block = self._release(survey_id, self.respondents)
        self.request_blocks, self.request_block = self._release(survey_id, self.requests)

    def _cell(self, place: Place) -> int:
        found = self.index.get(place)
        if found is None:
            found = self.index[place] = len(self.places)
            self.places.append(place)
            self.respondents.append(0)
            self.requests.append(0)
        return found

    def ancestry(self, unit_id: int) -> tuple[int, ...]:
        """Top unit, …, the unit (a unit no longer in the tree is a top unit of its own)."""
        found = self._ancestry.get(unit_id)
        if found is None:
            parent = self.parents.get(unit_id)
            found = (*(self.ancestry(parent) if parent else ()), unit_id)
            self._ancestry[unit_id] = found
        return found

    def _release(self, survey_id: int, counts: list[int]) -> tuple[disclosure.Blocks, list[int]]:
        """The release over the cells' paths, and each cell's block (−1: an empty cell)."""
        paths: dict[tuple[Hashable, ...], int] = {}
        for i, (unit_id, role_id, gender) in enumerate(self.places):
            if unit_id is None:
                path: tuple[Hashable, ...] = (survey_id, UNPLACED, i)
            else:
                path = (survey_id, *self.ancestry(unit_id), DIRECT, gender, role_id or 0, i)
            paths[path] = counts[i]
        blocks = disclosure.pool_paths(paths, self.threshold)
        block_of = [-1] * len(self.places)
        for atom, block in blocks.block_of.items():
            index: int = atom[-1]  # type: ignore[index]  # paths end with the cell's index
            block_of[index] = block
        return blocks, block_of

    # --- selection -------------------------------------------------------------------------------

    def cells(self, scope: SurveyScope) -> list[int]:
        chosen = []
        for i, (unit_id, role_id, gender) in enumerate(self.places):
            if scope.unit is not None and (unit_id is None or scope.unit not in self.ancestry(unit_id)):
                continue
            if scope.role is not None and role_id != scope.role:
                continue
            if scope.gender is not None and gender != scope.gender:
                continue
            chosen.append(i)
        return chosen

    def _shown(
        self, blocks: disclosure.Blocks, block_of: list[int], cells: list[int], counts: list[int]
    ) -> bool:
        """Whether the cells' sum may be shown: 0, or k or more made of whole blocks."""
        n = sum(counts[i] for i in cells)
        if n and n < self.threshold:
            return False
        touched: dict[int, int] = defaultdict(int)
        for i in cells:
            if block_of[i] >= 0:
                touched[block_of[i]] += 1
        return all(n == blocks.atoms_in[b] and blocks.size[b] >= self.threshold for b, n in touched.items())

    def results(self, scope: SurveyScope, *, released: bool = True) -> dict[str, Any]:
        """The figures for a filter. Without ``released`` (the survey still open and not
        everyone answered), no question's figures: read before and after one person answers,
        they would tell that answer; the response rate may show. A question is shown only
        where the respondents are (whole blocks) and it has k or more answers there itself."""
        cells = self.cells(scope)
        respondents = sum(self.respondents[i] for i in cells)
        requests = sum(self.requests[i] for i in cells)
        shown = self._shown(self.response_blocks, self.response_block, cells, self.respondents)
        requests_shown = self._shown(self.request_blocks, self.request_block, cells, self.requests)
        rate_shown = shown and requests_shown
        questions = []
        for question_id, text, kind in self.questions:
            item: dict[str, Any] = {"id": question_id, "text": text, "kind": kind}
            if kind == Question.Kind.SCALE:
                counts = [0, 0, 0, 0]
                for i in cells:
                    for v, n in enumerate(self.values[question_id].get(i, ())):
                        counts[v] += n
                answered = sum(counts)
                ok = released and shown and answered >= self.threshold
                item["answers"] = answered if ok else None
                item["positive_share"] = (counts[2] + counts[3]) / answered if ok else None
                item["distribution"] = [c / answered for c in counts] if ok else None
            else:
                chosen = set(cells)
                texts = sorted(t for i, t in self.texts.get(question_id, []) if i in chosen)
                ok = released and shown and len(texts) >= self.threshold
                item["texts"] = texts if ok else None
            questions.append(item)
        return {
            "threshold": self.threshold,
            "released": released,
            "shown": shown,
            "respondents": respondents if shown else None,
            "requests": requests if requests_shown else None,
            "response_rate": (respondents / requests if requests else 0.0) if rate_shown else None,
            "questions": questions,
        }


_LOCK = threading.Lock()
_CUBES: OrderedDict[tuple[Any, ...], SurveyCube] = OrderedDict()
_KEPT = 8


def _place_rows(rows: Iterable[tuple[Any, ...]]) -> Iterable[tuple[Place, int]]:
    for unit_id, role_id, gender, n in rows:
        yield (unit_id, role_id, gender if gender in GENDERS else "other"), n


def survey_cube(survey: Survey) -> SurveyCube:
    """The survey's cube at its current version (memoised per process; never a stale one)."""
    from django.db.models import Count

    from kompetenslyft.org.models import Unit

    fresh = Survey.objects.filter(pk=survey.pk).values_list("version", "created_at").get()
    threshold = int(survey.organisation.anonymity_threshold)
    key = (survey.pk, fresh[1], fresh[0], threshold)
    with _LOCK:
        found = _CUBES.get(key)
        if found is not None:
            _CUBES.move_to_end(key)
            return found
    parents = dict(Unit.objects.filter(organisation_id=survey.organisation_id).values_list("pk", "parent_id"))
    place = ("unit_id", "role_id", "gender")
    questions = list(survey.questions.order_by("position", "id").values_list("pk", "text", "kind"))
    answers = QuestionAnswer.objects.filter(question__survey=survey)
    cube = SurveyCube(
        survey.pk,
        threshold,
        parents,
        questions,
        _place_rows(
            SurveyResponse.objects.filter(survey=survey)
            .values(*place)
            .annotate(n=Count("id"))
            .values_list(*place, "n")
            .order_by()
        ),
        _place_rows(
            SurveyRequest.objects.filter(survey=survey)
            .values(*place)
            .annotate(n=Count("id"))
            .values_list(*place, "n")
            .order_by()
        ),
        (
            (question_id, (u, r, g if g in GENDERS else "other"), value, n)
            for question_id, u, r, g, value, n in answers.filter(value__isnull=False)
            .values("question_id", *place, "value")
            .annotate(n=Count("id"))
            .values_list("question_id", *place, "value", "n")
            .order_by()
        ),
        (
            (question_id, (u, r, g if g in GENDERS else "other"), text)
            for question_id, u, r, g, text in answers.exclude(text="")
            .values_list("question_id", *place, "text")
            .iterator(chunk_size=5000)
        ),
    )
    with _LOCK:
        _CUBES[key] = cube
        while len(_CUBES) > _KEPT:
            _CUBES.popitem(last=False)
    return cube


def results_released(survey: Survey, today: dt.date | None = None) -> bool:
    """Whether the survey's answers may be shown: it has closed (``closes_on`` passed), or it
    was sent to everyone and everyone asked has answered (no answer can come any more).
    Before that the figures would change with each answer, and reading them before and after
    one person answers would tell that answer."""
    today = today or timezone.localdate()
    if survey.status == Survey.Status.DRAFT:
        return False
    if survey.closes_on is not None and survey.closes_on < today:
        return True
    return (
        survey.status == Survey.Status.SENT
        and SurveyRequest.objects.filter(survey=survey).exists()
        and not SurveyRequest.objects.filter(survey=survey, answered_on__isnull=True).exists()
    )


def survey_results(survey: Survey, scope: SurveyScope | None = None) -> dict[str, Any]:
    """``{"threshold", "released", "shown", "respondents", "requests", "response_rate",
    "questions": [...]}`` for the filter; every figure ``None`` where it may not be shown, and
    the questions' figures only once :func:`results_released`."""
    return survey_cube(survey).results(scope or SurveyScope(), released=results_released(survey))
