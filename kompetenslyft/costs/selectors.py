"""Who sees an initiative's costs, and how (the rules, in one place):

* its organisation's **lead** enters costs and sees every figure exactly;
* its **project leaders** (the initiative's owners) enter costs and see the figures as the
  funder report shows them to them: participants and hours through the disclosure control;
* **top management** and the **external evaluator** of the organisation see the totals and the
  per-format figures as aggregates (the same protected figures), never the entries;
* nobody else (employees, managers, trainers, the steering group, another organisation): 404.
"""

from __future__ import annotations

from enum import Enum

from django.http import Http404

from kompetenslyft.core.access import Access
from kompetenslyft.core.models import ProductRole
from kompetenslyft.learning.models import Initiative

from .models import CostEntry


class View(Enum):
    EXACT = "exact"  # the lead: enters costs, exact figures
    MANAGE = "manage"  # a project leader of the initiative: enters costs, protected figures
    AGGREGATE = "aggregate"  # top management, evaluator: protected totals, no entries

    @property
    def edits(self) -> bool:
        return self is not View.AGGREGATE

    @property
    def exact(self) -> bool:
        return self is View.EXACT


def cost_view(access: Access, initiative: Initiative) -> View | None:
    if access.is_lead_of(initiative.organisation_id):
        return View.EXACT
    if access.manages_initiative(initiative):
        return View.MANAGE
    roles = {ProductRole.TOP_MANAGEMENT, ProductRole.EVALUATOR}
    if any(org == initiative.organisation_id and role in roles for org, role in access.grants):
        return View.AGGREGATE
    return None


def initiative_for_costs(access: Access, pk: int, *, edit: bool = False) -> tuple[Initiative, View]:
    """The initiative and how the viewer sees its costs; 404 where it sees none (or may not
    change them, with ``edit``), as for an initiative that does not exist."""
    initiative = Initiative.objects.filter(pk=pk).select_related("organisation").first()
    if initiative is None:
        raise Http404
    view = cost_view(access, initiative)
    if view is None or (edit and not view.edits):
        raise Http404
    return initiative, view


def entry_for(initiative: Initiative, pk: int) -> CostEntry:
    entry = CostEntry.objects.filter(initiative=initiative, pk=pk).select_related("module", "session").first()
    if entry is None:
        raise Http404
    return entry
