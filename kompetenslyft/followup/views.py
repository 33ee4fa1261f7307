"""The manager's follow-up talks: the list (due, overdue, done; by unit and module), record a
talk, change it within 14 days. One URL and view per action; writes through ``services``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetenslyft.core.access import access_for
from kompetenslyft.core.forms import options_html
from kompetenslyft.core.params import optional_id, parse_choice, parse_id, parse_page
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read

from . import selectors, services
from .forms import TalkForm
from .models import FollowUp

STATUS_LABELS = {
    "due": gettext_lazy("due"),
    "overdue": gettext_lazy("overdue"),
    "done": gettext_lazy("done"),
}


def _manager(request: HttpRequest) -> Any:
    access = access_for(request.user)
    if not selectors.holds_talks(access):
        raise Http404
    return access


@login_required
def followup_list(request: HttpRequest) -> HttpResponse:
    access = _manager(request)
    status = parse_choice(request.GET.get("status"), selectors.STATUSES, name="status")
    units = selectors.filter_units(access)
    modules = selectors.filter_modules(access)
    unit_id = optional_id(request.GET.get("unit"), name="unit")
    module_id = optional_id(request.GET.get("module"), name="module")
    unit = units.filter(pk=unit_id).first() if unit_id is not None else None
    module = modules.filter(pk=module_id).first() if module_id is not None else None
    if (unit_id is not None and unit is None) or (module_id is not None and module is None):
        raise Http404
    filters = selectors.ListFilters(status, unit, module)
    query = QueryDict(mutable=True)
    for key, value in (("status", status), ("unit", unit and unit.pk), ("module", module and module.pk)):
        if value:
            query[key] = str(value)
    paginator: Paginator[FollowUp] = Paginator(
        selectors.listed(access, filters), settings.KOMPETENSLYFT_PAGE_SIZE
    )
    page = paginator.get_page(parse_page(request.GET.get("page")))
    today = timezone.localdate()
    overdue_from = selectors.overdue_from(today)
    rows = [
        {
            "row": row,
            "overdue": not row.recorded and row.due_on <= overdue_from,
            "can_change": row.recorded and services.can_change(row),
        }
        for row in page.object_list
    ]
    log_read(request, AccessKind.FOLLOW_UPS, [row["row"].person for row in rows])
    return render(
        request,
        "followup/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": query.urlencode(),
            "unit_options": options_html(units.values_list("pk", "name"), unit and unit.pk),
            "module_options": options_html(modules.values_list("pk", "name"), module and module.pk),
            "statuses": list(STATUS_LABELS.items()),
            "application": selectors.application_by_module(access, unit),
        },
    )


def _held(request: HttpRequest, pk: str) -> tuple[Any, FollowUp]:
    access = _manager(request)
    followup = get_object_or_404(
        selectors.held_by(access).select_related("person", "module"),
        pk=parse_id(pk),
        due_on__lte=timezone.localdate(),
    )
    return access, followup


@login_required
def followup_record(request: HttpRequest, pk: str) -> HttpResponse:
    _access, followup = _held(request, pk)
    if followup.recorded:
        messages.info(request, _("This follow-up talk is already recorded."))
        return redirect("followup:list")
    form = TalkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_record(followup=followup, actor=request.user, **form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The follow-up talk with %(name)s is recorded.") % {"name": followup.person.full_name},
            )
            return redirect("followup:list")
    return _form_page(request, followup, form, change=False)


@login_required
def followup_change(request: HttpRequest, pk: str) -> HttpResponse:
    _access, followup = _held(request, pk)
    if not services.can_change(followup):
        raise Http404
    initial = {
        "held_on": followup.held_on,
        "applying": followup.applying,
        "hindrances": followup.hindrances,
        "hindrance_other": followup.hindrance_other,
        "support_needed": followup.support_needed,
    }
    form = TalkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_change(followup=followup, actor=request.user, **form.values())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("The follow-up talk with %(name)s is changed.") % {"name": followup.person.full_name},
            )
            return redirect(reverse("followup:list") + "?status=done")
    return _form_page(request, followup, form, change=True)


def _add_errors(form: TalkForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        form.add_error(None, error)


def _form_page(request: HttpRequest, followup: FollowUp, form: TalkForm, *, change: bool) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    log_read(request, AccessKind.FOLLOW_UP, [followup.person])
    return render(
        request, "followup/talk.html", {"followup": followup, "form": form, "change": change}, status=status
    )
