"""An indicator's values as a grid of units × months (twelve months, 25 units a page): its
organisation's lead enters and changes them, a manager reads those of its units. A bad value
refuses the whole page, naming each bad cell (unit and month) and why."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import parse_page
from kompetenslyft.evaluation.dashboard import month_text
from kompetenslyft.evaluation.dashboard_views import parse_month

from . import services
from .figures import add_months
from .imports import parse_value
from .models import Indicator
from .ranges import value_problem
from .selectors import can_change, editable_indicator, indicator_for, value_units, values_of

MONTHS = 12
UNITS_PER_PAGE = 25
_CELL = re.compile(r"v-([0-9]{1,18})-([0-9]{4}-[0-9]{2})")


def _window(request_value: object) -> tuple[dt.date, list[dt.date]]:
    last = parse_month(request_value, name="to") or timezone.localdate().replace(day=1)
    if last.year < 2 or last.year > 9998:
        raise BadRequest("to: out of range")
    return last, [add_months(last, i - MONTHS + 1) for i in range(MONTHS)]


def _page(request: HttpRequest, indicator: Indicator, params: Any) -> Page:
    paginator = Paginator(value_units(access_for(request.user), indicator), UNITS_PER_PAGE)
    return paginator.get_page(parse_page(params.get("page")))


def _grid(
    indicator: Indicator, page: Page, months: list[dt.date], typed: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    stored = values_of(indicator, [u.pk for u in page.object_list], months)
    rows = []
    for unit in page.object_list:
        cells = []
        for month in months:
            name = f"v-{unit.pk}-{month_text(month)}"
            value = stored.get((unit.pk, month))
            shown = typed[name] if typed is not None and name in typed else _plain(value)
            cells.append({"name": name, "month": month_text(month), "value": shown})
        rows.append({"unit": unit, "cells": cells})
    return rows


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def _render(
    request: HttpRequest,
    indicator: Indicator,
    page: Page,
    last: dt.date,
    months: list[dt.date],
    *,
    typed: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = can_change(access_for(request.user), indicator) and indicator.archived_at is None
    return render(
        request,
        "indicators/values.html",
        {
            "indicator": indicator,
            "page": page,
            "rows": _grid(indicator, page, months, typed),
            "months": [month_text(m) for m in months],
            "to": month_text(last),
            "earlier": month_text(add_months(last, -MONTHS)),
            "later": month_text(add_months(last, MONTHS)),
            "editable": editable,
            "errors": errors or [],
        },
        status=status,
    )


@login_required
def indicator_values(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = indicator_for(access_for(request.user), pk)
    last, months = _window(request.GET.get("to"))
    return _render(request, indicator, _page(request, indicator, request.GET), last, months)


@login_required
@require_POST
def indicator_values_save(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = editable_indicator(access_for(request.user), pk)
    if indicator.archived_at is not None:
        raise BadRequest("the indicator is archived")
    last, months = _window(request.POST.get("to"))
    page = _page(request, indicator, request.POST)
    units = {u.pk: u for u in page.object_list}
    shown = {month_text(m): m for m in months}
    typed: dict[str, str] = {}
    values: dict[tuple[int, dt.date], Decimal | None] = {}
    errors: list[str] = []
    for name in request.POST:
        text = request.POST.get(name, "")
        match = _CELL.fullmatch(name)
        if match is None:
            continue
        unit = units.get(int(match.group(1)))
        month = shown.get(match.group(2))
        if unit is None or month is None:
            raise BadRequest(f"{name}: not a cell of this page")
        typed[name] = text
        if not text.strip():
            values[(unit.pk, month)] = None
            continue
        value = parse_value(text)
        if value is None:
            errors.append(
                _(
                    "%(unit)s, %(month)s: '%(value)s' is not a number (at most 10 digits before the decimal sign and 4 after)"
                )
                % {"unit": unit.name, "month": match.group(2), "value": text}
            )
        elif problem := value_problem(indicator.measure, value):
            errors.append(f"{unit.name}, {match.group(2)}: '{text}' {problem}")
        else:
            values[(unit.pk, month)] = value
    if errors:
        return _render(request, indicator, page, last, months, typed=typed, errors=errors, status=400)
    counts = services.indicator_values_set(indicator=indicator, actor=request.user, values=values)
    messages.success(
        request,
        _("Saved: %(new)s new, %(changed)s changed, %(removed)s removed.") % counts,
    )
    query = urlencode({"to": month_text(last), "page": str(page.number)})
    return redirect(reverse("indicators:values", args=[indicator.pk]) + f"?{query}")
