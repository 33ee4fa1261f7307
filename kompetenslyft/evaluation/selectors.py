"""Reads of the evaluation domain for the results pages, scoped by :mod:`kompetenslyft.core.access`.

Who sees which results (PRODUCT.md, issue 8) is a set of *lenses*, one per role and
organisation: the organisation's (lead, top management, evaluator), a project leader's (the
modules of its initiatives), a manager's (the units it manages and those below) and a trainer's
(the modules of the sessions it trains). Each lens narrows the modules and units a filter may
name; every figure inside it still comes from :func:`.results.evaluation_results`, so the
threshold and the release of fixed blocks apply to everyone. Free text (comments, the text
answers of an initiative's questions) is read only for a group whose figure is shown, with
exactly that figure's filters, and never for aggregates-only viewers (top management, the
evaluator)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation

from kompetenslyft.core.access import Access
from kompetenslyft.core.models import ProductRole
from kompetenslyft.learning.models import Initiative, Module, Session
from kompetenslyft.learning.module_selectors import modules_used_by
from kompetenslyft.org.models import Organisation, Role, Unit

from .models import Comment, Question, QuestionAnswer, Request
from .results import Query, subtree_ids

LENSES = ("organisation", "project_leader", "manager", "trainer")
SHOWN_TEXTS = 200  # comments or text answers listed per group


@dataclass(frozen=True)
class Lens:
    key: str  # one of LENSES
    organisation: Organisation
    modules: frozenset[int] | None = None  # None: every module
    unit_paths: tuple[str, ...] | None = None  # None: every unit of the organisation
    initiative_ids: frozenset[int] | None = None  # None: every initiative of the organisation
    free_text: bool = True

    @property
    def value(self) -> str:
        return f"{self.key}-{self.organisation.pk}"

    def units(self) -> QuerySet[Unit]:
        units = Unit.objects.filter(organisation=self.organisation)
        if self.unit_paths is not None:
            q = Q(pk__in=[])
            for path in self.unit_paths:
                q |= Q(path__startswith=path)
            units = units.filter(q)
        return units.order_by("path")

    def initiatives(self) -> QuerySet[Initiative]:
        initiatives = Initiative.objects.filter(organisation=self.organisation)
        if self.initiative_ids is not None:
            initiatives = initiatives.filter(pk__in=sorted(self.initiative_ids))
        return initiatives.order_by("name")

    def module_choices(self) -> QuerySet[Module]:
        if self.modules is None:
            modules = modules_used_by([self.organisation.pk])  # its own, the network's, adopted
        else:
            modules = Module.objects.filter(pk__in=sorted(self.modules))
        return modules.order_by("code")


def lenses_for(access: Access) -> list[Lens]:
    """Every lens the account may look through, broadest first."""
    lenses: list[Lens] = []
    if access.is_superuser:
        orgs = list(Organisation.objects.order_by("name"))
    else:
        orgs = list(Organisation.objects.filter(pk__in=sorted(access.aggregate_org_ids)).order_by("name"))
    for org in orgs:
        lenses.append(Lens("organisation", org, free_text=access.is_lead_of(org.pk)))
    if access.person_id:
        lenses.extend(_project_leader_lenses(access))
        lenses.extend(_manager_lenses(access))
        lenses.extend(_trainer_lenses(access))
    return lenses


def _project_leader_lenses(access: Access) -> list[Lens]:
    """The initiatives it owns or steers; an empty lens where it holds the role without any."""
    mine = Initiative.objects.filter(
        Q(owners=access.person_id) | Q(steering_group=access.person_id)
    ).distinct()
    by_org: dict[int, set[int]] = {org: set() for org in access.org_ids_with(ProductRole.PROJECT_LEADER)}
    for pk, org in mine.values_list("pk", "organisation_id"):
        by_org.setdefault(org, set()).add(pk)
    modules: dict[int, set[int]] = {}
    for org, module in Initiative.modules.through.objects.filter(
        initiative_id__in=[pk for pks in by_org.values() for pk in pks]
    ).values_list("initiative__organisation_id", "module_id"):
        modules.setdefault(org, set()).add(module)
    return [
        Lens("project_leader", org, frozenset(modules.get(org.pk, ())), None, frozenset(by_org[org.pk]))
        for org in Organisation.objects.filter(pk__in=sorted(by_org)).order_by("name")
    ]


def _manager_lenses(access: Access) -> list[Lens]:
    if not access.managed_paths:
        return []
    paths: dict[int, list[str]] = {}
    for org, path in Unit.objects.filter(manager_id=access.person_id).values_list("organisation_id", "path"):
        if path in access.managed_paths:
            paths.setdefault(org, []).append(path)
    return [
        Lens("manager", org, None, tuple(sorted(paths[org.pk])))
        for org in Organisation.objects.filter(pk__in=sorted(paths)).order_by("name")
    ]


def _trainer_lenses(access: Access) -> list[Lens]:
    """The modules of the sessions it trains, in the organisations running them; an empty lens
    where it holds the role without any session yet."""
    by_org: dict[int, set[int]] = {org: set() for org in access.org_ids_with(ProductRole.TRAINER)}
    for org_id, module in (
        Session.objects.filter(trainers=access.person_id)
        .values_list("organisation_id", "module_id")
        .distinct()
    ):
        by_org.setdefault(org_id, set()).add(module)
    lenses = []
    for organisation in Organisation.objects.filter(pk__in=sorted(by_org)).order_by("name"):
        modules = frozenset(by_org[organisation.pk])
        initiatives = frozenset(
            Initiative.objects.filter(organisation=organisation, modules__in=sorted(modules))
            .values_list("pk", flat=True)
            .distinct()
        )
        lenses.append(Lens("trainer", organisation, modules, None, initiatives))
    return lenses


# --- free text behind a shown figure ---------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """The placement filters of one figure, as :func:`.results.evaluation_results` applies them
    (``role_id`` is the role of ``query.role_name`` in the organisation)."""

    organisation: Organisation
    query: Query
    role_id: int | None

    def q(self) -> Q:
        query = self.query
        q = Q(organisation=self.organisation)
        if query.modules is not None:
            q &= Q(module_id__in=sorted(query.modules))
        if query.month_from is not None:
            q &= Q(month__gte=query.month_from)
        if query.month_to is not None:
            q &= Q(month__lte=query.month_to)
        if query.unit is not None:
            q &= Q(unit_id__in=sorted(subtree_ids(query.unit)))
        if query.role_name is not None:
            q &= Q(role_id=self.role_id if self.role_id is not None else -1)
        if query.gender is not None:
            q &= Q(gender=query.gender)
        if query.unit is not None or query.role_name is not None or query.gender is not None:
            q &= Q(unit__isnull=False)
        return q


def placed(organisation: Organisation, query: Query) -> Placed:
    role_id = None
    if query.role_name is not None:
        role_id = (
            Role.objects.filter(organisation=organisation, name=query.role_name)
            .values_list("pk", flat=True)
            .first()
        )
    return Placed(organisation, query, role_id)


def comments(where: Placed) -> tuple[list[str], bool]:
    """The comments of one figure's answers (exactly its filters), sorted by text; call only
    when that figure is shown. Returns the first :data:`SHOWN_TEXTS` and whether there are
    more."""
    texts = list(
        Comment.objects.filter(where.q(), batch__gte=1)
        .order_by("text")
        .values_list("text", flat=True)[: SHOWN_TEXTS + 1]
    )
    return texts[:SHOWN_TEXTS], len(texts) > SHOWN_TEXTS


@dataclass
class QuestionResult:
    question: Question
    answers: int | None  # None: fewer than k (not shown)
    positive_share: float | None = None
    texts: list[str] | None = None
    more: bool = False
    percent: str = ""


def question_results(
    where: Placed, initiative: Initiative, threshold: int, *, free_text: bool
) -> list[QuestionResult]:
    """The initiative's added questions over the same scope as the total. A question's figure
    (and its count) is shown only where

    * the same scope's evaluation figure is shown by :func:`.results.evaluation_results` (a
      union of whole blocks), and
    * the question's own answers there are a union of whole blocks of ``threshold`` or more in
      a release of that question's answers (:func:`question_release`, the cube's rule over the
      cube's paths).

    The second condition is what the first cannot give: fewer people answer an added question
    than the evaluation (it was added later, or skipped), so two shown evaluation figures can
    differ by k answers and their questions' figures by fewer. With the question's own release,
    every sum or difference of shown question figures holds whole blocks of k or more of its
    answers."""
    from .results import evaluation_results

    if evaluation_results([where.organisation], where.query)["total"]["responses"] is None:
        return []
    found = []
    for question in Question.objects.filter(initiative=initiative, survey__isnull=True).order_by(
        "position", "pk"
    ):
        rows = QuestionAnswer.objects.filter(where.q(), question=question, batch__gte=1)
        if not question_release(where.organisation, question, threshold).shown(where):
            found.append(QuestionResult(question, None))
            continue
        if question.kind == Question.Kind.SCALE:
            counts = rows.filter(value__isnull=False).aggregate(
                n=Count("pk"), pos=Count("pk", filter=Q(value__gte=3))
            )
            n = int(counts["n"] or 0)
            found.append(QuestionResult(question, n, int(counts["pos"] or 0) / n if n else 0.0))
            continue
        texts = rows.exclude(text="")
        n = texts.count()
        listed = (
            list(texts.order_by("text").values_list("text", flat=True)[: SHOWN_TEXTS + 1])
            if free_text
            else None
        )
        found.append(
            QuestionResult(
                question,
                n,
                texts=listed[:SHOWN_TEXTS] if listed is not None else None,
                more=bool(listed and len(listed) > SHOWN_TEXTS),
            )
        )
    return found


@dataclass(frozen=True)
class _QuestionCell:
    module_id: int
    month: dt.date
    unit_id: int | None
    role_id: int | None
    gender: str


@dataclass
class QuestionRelease:
    """One added question's answers per placement (module, month, unit, role, gender) and the
    release of fixed blocks :func:`kompetenslyft.core.disclosure.pool_paths` makes of them over
    the cube's paths (module → unit tree → gender → role → month)."""

    threshold: int
    cells: dict[_QuestionCell, int]
    block_of: dict[_QuestionCell, int]
    atoms_in: list[int]
    size: list[int]

    def shown(self, where: Placed) -> bool:
        """Whether the answers the filter selects may be shown: k or more, made of whole
        blocks."""
        query = where.query
        units = subtree_ids(query.unit) if query.unit is not None else None
        needs_person = query.unit is not None or query.role_name is not None or query.gender is not None
        total = 0
        touched: dict[int, int] = {}
        for cell, n in self.cells.items():
            if query.modules is not None and cell.module_id not in query.modules:
                continue
            if query.month_from is not None and cell.month < query.month_from:
                continue
            if query.month_to is not None and cell.month > query.month_to:
                continue
            if needs_person and cell.unit_id is None:
                continue
            if units is not None and cell.unit_id not in units:
                continue
            if query.role_name is not None and cell.role_id != (where.role_id if where.role_id else -1):
                continue
            if query.gender is not None and cell.gender != query.gender:
                continue
            total += n
            block = self.block_of[cell]
            touched[block] = touched.get(block, 0) + 1
        if total < self.threshold:  # none is "fewer than k" too, as before
            return False
        return all(
            count == self.atoms_in[b] and self.size[b] >= self.threshold for b, count in touched.items()
        )


