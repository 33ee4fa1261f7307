from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from .access import access_for
from .models import ProductRole


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu: items in groups (shown as one row on a wide screen, as a disclosure of
    groups on a phone), every page a role may use reachable from here or from its start page."""
    access = access_for(getattr(request, "user", None))
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if access.user_id:
        mine: list[tuple[str, str]] = [(reverse("home"), _("Start"))]
        if access.person_id:
            mine.append((reverse("org:me"), _("My page")))
            mine.append((reverse("assessment:me"), _("My competences")))
            mine.append((reverse("learning:me"), _("My learning")))
            mine.append((reverse("dataprotection:my_data"), _("My data")))
        groups.append((_("Me"), mine))
        people: list[tuple[str, str]] = []
        if access.can_see_units:
            people.append((reverse("org:units"), _("Units")))
        if access.can_list_people:
            people.append((reverse("org:people"), _("People")))
            people.append((reverse("learning:team"), _("Team progress")))
            people.append((reverse("assessment:team"), _("Team competences")))
        if access.can_see_units:
            people.append((reverse("assessment:gaps"), _("Gaps")))
        if access.is_lead or access.is_manager:
            people.append((reverse("assessment:campaigns"), _("Self-assessments")))
        if access.is_manager:
            people.append((reverse("followup:list"), _("Follow-up talks")))
        groups.append((_("People and competences"), people))
        learning: list[tuple[str, str]] = []
        if access.is_lead or access.project_leader:
            learning.append((reverse("learning:initiatives"), _("Initiatives")))
        if access.is_lead or access.is_trainer or access.is_manager:
            learning.append((reverse("learning:sessions"), _("Sessions")))
        if access.person_id and access.is_trainer:
            learning.append((reverse("learning:support"), _("Support questions")))
        elif access.is_lead:
            learning.append((reverse("learning:support_overview"), _("Support questions")))
        if access.organisation_ids or access.is_superuser:
            learning.append((reverse("learning:catalogue"), _("Modules")))
            learning.append((reverse("learning:job_aids"), _("Job aids")))
        if access.is_lead:
            learning.append((reverse("competence:frameworks"), _("Frameworks")))
        groups.append((_("Training"), learning))
        reports: list[tuple[str, str]] = []
        if access.is_superuser or access.org_ids_with(
            ProductRole.LEAD, ProductRole.PROJECT_LEADER, ProductRole.TOP_MANAGEMENT, ProductRole.EVALUATOR
        ):
            reports.append((reverse("evaluation:dashboard"), _("Dashboard")))
            reports.append((reverse("learning:funder"), _("Funder report")))
            reports.append((reverse("evaluation:surveys"), _("Final surveys")))
        if (
            access.is_superuser
            or access.is_manager
            or access.org_ids_with(
                ProductRole.LEAD,
                ProductRole.PROJECT_LEADER,
                ProductRole.TRAINER,
                ProductRole.TOP_MANAGEMENT,
                ProductRole.EVALUATOR,
            )
        ):
            reports.append((reverse("evaluation:results"), _("Evaluation results")))
        if access.is_lead or access.is_manager:
            reports.append((reverse("indicators:list"), _("Indicators")))
        groups.append((_("Reports"), reports))
        admin: list[tuple[str, str]] = []
        if access.is_lead:
            admin.append((reverse("org:import"), _("Import")))
            admin.append((reverse("lrs_clients:list"), _("LRS clients")))
        if access.is_superuser or access.org_ids_with(ProductRole.DATA_PROTECTION):
            admin.append((reverse("dataprotection:access_log"), _("Access log")))
        if access.is_superuser:
            admin.append((reverse("admin:index"), _("Administration")))
        groups.append((_("Administration"), admin))
    items = [item for _title, group in groups for item in group]
    current = request.path
    # The one item whose address is the longest start of the current page's.
    matches = [url for url, _label in items if current == url or (url != "/" and current.startswith(url))]
    best = max(matches, key=len) if matches else None

    def entries(group: list[tuple[str, str]]) -> list[dict[str, Any]]:
        return [{"url": url, "label": label, "current": url == best} for url, label in group]

    nav_groups = [{"title": title, "items": entries(group)} for title, group in groups if group]
    return {"access": access, "nav_items": entries(items), "nav_groups": nav_groups}
