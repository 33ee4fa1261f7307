"""The results pages: what each role may see of the module evaluations (selectors.Lens), every
figure through :func:`.results.evaluation_results`."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import optional_id
from kompetenslyft.org.models import Role
from kompetenslyft.org.selectors import units_near

from . import selectors
from .models import ITEMS
from .reports import parse_month
from .results import MAX_MONTHS, Query, evaluation_results, month_figures, months_in

GENDERS = (("woman", "women"), ("man", "men"), ("other", "other or unspecified"))


def _month(request: HttpRequest, name: str) -> dt.date | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    month = parse_month(value)
    if month is None:
        raise BadRequest(f"{name}: not a month (YYYY-MM)")
    return month


def _percent(share: float) -> str:
    return f"{round(share * 100)} %"


def columns() -> list[str]:
    return [
        _("Motivated"),
        _("Good way of learning"),
        _("Important for the job"),
        _("Will use it"),
        _("Too easy"),
        _("Right level"),
        _("Too hard"),
    ]


def display(key: str, label: str, figure: dict[str, Any]) -> dict[str, Any]:
    """A figure as a table row: percentages, or hidden (never a 0 for a hidden figure)."""
    responses = figure["responses"]
    row: dict[str, Any] = {"key": key, "label": label, "hidden": responses is None, "responses": responses}
    if responses:
        values = [figure[f"{item}_share"] for item in ITEMS]
        values += [figure["level"][part] for part in ("too_easy", "right", "too_hard")]
        row["cells"] = list(zip(columns(), [_percent(v) for v in values], strict=True))
    return row


@login_required
def results(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    lenses = selectors.lenses_for(access)
    if not lenses:
        raise Http404
    chosen = request.GET.get("view", "")
    if chosen:
        lens = next((x for x in lenses if x.value == chosen), None)
    else:
        # A link to an initiative's results (its checklist) opens the first lens that holds it.
        wanted = optional_id(request.GET.get("initiative"), name="initiative")
        lens = next(
            (x for x in lenses if wanted is None or x.initiatives().filter(pk=wanted).exists()), lenses[0]
        )
    if lens is None:
        raise Http404
    organisation = lens.organisation
    initiatives = lens.initiatives()
    initiative = None
    if (initiative_id := optional_id(request.GET.get("initiative"), name="initiative")) is not None:
        initiative = initiatives.filter(pk=initiative_id).first()
        if initiative is None:
            raise Http404
    module_choices = lens.module_choices()
    module = None
    if (module_id := optional_id(request.GET.get("module"), name="module")) is not None:
        module = module_choices.filter(pk=module_id).first()
        if module is None:
            raise Http404
    # Looked up, not read whole: an organisation has thousands of units.
    units = lens.units().only("pk", "unit_id", "name", "depth", "path", "organisation_id", "parent_id")
    unit = None
    if (unit_id := optional_id(request.GET.get("unit"), name="unit")) is not None:
        unit = units.filter(pk=unit_id).first()
        if unit is None:
            raise Http404
    elif lens.unit_paths is not None:
        unit = units.filter(path=lens.unit_paths[0]).first()  # a manager: its first unit
    roles = list(Role.objects.filter(organisation=organisation).order_by("name"))
    role = None
    if (role_id := optional_id(request.GET.get("role"), name="role")) is not None:
        role = next((r for r in roles if r.pk == role_id), None)
        if role is None:
            raise Http404
    gender = request.GET.get("gender", "") or None
    if gender is not None and gender not in dict(GENDERS):
        raise BadRequest("gender: not one of woman, man, other")
    month_from, month_to = _month(request, "from"), _month(request, "to")
    error = ""
    if month_from and month_to and month_from > month_to:
        error = _("The first month is after the last one.")
    elif (months_in(month_from, month_to) or 0) > MAX_MONTHS:
        error = _("Choose a period of at most %(n)s months.") % {"n": MAX_MONTHS}
    query = Query(
        modules=selectors.lens_query_modules(lens, initiative, module),
        unit=unit,
        role_name=role.name if role else None,
        gender=gender,
        month_from=month_from,
        month_to=month_to,
    )
    context: dict[str, Any] = {
        "lenses": lenses,
        "lens": lens,
        "organisation": organisation,
        "initiatives": initiatives,
        "initiative": initiative,
        "modules": module_choices,
        "module": module,
        # The unit list offers the top of the tree and the chosen unit's surroundings, not thousands.
        "units": list(units_near(units.order_by("path"), unit)),
        "unit": unit,
        "roles": roles,
        "role": role,
        "genders": [(code, _(label)) for code, label in GENDERS],
        "gender": gender,
        "month_from": month_from.strftime("%Y-%m") if month_from else "",
        "month_to": month_to.strftime("%Y-%m") if month_to else "",
        "error": error,
        "threshold": organisation.anonymity_threshold,
        "columns": columns(),
    }
    if error:
        return render(request, "evaluation/results.html", context, status=400)
    total = evaluation_results([organisation], query)
    threshold = total["threshold"]
    # Per module and per month, each figure is the selection narrowed to that module or month
    # (a total, so answers without a person count as they do in the selection's total).
    ids_by_code: dict[str, set[int]] = {}
    names: dict[str, str] = {}
    for pk, code, name in module_choices.values_list("pk", "code", "name"):
        ids_by_code.setdefault(code, set()).add(pk)
        names.setdefault(code, name)
    per_module: list[tuple[str, Query, dict[str, Any]]] = []
    for group in evaluation_results([organisation], query, by="module")["groups"]:
        ids = frozenset(ids_by_code.get(group["key"], set()))
        narrowed = replace(query, modules=ids if query.modules is None else ids & query.modules)
        if narrowed.modules:
            per_module.append((group["key"], narrowed, evaluation_results([organisation], narrowed)["total"]))
    # From the first to the last month with answers within the period (clamped to the data).
    per_month = month_figures([organisation], query)
    context["results"] = {
        "threshold": threshold,
        "figures": [(query, total["total"]), *[(q, f) for _k, q, f in per_module + per_month]],
    }
    context["total"] = display("", _("All modules in the selection"), total["total"])
    context["module_rows"] = [
        display(key, f"{key} {names.get(key, '')}", figure)
        for key, _q, figure in per_module
        if figure["responses"] != 0
    ]
    context["month_rows"] = [display(key, key, figure) for key, _q, figure in per_month]
    comments = []
    if lens.free_text:
        # Only for a module whose figure is shown, with exactly that figure's filters.
        for key, narrowed, figure in per_module:
            if figure["responses"]:
                texts, more = selectors.comments(selectors.placed(organisation, narrowed))
                if texts:
                    comments.append({"label": f"{key} {names.get(key, '')}", "texts": texts, "more": more})
    context["comments"] = comments
    where = selectors.placed(organisation, query)
    questions = []
    if initiative is not None and total["total"]["responses"]:
        questions = selectors.question_results(where, initiative, threshold, free_text=lens.free_text)
        for found in questions:
            if found.positive_share is not None:
                found.percent = _percent(found.positive_share)
    context["questions"] = questions
    context["aggregates_only"] = not lens.free_text
    return render(request, "evaluation/results.html", context)
