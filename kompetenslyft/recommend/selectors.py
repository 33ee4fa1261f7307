"""Elective modules suggested on a person's journey, each with its reasons in words: it covers
one of the person's remaining gaps (its latest self-assessment against its requirements), and
what people in the same role made of it — the evaluation's "important" and "will use" shares
(``evaluation.results``: the published cube's released figures) and the follow-up talks'
application rate (``followup.figures``: their release). Role-level figures come only from
groups the release shows (k people or more, never a group a difference would reveal). Nothing
is read per answer on the request: both sources are memoised summaries, so this stays cheap at
50,000 people."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kompetenslyft.assessment.selectors import person_open_gaps
from kompetenslyft.evaluation.results import Query, evaluation_results
from kompetenslyft.followup import figures as followup_figures
from kompetenslyft.learning.models import Attendance, Enrolment, Module, Proposal
from kompetenslyft.learning.selectors import modules_for
from kompetenslyft.org.models import Person

LIMIT = 5
USEFUL = 0.7  # a role's share from which a module is suggested without a gap
POOL = 60  # candidate modules looked at


@dataclass
class Suggestion:
    module: Module
    reasons: list[str] = field(default_factory=list)
    gap: int = 0
    useful: float = 0.0


def _percent(share: float) -> str:
    return f"{round(share * 100)}"


def _taken(person: Person) -> set[int]:
    """Modules already on the person's way: enrolled, attended, or in a confirmed proposal."""
    taken = set(Enrolment.objects.filter(person=person).values_list("module_id", flat=True))
    taken |= set(Attendance.objects.filter(person=person).values_list("module_id", flat=True))
    for proposal in Proposal.objects.filter(person=person, status=Proposal.Status.CONFIRMED):
        taken |= {int(m) for m in proposal.decisions()}
    return taken


def _module_of(atom: followup_figures.Atom) -> int:
    return atom.module


def suggestions(person: Person, *, limit: int = LIMIT) -> list[Suggestion]:
    organisation = person.organisation
    gaps = {g.competence.pk: g for g in person_open_gaps(person)}
    taken = _taken(person)
    electives = modules_for(person.organisation_id).filter(mandatory_roles__isnull=True).exclude(pk__in=taken)
    by_gap = (
        list(electives.filter(competences__in=list(gaps)).distinct().order_by("code")[:POOL]) if gaps else []
    )
    others = list(electives.exclude(pk__in=[m.pk for m in by_gap]).order_by("code")[:POOL])
    found = {m.pk: Suggestion(m) for m in (*by_gap, *others)}
    if not found:
        return []
    for module in by_gap:
        suggestion = found[module.pk]
        for competence_id in module.competences.filter(pk__in=list(gaps)).values_list("pk", flat=True):
            gap = gaps[competence_id]
            suggestion.gap = max(suggestion.gap, gap.gap or 0)
            suggestion.reasons.append(
                _("Covers your gap in %(competence)s") % {"competence": gap.competence.local_name}
            )
    role = person.role
    if role is not None:
        ids = frozenset(found)
        codes = {m.code: m.pk for m in (s.module for s in found.values())}
        results = evaluation_results([organisation], Query(modules=ids, role_name=role.name), by="module")
        for group in results.get("groups", []):
            pk = codes.get(group["key"])
            if pk is None or not group["responses"]:
                continue  # hidden (None) or no answers
            suggestion = found[pk]
            important, will_use = group["important_share"], group["will_use_share"]
            if important:
                suggestion.reasons.append(
                    _("%(share)s %% of the people in your role (%(role)s) found it important for the job")
                    % {"share": _percent(important), "role": role.name}
                )
            if will_use:
                suggestion.reasons.append(
                    _("%(share)s %% of the people in your role (%(role)s) say they will use it")
                    % {"share": _percent(will_use), "role": role.name}
                )
            suggestion.useful = max(suggestion.useful, important or 0.0, will_use or 0.0)
        talks = followup_figures.figures_for(organisation)
        # The rate of every module for the role (a module's cell does not depend on the
        # others), summed once per publication and role.
        _all, rates = followup_figures.cells_by(
            talks,
            lambda: followup_figures.select(talks, role=role.pk),
            _module_of,
            exact=False,
            memo_key=("recommend", role.pk),
        )
        for module_id, cell in rates.items():
            if module_id not in found or cell.rate is None:
                continue
            suggestion = found[module_id]
            suggestion.reasons.append(
                _("%(share)s %% of the people in your role (%(role)s) apply it at work")
                % {"share": _percent(cell.rate), "role": role.name}
            )
            suggestion.useful = max(suggestion.useful, cell.rate)
    chosen = [s for s in found.values() if s.gap or s.useful >= USEFUL]
    chosen.sort(key=lambda s: (-s.gap, -s.useful, s.module.code))
    return chosen[:limit]
