"""The results pages: what each role may see of the module evaluations (selectors.Lens), every
figure through :func:`.results.evaluation_results`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import optional_id
from kompetenslyft.org.models import Role

from . import selectors
from .models import ITEMS
from .reports import parse_month
from .results import Query, evaluation_results

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
    lens = next((x for x in lenses if x.value == chosen), None) if chosen else lenses[0]
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
    units = list(lens.units().only("pk", "unit_id", "name", "depth", "path", "organisation_id"))
    unit = None
    if (unit_id := optional_id(request.GET.get("unit"), name="unit")) is not None:
        unit = next((u for u in units if u.pk == unit_id), None)
        if unit is None:
            raise Http404
    elif lens.unit_paths is not None:
        unit = next(u for u in units if u.path == lens.unit_paths[0])  # a manager: its first unit
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
        "units": units,
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
    by_module = evaluation_results([organisation], query, by="module")
    by_month = evaluation_results([organisation], query, by="month")
    names = dict(module_choices.values_list("code", "name"))
    context["results"] = {"query": query, "module": by_module, "month": by_month}
    context["total"] = display("", _("All modules in the selection"), by_module["total"])
    context["module_rows"] = [
        display(g["key"], f"{g['key']} {names.get(g['key'], '')}", g) for g in by_module["groups"]
    ]
    context["month_rows"] = [display(g["key"], g["key"], g) for g in by_month["groups"]]
    where = selectors.placed(organisation, query)
    comments = []
    if lens.free_text:
        # Only for a module whose figure is shown, with exactly that figure's filters.
        ids_by_code: dict[str, set[int]] = {}
        for pk, code in module_choices.values_list("pk", "code"):
            ids_by_code.setdefault(code, set()).add(pk)
        for group in by_module["groups"]:
            if not group["responses"]:
                continue
            ids = frozenset(ids_by_code.get(group["key"], set()))
            if query.modules is not None:
                ids &= query.modules
            texts, more = selectors.module_comments(where, ids)
            if texts:
                comments.append(
                    {"label": f"{group['key']} {names.get(group['key'], '')}", "texts": texts, "more": more}
                )
    context["comments"] = comments
    questions = []
    if initiative is not None and by_module["total"]["responses"]:
        questions = selectors.question_results(
            where, initiative, by_module["threshold"], free_text=lens.free_text
        )
        for found in questions:
            if found.positive_share is not None:
                found.percent = _percent(found.positive_share)
    context["questions"] = questions
    context["aggregates_only"] = not lens.free_text
    return render(request, "evaluation/results.html", context)