def question_release(organisation: Organisation, question: Question, threshold: int) -> QuestionRelease:
    """The release of one added question's answers (scale: the non-empty values; text: the
    non-empty texts) over the whole organisation, so every page and filter hides the same."""
    from kompetenslyft.core import disclosure

    from .cube import DIRECT, UNPLACED

    rows = QuestionAnswer.objects.filter(organisation=organisation, question=question, batch__gte=1)
    rows = rows.filter(value__isnull=False) if question.kind == Question.Kind.SCALE else rows.exclude(text="")
    place = ("module_id", "month", "unit_id", "role_id", "gender")
    cells = {
        _QuestionCell(module_id, month, unit_id, role_id, gender): n
        for module_id, month, unit_id, role_id, gender, n in rows.values(*place)
        .annotate(n=Count("pk"))
        .values_list(*place, "n")
        .order_by()
    }
    parents = dict(Unit.objects.filter(organisation=organisation).values_list("pk", "parent_id"))

    def ancestry(unit_id: int) -> tuple[int, ...]:
        chain = [unit_id]
        seen = {unit_id}
        while (parent := parents.get(chain[-1])) is not None and parent not in seen:
            chain.append(parent)
            seen.add(parent)
        return tuple(reversed(chain))

    paths: dict[tuple[Any, ...], int] = {}
    by_path: dict[tuple[Any, ...], _QuestionCell] = {}
    for cell, n in cells.items():
        mkey = cell.month.year * 12 + cell.month.month - 1
        if cell.unit_id:
            path: tuple[Any, ...] = (
                cell.module_id,
                *ancestry(cell.unit_id),
                DIRECT,
                cell.gender,
                cell.role_id or 0,
                mkey,
            )
        else:
            path = (cell.module_id, UNPLACED, mkey)
        paths[path] = n
        by_path[path] = cell
    blocks = disclosure.pool_paths(paths, threshold)
    block_of = {by_path[atom]: block for atom, block in blocks.block_of.items()}  # type: ignore[index]
    return QuestionRelease(max(1, int(threshold)), cells, block_of, list(blocks.atoms_in), list(blocks.size))


