"""Frameworks and the requirement grid, for competence leads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.core.access import access_for
from kompetenslyft.core.params import check_filter_form, int_or_none, optional_id, parse_page
from kompetenslyft.org.models import Organisation, Role, Unit
from kompetenslyft.org.selectors import units_near

from . import selectors, services
from .forms import CompetenceForm, FrameworkCreateForm, GridFilterForm
from .models import Competence, Framework, Level


def lead_organisation(request: HttpRequest) -> Organisation:
    """The organisation a competence lead works in (``?organisation=`` when it leads several)."""
    access = access_for(request.user)
    orgs = (
        Organisation.objects.all()
        if access.is_superuser
        else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids))
    )
    wanted = optional_id(
        request.GET.get("organisation") or request.POST.get("organisation"), name="organisation"
    )
    if wanted is not None:
        orgs = orgs.filter(pk=wanted)
    organisation = orgs.order_by("name").first()
    if organisation is None:
        raise Http404
    return organisation


def can_edit(request: HttpRequest, framework: Framework, organisation: Organisation) -> bool:
    if framework.organisation_id is None:
        return bool(access_for(request.user).is_superuser)
    return framework.organisation_id == organisation.pk


@login_required
def frameworks(request: HttpRequest) -> HttpResponse:
    organisation = lead_organisation(request)
    form = FrameworkCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if Framework.objects.filter(organisation=organisation, code=form.cleaned_data["code"]).exists():
            form.add_error("code", _("The organisation already has a framework with this code."))
        else:
            framework = services.framework_create(
                organisation=organisation,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
            return redirect("competence:framework", pk=framework.pk)
    return render(
        request,
        "competence/frameworks.html",
        {
            "organisation": organisation,
            "form": form,
            "in_use": selectors.frameworks_in_use(organisation).prefetch_related("competences"),
            "available": selectors.frameworks_available(organisation),
        },
    )


@login_required
@require_POST
def framework_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = lead_organisation(request)
    try:
        framework = selectors.framework_visible([organisation.pk], pk)
        services.framework_adopt(organisation=organisation, framework=framework, actor=request.user)
    except (Framework.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    messages.success(request, _("The framework is now in use: set its requirements per role."))
    return redirect("competence:framework", pk=framework.pk)


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = lead_organisation(request)
    try:
        framework = selectors.framework_visible([organisation.pk], pk)
    except Framework.DoesNotExist as exc:
        raise Http404 from exc
    in_use = selectors.frameworks_in_use(organisation).filter(pk=framework.pk).exists()
    return render(
        request,
        "competence/framework.html",
        {
            "framework": framework,
            "categories": selectors.framework_tree(framework),
            "in_use": in_use,
            "editable": can_edit(request, framework, organisation),
            "organisation": organisation,
            "levels": Level.choices,
        },
    )


@login_required
def competence_edit(request: HttpRequest, pk: int, competence_pk: int | None = None) -> HttpResponse:
    organisation = lead_organisation(request)
    try:
        framework = selectors.framework_visible([organisation.pk], pk)
    except Framework.DoesNotExist as exc:
        raise Http404 from exc
    if not can_edit(request, framework, organisation):
        raise Http404
    competence = None
    initial: dict[str, Any] = {}
    if competence_pk is not None:
        competence = (
            Competence.objects.filter(framework=framework, pk=competence_pk)
            .select_related("category")
            .first()
        )
        if competence is None:
            raise Http404
        initial = {
            "code": competence.code,
            "name": competence.name,
            "category": competence.category.name,
            "description": competence.description,
            "goals": "\n".join(competence.goals.order_by("position").values_list("text", flat=True)),
        }
    form = CompetenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        others = Competence.objects.filter(framework=framework, code=data["code"])
        if competence is not None:
            others = others.exclude(pk=competence.pk)
        clash = others.exists()
        if clash:
            form.add_error("code", _("The framework already has a competence with this code."))
        else:
            with transaction.atomic():
                if competence is not None and competence.code != data["code"]:
                    Competence.objects.filter(pk=competence.pk).update(code=data["code"])
                services.competence_save(
                    framework=framework,
                    code=data["code"],
                    name=data["name"],
                    category_name=data["category"],
                    description=data["description"],
                    goals=form.goal_list(),
                    actor=request.user,
                )
            messages.success(request, _("The competence was saved."))
            return redirect("competence:framework", pk=framework.pk)
    return render(
        request,
        "competence/competence_form.html",
        {"framework": framework, "form": form, "competence": competence},
    )


@login_required
def requirement_grid(request: HttpRequest) -> HttpResponse:
    """Roles × competences of one framework: the required level and whether it is mandatory,
    for every unit or for one unit and those below it."""
    organisation = lead_organisation(request)
    frameworks_qs = list(selectors.frameworks_in_use(organisation))
    if not frameworks_qs:
        messages.info(request, _("Choose a framework first."))
        return redirect("competence:frameworks")
    units = Unit.objects.filter(organisation=organisation).order_by("path")
    data = request.GET.copy()  # the grid's form posts back to the same query string
    if not data.get("framework"):
        data["framework"] = str(frameworks_qs[0].pk)
    framework = next((f for f in frameworks_qs if str(f.pk) == data.get("framework")), frameworks_qs[0])
    filter_form = GridFilterForm(
        data,
        frameworks=frameworks_qs,
        # the top of the tree, the chosen unit, the units above it and its children: not thousands
        units=units_near(units, optional_id(data.get("unit"), name="unit")),
        categories=framework.categories.order_by("position"),
    )
    unit = category_pk = None
    check_filter_form(filter_form, ids=("framework", "unit", "category"))
    if filter_form.is_valid():
        unit = (
            units.filter(pk=filter_form.cleaned_data["unit"]).first()
            if filter_form.cleaned_data["unit"]
            else None
        )
        category_pk = filter_form.cleaned_data["category"]
    competences = list(
        framework.competences.select_related("category").order_by("category__position", "position")
    )
    if category_pk:
        competences = [c for c in competences if c.category_id == category_pk]
    # A page of roles at a time (a municipality has a hundred roles × dozens of competences);
    # a save changes the roles of its own page only.
    page = Paginator(
        Role.objects.filter(organisation=organisation).order_by("name", "pk"), ROLES_PER_PAGE
    ).get_page(parse_page(request.GET.get("page")))
    roles = list(page.object_list)
    grid = selectors.requirement_grid(organisation, framework, unit)
    if request.method == "POST":
        changed = 0
        errors = []
        with transaction.atomic():
            for role in roles:
                for competence in competences:
                    raw = request.POST.get(f"level-{role.pk}-{competence.pk}", "")
                    mandatory = request.POST.get(f"mandatory-{role.pk}-{competence.pk}") == "on"
                    level = int_or_none(raw)
                    if raw and (level is None or level > 4):
                        errors.append(f"{role.name} · {competence.code}")
                        continue
                    current = grid.get((role.pk, competence.pk))
                    if (
                        current.required_level if current else None,
                        current.mandatory if current else False,
                    ) == (level, mandatory if level is not None else False):
                        continue
                    services.requirement_set(
                        organisation=organisation,
                        role=role,
                        competence=competence,
                        unit=unit,
                        required_level=level,
                        mandatory=mandatory,
                        actor=request.user,
                    )
                    changed += 1
        if errors:
            messages.error(
                request, _("Not saved, the level is not 0–4: %(cells)s") % {"cells": ", ".join(errors)}
            )
        else:
            messages.success(request, _("%(count)s requirement(s) saved.") % {"count": changed})
        return redirect(request.get_full_path())
    names = {c.pk: c.local_name for c in competences}
    rows = [(role, _requirement_cells(role, competences, names, grid)) for role in roles]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "competence/requirements.html",
        {
            "organisation": organisation,
            "filter_form": filter_form,
            "framework": framework,
            "unit": unit,
            "competences": competences,
            "rows": rows,
            "levels": Level.choices,
            "page": page,
            "query": query.urlencode(),
        },
    )


ROLES_PER_PAGE = 15


def _requirement_cells(
    role: Role, competences: list[Competence], names: dict[int, str], grid: dict[tuple[int, int], Any]
) -> SafeString:
    """One role's row of the grid as HTML: a level picker and a mandatory box per competence
    (15 roles × 100 competences are 1,500 cells, too many for the template language). Every
    text is escaped once; the pickers' options are made once per level."""
    required, mandatory = escape(_("required level")), escape(_("mandatory"))
    levels = [value for value, _label in Level.choices]
    options = {
        chosen: '<option value="">–</option>'
        + "".join(f'<option value="{v}"{" selected" if v == chosen else ""}>{v}</option>' for v in levels)
        for chosen in [None, *levels]
    }
    role_name = escape(role.name)
    parts = []
    for competence in competences:
        current = grid.get((role.pk, competence.pk))
        level = current.required_level if current else None
        label = f"{role_name} – {escape(names[competence.pk])}"
        key = f"{role.pk}-{competence.pk}"
        checked = " checked" if current and current.mandatory else ""
        parts.append(
            f'<td><select name="level-{key}" aria-label="{label}: {required}">'
            f"{options.get(level, options[None])}</select>"
            f'<label class="inline"><input type="checkbox" name="mandatory-{key}"{checked}>'
            f'<span class="visually-hidden">{label}: </span>{mandatory}</label></td>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above
