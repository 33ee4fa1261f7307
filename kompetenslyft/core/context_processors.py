from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from .access import access_for
from .models import ProductRole


def navigation(request: HttpRequest) -> dict[str, Any]:
    access = access_for(getattr(request, "user", None))
    items: list[tuple[str, str]] = []
    if access.user_id:
        items.append((reverse("home"), _("Start")))
        if access.person_id:
            items.append((reverse("org:me"), _("My page")))
            items.append((reverse("assessment:me"), _("My competences")))
            items.append((reverse("learning:me"), _("My learning")))
        if access.can_see_units:
            items.append((reverse("org:units"), _("Units")))
        if access.can_list_people:
            items.append((reverse("org:people"), _("People")))
        if access.can_see_units:
            items.append((reverse("assessment:gaps"), _("Gaps")))
        if access.is_lead or access.is_manager:
            items.append((reverse("assessment:campaigns"), _("Self-assessments")))
        if access.is_lead or access.project_leader:
            items.append((reverse("learning:initiatives"), _("Initiatives")))
        if access.is_superuser or access.org_ids_with(
            ProductRole.LEAD, ProductRole.PROJECT_LEADER, ProductRole.TOP_MANAGEMENT, ProductRole.EVALUATOR
        ):
            items.append((reverse("evaluation:dashboard"), _("Dashboard")))
            items.append((reverse("learning:funder"), _("Funder report")))
            items.append((reverse("evaluation:surveys"), _("Final surveys")))
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
            items.append((reverse("evaluation:results"), _("Evaluation results")))
        if access.is_lead or access.is_trainer or access.is_manager:
            items.append((reverse("learning:sessions"), _("Sessions")))
        if access.organisation_ids or access.is_superuser:
            items.append((reverse("learning:job_aids"), _("Job aids")))
        if access.is_lead:
            items.append((reverse("competence:frameworks"), _("Frameworks")))
            items.append((reverse("learning:catalogue"), _("Modules")))
            items.append((reverse("org:import"), _("Import")))
        if access.is_superuser:
            items.append((reverse("admin:index"), _("Administration")))
    current = request.path
    # The one item whose address is the longest start of the current page's.
    matches = [url for url, _label in items if current == url or (url != "/" and current.startswith(url))]
    best = max(matches, key=len) if matches else None
    nav = [{"url": url, "label": label, "current": url == best} for url, label in items]
    return {"access": access, "nav_items": nav}