# --- the initiative checklist ------------------------------------------------------------------

EVALUATED_ITEM = "Every module is evaluated right after it ends"


def is_evaluation_item(text: str) -> bool:
    """Whether a checklist entry is the one about evaluations (stored in the language it was
    created in)."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if text == translation.gettext(EVALUATED_ITEM):
                return True
    return False


@dataclass(frozen=True)
class EvaluationStatus:
    sessions: int  # sessions of the initiative's modules that have ended
    sent: int  # of those, the ones whose evaluations were sent


def initiative_evaluation_status(initiative: Initiative, today: dt.date | None = None) -> EvaluationStatus:
    """How many of the initiative's modules' sessions (run by its organisation, ended, not
    cancelled) had their evaluations sent."""
    today = today or timezone.localdate()
    # before the next local midnight (a bound the index can use, not the date of every row)
    tomorrow = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time()))
    sessions = Session.objects.filter(
        organisation_id=initiative.organisation_id,
        module__in=initiative.modules.values("pk"),
        cancelled=False,
        starts_at__lt=tomorrow,
    )
    # the requests of these sessions only (not every sent request's session)
    sent = (
        Request.objects.filter(session__in=sessions.values("pk"), sent_on__isnull=False)
        .values("session_id")
        .distinct()
    )
    return EvaluationStatus(sessions.count(), sent.count())


def lens_query_modules(
    lens: Lens, initiative: Initiative | None, module: Module | None
) -> frozenset[int] | None:
    """The modules a page's filters select inside a lens (None: every module)."""
    modules = lens.modules
    if initiative is not None:
        own = frozenset(initiative.modules.values_list("pk", flat=True))
        modules = own if modules is None else modules & own
    if module is not None:
        modules = frozenset({module.pk}) if modules is None else modules & {module.pk}
    return modules


__all__ = [
    "Lens",
    "lenses_for",
    "comments",
    "question_results",
    "initiative_evaluation_status",
    "is_evaluation_item",
]


def checklist_evaluation(
    initiative: Initiative, checklist: list[Any]
) -> tuple[int | None, EvaluationStatus | None]:
    """For the initiative's page (lent through ``learning.hooks``): the checklist item about
    evaluating every module, and how far that is true."""
    item = next((e.pk for e in checklist if is_evaluation_item(e.text)), None)
    return item, (initiative_evaluation_status(initiative) if item is not None else None)
