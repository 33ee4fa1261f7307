"""Initiatives and their plans, proposals for managers, the module catalogue, the team view,
the funder report, job aids. Sessions are in ``session_views``, the journey in
``journey_views``, support in ``support_views``."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetenslyft.competence.selectors import competences_in_use
from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import ParameterError, optional_id, parse_choice, parse_date, parse_text
from kompetenslyft.org.models import Organisation, Role, Unit

from . import selectors, services
from .forms import (
    JobAidForm,
)
from .funder_export import (
    evaluation_rows,
    extra_sheets,
    funder_xlsx,
    module_evaluation_header,
    module_evaluation_rows,
    scope_rows,
)
from .models import (
    Initiative,
)
from .module_selectors import job_aids_for
from .reports import (
    FunderScope,
    evaluation_figures,
    funder_figures,
    goal_attainment,
    hidden_evaluations,
    protected_funder_figures,
)


def _initiative(request: HttpRequest, pk: int) -> tuple[Access, Initiative, bool]:
    access = access_for(request.user)
    initiative = selectors.initiatives_visible(access).filter(pk=pk).select_related("organisation").first()
    if initiative is None:
        raise Http404
    return access, initiative, selectors.initiative_editable(access, initiative)


GENDER_CHOICES = {
    "woman": gettext_lazy("women"),
    "man": gettext_lazy("men"),
    "other": gettext_lazy("other or unspecified"),
}


@login_required
def funder(request: HttpRequest) -> HttpResponse:
    """The funder report on screen, filtered by initiative, unit subtree, role, module, gender
    and period; with the initiative's goals; to Excel and PDF."""
    access = access_for(request.user)
    org_ids = access.org_ids_with("lead", "project_leader", "top_management", "evaluator")
    if access.is_superuser:
        org_ids = set(Organisation.objects.values_list("pk", flat=True))
    organisation = Organisation.objects.filter(pk__in=sorted(org_ids)).order_by("name").first()
    if organisation is None:
        raise Http404
    initiatives_qs = (
        Initiative.objects.filter(organisation=organisation).select_related("organisation").order_by("name")
    )
    units = Unit.objects.filter(organisation=organisation, depth__lte=1).order_by("path")
    roles = Role.objects.filter(organisation=organisation).order_by("name")
    modules = selectors.modules_for(organisation.pk).order_by("code")
    # Each filter names something the viewer may pick (else 404, as one that does not exist)
    # or is refused with 400: never dropped without a word.
    initiative_code = parse_text(request.GET.get("initiative"), name="initiative")
    initiative = initiatives_qs.filter(code=initiative_code).first() if initiative_code else None
    unit_code = parse_text(request.GET.get("unit"), name="unit")
    unit = units.filter(unit_id=unit_code).first() if unit_code else None
    role_id = optional_id(request.GET.get("role"), name="role")
    role = roles.filter(pk=role_id).first() if role_id is not None else None
    module_id = optional_id(request.GET.get("module"), name="module")
    module = modules.filter(pk=module_id).first() if module_id is not None else None
    if (initiative_code and initiative is None) or (unit_code and unit is None):
        raise Http404
    if (role_id is not None and role is None) or (module_id is not None and module is None):
        raise Http404
    gender = parse_choice(request.GET.get("gender"), GENDER_CHOICES, name="gender")
    output = parse_choice(request.GET.get("format"), ("xlsx", "pdf"), name="format")
    days = [parse_date(request.GET.get("from"), name="from"), parse_date(request.GET.get("to"), name="to")]
    if days[0] is not None and days[1] is not None and days[0] > days[1]:
        raise ParameterError(_("from: after to"))
    # Exact figures for the organisation's lead and inside the units a manager manages;
    # everyone else (top management, project leaders, evaluators) sees them through the
    # disclosure control, one initiative at a time over its whole period: counts of distinct
    # people over nested periods, or over all initiatives against one, would differ by small
    # groups (ADR 0004). Role and gender pass the same release; a module filter leaves such
    # viewers the evaluation figures only (ADR 0006).
    exact = access.is_lead_of(organisation.pk) or (
        unit is not None and any(unit.path.startswith(path) for path in access.managed_paths)
    )
    if not exact:
        initiative = initiative or initiatives_qs.first()
        days = [None, None]
    if module is not None and initiative is not None and not initiative.modules.filter(pk=module.pk).exists():
        raise ParameterError(_("module: not a module of the initiative"))
    scope = FunderScope([organisation], initiative, days[0], days[1], unit, role, module, gender)
    if exact:
        figures = funder_figures(scope)
    elif initiative is not None:
        figures = protected_funder_figures(scope)
        days = [initiative.starts_on, initiative.ends_on]
    else:
        figures = {
            "unique_participants": dict.fromkeys(("total", "women", "men", "other_or_unspecified")),
            "training_hours": None,
            "evaluations": hidden_evaluations(),
        }
    goals = goal_attainment(initiative, protected=not exact) if initiative is not None else None
    if initiative is not None:  # the period the figures cover, stated on the page and exports
        days = [
            max(filter(None, (days[0], initiative.starts_on)), default=None),
            min(filter(None, (days[1], initiative.ends_on)), default=None),
        ]
    context = {
        "organisation": organisation,
        "figures": figures,
        "initiatives": initiatives_qs,
        "units": units,
        "roles": roles,
        "modules": initiative.modules.order_by("code") if initiative is not None else modules,
        "genders": list(GENDER_CHOICES.items()),
        "initiative": initiative,
        "unit": unit,
        "role": role,
        "module": module,
        "gender": gender,
        "gender_label": GENDER_CHOICES[gender] if gender else "",
        "days": days,
        "goals": goals,
        "query": request.GET.urlencode(),
        "protected": not exact,
        "today": timezone.localdate().isoformat(),
    }
    context["scope_rows"] = scope_rows(context)
    context["evaluation_rows"] = evaluation_rows(figures)
    # Each module of the initiative on its own (what the module filter shows, one by one): the
    # whole initiative's figures can be hidden where one module's small group could be worked out.
    if initiative is not None and module is None:
        per_module = [
            (m, evaluation_figures(dataclasses.replace(scope, module=m)))
            for m in initiative.modules.order_by("code")
        ]
        context["module_evaluation_header"] = module_evaluation_header()
        context["module_evaluation_rows"] = module_evaluation_rows(per_module)
    # Other apps' tables (the costs, the success stories): on the screen as in the exports.
    context["extra_sheets"] = extra_sheets(request, context)
    if output == "xlsx":
        response = HttpResponse(
            funder_xlsx(context),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        from kompetenslyft.core.spreadsheet import download_name

        filename = download_name(_("funder-report"), organisation.code, extension="xlsx")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if output == "pdf":
        from django.template.loader import render_to_string
        from weasyprint import HTML

        html = render_to_string("learning/funder_pdf.html", context, request=request)
        pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="funder-{organisation.code}.pdf"'
        return response
    return render(request, "learning/funder.html", context)


@login_required
def job_aids(request: HttpRequest) -> HttpResponse:
    """The job-aid library (lathundar): everyone reads its organisation's and the shared ones;
    leads and trainers add them."""
    access = access_for(request.user)
    org_ids = sorted(access.organisation_ids)
    if not org_ids and not access.is_superuser:
        raise Http404
    editor_orgs = access.lead_org_ids | access.org_ids_with("trainer")
    aids = job_aids_for(org_ids).prefetch_related("modules", "competences").defer("attachment")
    form = None
    if editor_orgs:
        organisation = Organisation.objects.filter(pk__in=sorted(editor_orgs)).order_by("name").first()
        if organisation is None:
            raise Http404
        modules = selectors.modules_for(organisation.pk).order_by("code")
        competences = competences_in_use(organisation)
        form = JobAidForm(
            request.POST or None, request.FILES or None, modules=modules, competences=competences
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            services.job_aid_save(
                organisation=organisation,
                title=data["title"],
                owner=data["owner"],
                version=data["version"],
                plain_language=data["plain_language"],
                link=data["link"],
                attachment=data["attachment"],
                modules=list(modules.filter(pk__in=data["modules"])),
                competences=list(competences.filter(pk__in=data["competences"])),
                actor=request.user,
            )
            messages.success(request, _("The job aid was added."))
            return redirect("learning:job_aids")
    elif request.method == "POST":
        raise Http404
    return render(request, "learning/job_aids.html", {"aids": aids, "form": form})


@login_required
def job_aid_file(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    aid = job_aids_for(access.organisation_ids).filter(pk=pk).exclude(attachment_name="").first()
    if aid is None:
        raise Http404
    response = HttpResponse(bytes(aid.attachment), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{aid.attachment_name}"'
    return response
