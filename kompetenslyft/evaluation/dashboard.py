"""The dashboard's figures (issue 8, PRODUCT.md story 9): participants by gender against the
initiative's targets, training hours, completion, goal attainment, evaluation response rates,
the four evaluation shares and the level split per module with their trend by month, the
movement from the baseline and the gap closing over time.

Who sees what (``core/access.py``, ADR 0004):

* the competence lead (and an installation superuser) sees exact figures of its organisation,
  except evaluation results, which come through the evaluation cube for everyone;
* project leaders (their initiatives only), top management and the external evaluator see
  aggregates only: participants and hours exactly as the funder report gives them
  (``learning.reports.protected_funder_figures``: one initiative over its whole period, one
  release over units × gender × role; counts of distinct people are not additive over periods
  or modules, so those filters do not apply to them), response rates through a release of
  fixed blocks over the requests, and the gap through the gap summary's release
  (``gap_releases``), as the heatmap does.

Every hidden figure is ``None`` here and is written "hidden" on the page, never 0.

The figures are in dashboard_participation.py (participants, hours, completion),
dashboard_evaluation.py (response rates, evaluation results) and dashboard_gap.py (the gap and
goal attainment); this module holds the filters, who may open which dashboard and the memo.
"""

from __future__ import annotations

import calendar
import datetime as dt
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kompetenslyft.core.access import Access
from kompetenslyft.learning.models import Initiative, Module
from kompetenslyft.org.models import Organisation, Role, Unit

if TYPE_CHECKING:
    from .dashboard_participation import Participation

MEMO_SECONDS = 120.0
"""How long a process keeps attendance and request figures it computed (a new attendance or
request row, or a new evaluation answer, makes them anew at once)."""


# --- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    organisation: Organisation
    unit: Unit | None = None
    initiative: Initiative | None = None
    module: Module | None = None
    role: Role | None = None
    gender: str | None = None  # woman | man | other
    month_from: dt.date | None = None
    month_to: dt.date | None = None

    @cached_property
    def modules(self) -> frozenset[int] | None:
        if self.module is not None:
            return frozenset([self.module.pk])
        if self.initiative is not None:
            return frozenset(self.initiative.modules.values_list("pk", flat=True))
        return None

    @property
    def day_from(self) -> dt.date | None:
        return self.month_from

    @property
    def day_to(self) -> dt.date | None:
        if self.month_to is None:
            return None
        last = calendar.monthrange(self.month_to.year, self.month_to.month)[1]
        return self.month_to.replace(day=last)

    @property
    def is_whole_initiative(self) -> bool:
        """One initiative, with no unit, module, role, gender or period: the scope its targets
        are set for (a narrower filter is not compared with them)."""
        return self.initiative is not None and not any(
            (self.unit, self.module, self.role, self.gender, self.month_from, self.month_to)
        )

    def key(self) -> tuple[Any, ...]:
        return (
            self.organisation.pk,
            self.unit.pk if self.unit else None,
            self.initiative.pk if self.initiative else None,
            self.module.pk if self.module else None,
            self.role.pk if self.role else None,
            self.gender,
            self.month_from,
            self.month_to,
            tuple(sorted(self.modules)) if self.modules is not None else None,
        )


def dashboard_organisations(access: Access) -> QuerySet[Organisation]:
    """The organisations whose dashboard this account may open."""
    if access.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        pk__in=sorted(access.org_ids_with("lead", "project_leader", "top_management", "evaluator"))
    )


def is_exact(access: Access, organisation: Organisation) -> bool:
    """Exact figures for the organisation's lead; aggregates only for everyone else."""
    return access.is_lead_of(organisation.pk)


def dashboard_initiatives(access: Access, organisation: Organisation) -> QuerySet[Initiative]:
    """A lead, top management and the evaluator: every initiative of the organisation; a
    project leader: its own (owner or steering group)."""
    initiatives = Initiative.objects.filter(organisation=organisation)
    if access.is_superuser or access.org_ids_with("lead", "top_management", "evaluator") & {organisation.pk}:
        return initiatives.order_by("name")
    if access.person_id and organisation.pk in access.org_ids_with("project_leader"):
        return (
            initiatives.filter(Q(owners=access.person_id) | Q(steering_group=access.person_id))
            .distinct()
            .order_by("name")
        )
    return initiatives.none()


def project_leader_only(access: Access, organisation: Organisation) -> bool:
    """A project leader who has no wider role here sees its initiatives only (one at a time)."""
    return not (
        access.is_superuser or access.org_ids_with("lead", "top_management", "evaluator") & {organisation.pk}
    )


# --- a small per-process memo ------------------------------------------------------------------

_MEMO: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
_MEMO_LOCK = threading.Lock()
# A page memoises one figure per module (60 and more) beside its totals: keep several pages'.
_MEMO_KEPT = 4096


def memo(key: tuple[Any, ...], compute: Any) -> Any:
    now = time.monotonic()
    with _MEMO_LOCK:
        found = _MEMO.get(key)
        if found is not None and now - found[0] < MEMO_SECONDS:
            _MEMO.move_to_end(key)
            return found[1]
    value = compute()
    with _MEMO_LOCK:
        _MEMO[key] = (now, value)
        while len(_MEMO) > _MEMO_KEPT:
            _MEMO.popitem(last=False)
    return value


def forget_memo() -> None:
    with _MEMO_LOCK:
        _MEMO.clear()


def month_text(month: dt.date) -> str:
    """YYYY-MM with a four-digit year (``%Y`` drops the zeros of years before 1000)."""
    return f"{month.year:04d}-{month.month:02d}"


def describe_filters(filters: Filters, people: Participation | None = None) -> list[tuple[str, str]]:
    """The filters in words (on the page's exports: every sheet states them)."""
    everything = _("all")
    gender_names = {"woman": _("women"), "man": _("men"), "other": _("other or unspecified")}
    if filters.month_from and filters.month_to:
        period = f"{month_text(filters.month_from)} – {month_text(filters.month_to)}"
    elif filters.month_from:
        period = _("from %(month)s") % {"month": month_text(filters.month_from)}
    elif filters.month_to:
        period = _("up to %(month)s") % {"month": month_text(filters.month_to)}
    else:
        period = _("whole period")
    rows = [
        (_("Organisation"), filters.organisation.name),
        (_("Unit"), filters.unit.name if filters.unit else everything),
        (_("Initiative"), filters.initiative.name if filters.initiative else everything),
        (_("Module"), str(filters.module) if filters.module else everything),
        (_("Role"), filters.role.name if filters.role else everything),
        (_("Gender"), gender_names[filters.gender] if filters.gender else everything),
        (_("Period"), period),
    ]
    if people is not None and people.protected:
        start, end = people.period
        if start or end:
            rows.append((_("Participants counted over"), f"{start or '…'} – {end or '…'}"))
        else:
            rows.append((_("Participants counted over"), _("the initiative's whole period")))
    return rows
