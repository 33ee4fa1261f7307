"""Self-assessment pages: campaigns for leads, the questionnaire for everyone, the gap
heatmap with drill-down, movement, the team view and one's own gaps."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.competence.models import LEVEL_HELP, Competence, Level
from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.params import (
    check_filter_form,
    int_or_none,
    optional_id,
    parse_choice,
    parse_id,
    parse_int,
    parse_page,
)
from kompetenslyft.dataprotection.models import AccessKind
from kompetenslyft.dataprotection.reads import log_read
from kompetenslyft.learning.models import Initiative
from kompetenslyft.learning.selectors import initiatives_visible
from kompetenslyft.org.models import Organisation, Person, Role, Unit
from kompetenslyft.org.selectors import team_unit, team_units, units_near

from . import gap_selectors, selectors, services
from .forms import GapFilterForm
from .models import LATEST, Campaign, Participant
from .targeting import campaign_target_count, count_text


def _organisation(request: HttpRequest, ids: set[int] | None) -> Organisation:
    organisations = (
        Organisation.objects.all() if ids is None else Organisation.objects.filter(pk__in=sorted(ids))
    )
    wanted = optional_id(request.GET.get("organisation"), name="organisation")
    if wanted is not None:
        organisations = organisations.filter(pk=wanted)
    organisation = organisations.order_by("name").first()
    if organisation is None:
        raise Http404
    return organisation


def _lead_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = selectors.campaigns_for_lead(access_for(request.user)).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    campaign = selectors.campaigns_visible(access).filter(pk=pk).select_related("organisation").first()
    if campaign is None:
        raise Http404
    unit_filter = request.GET.get("unit")
    unit_pk = optional_id(unit_filter, name="unit")
    rows = selectors.response_rates(access, campaign)
    invited = sum(r.invited for r in rows)
    completed = sum(r.completed for r in rows)
    return render(
        request,
        "assessment/campaign.html",
        {
            "campaign": campaign,
            "rows": rows,
            "invited": invited,
            "completed": completed,
            "rate": completed / invited if invited else 0.0,
            "is_lead": access.is_lead_of(campaign.organisation_id),
            "answerable": services.campaign_is_answerable(campaign),
            "target": count_text(campaign_target_count(campaign))
            if campaign.status == Campaign.Status.DRAFT
            else "",
            "missing": selectors.not_answered(access, campaign, unit_pk)[:200] if unit_filter else None,
        },
    )


@login_required
@require_POST
def campaign_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _lead_campaign(request, pk)
    try:
        services.campaign_open(campaign=campaign, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The self-assessment is being prepared; invitations go out when it is ready.")
        )
    return redirect("assessment:campaign", pk=pk)


@login_required
@require_POST
def campaign_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _lead_campaign(request, pk)
    services.campaign_close(campaign=campaign, actor=request.user)
    messages.success(request, _("The self-assessment is closed."))
    return redirect("assessment:campaign", pk=pk)


@login_required
@require_POST
def campaign_remind_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _lead_campaign(request, pk)
    try:
        services.campaign_remind(campaign=campaign, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Reminders are on their way to everyone who has not answered."))
    return redirect("assessment:campaign", pk=pk)


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire: only the person's own competences, each with its knowledge goals and
    the levels in plain language. Saves as it goes (a small script) and on submit."""
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    participant = (
        Participant.objects.filter(campaign_id=pk, person_id=access.person_id)
        .select_related("campaign", "person", "person__unit")
        .first()
    )
    if participant is None:
        raise Http404
    campaign, person = participant.campaign, participant.person
    answerable = services.campaign_is_answerable(campaign)
    errors: list[str] = []
    if request.method == "POST":
        levels = {}
        for key in request.POST:
            value = request.POST.get(key, "")
            if key.startswith("competence-") and value != "":
                level = int_or_none(value)
                levels[parse_id(key[11:], name=key)] = -1 if level is None or level > 4 else level
        try:
            services.answers_submit(person=person, campaign=campaign, levels=levels)
        except ValidationError as exc:
            errors = exc.messages
            if request.headers.get("x-requested-with") == "fetch":
                return HttpResponse(" ".join(errors), status=400, content_type="text/plain; charset=utf-8")
        else:
            if request.headers.get("x-requested-with") == "fetch":
                return HttpResponse(_("Saved"), content_type="text/plain; charset=utf-8")
            messages.success(
                request,
                _("Thank you! Your answers are saved. You can change them until %(date)s.")
                % {"date": campaign.closes_on.isoformat()},
            )
            return redirect("assessment:answer", pk=pk)
    questions = selectors.questionnaire(person, campaign)
    return render(
        request,
        "assessment/answer.html",
        {
            "campaign": campaign,
            "questions": questions,
            "answerable": answerable,
            "errors": errors,
            "levels": [(value, label, LEVEL_HELP[value]) for value, label in Level.choices],
            "answered": sum(1 for q in questions if q.level is not None),
        },
    )


# --- gaps ----------------------------------------------------------------------------------------


def _gap_context(request: HttpRequest) -> tuple[Access, Organisation, GapFilterForm, dict[str, Any]]:
    access = access_for(request.user)
    if not access.can_see_units:
        raise Http404
    ids = None if access.is_superuser else (access.aggregate_org_ids | set(access.managed_organisation_ids))
    organisation = _organisation(request, ids)
    units = Unit.objects.filter(access.units_filter(), organisation=organisation).order_by("path")
    roles = Role.objects.filter(organisation=organisation).order_by("name")
    # The list offers the top of the tree, the unit shown with the units above it, and its
    # children (the heatmap's own links lead further down), not thousands of units.
    form = GapFilterForm(
        request.GET or None,
        units=units_near(units, optional_id(request.GET.get("unit"), name="unit")),
        roles=roles,
        points=selectors.measurement_points(organisation),
    )
    chosen: dict[str, Any] = {"unit": None, "role": None, "point": LATEST}
    check_filter_form(form, ids=("unit", "role", "point"))
    if form.is_bound:
        data = form.cleaned_data
        chosen["unit"] = units.filter(pk=data["unit"]).first() if data["unit"] else None
        chosen["role"] = roles.filter(pk=data["role"]).first() if data["role"] else None
        chosen["point"] = data["point"] if data["point"] is not None else LATEST
    return access, organisation, form, chosen


def _protected_anywhere(access: Access, organisation: Organisation) -> bool:
    """Does the viewer see figures that pass the disclosure control (outside its own units)?"""
    return not access.is_lead_of(organisation.pk) and bool(access.aggregate_org_ids)


def _cell_html(
    cell: gap_selectors.Cell,
    row: gap_selectors.HeatRow,
    can_drill: bool,
    drill_base: str,
    counts_text: str,
    too_few: str,
    protected_text: str = "%(below)s / %(assessed)s",
) -> str:
    """One heatmap cell (built here rather than in the template: a whole organisation has
    thousands of them)."""
    if not cell.required:
        return mark_safe('<td class="band-0"><span class="muted">–</span></td>')  # noqa: S308
    if cell.hidden:
        return format_html('<td class="band-0"><span class="muted">{}</span></td>', too_few)
    if not row.exact:
        # Outside the viewer's own units the head count the requirement concerns is not shown:
        # it is a head count per unit and role that no release protects (ADR 0007).
        if not cell.assessed:
            return mark_safe('<td class="band-0"><small>0</small></td>')  # noqa: S308
        counts = protected_text % {"below": cell.below, "assessed": cell.assessed}
    elif not cell.assessed:
        return format_html('<td class="band-0"><small>0 / {}</small></td>', cell.required)
    else:
        counts = counts_text % {"below": cell.below, "assessed": cell.assessed, "required": cell.required}
    percent = f"{cell.percent} %"
    if can_drill and cell.below:
        url = f"{drill_base}&at={row.unit.pk}&competence={cell.competence_pk}" + (
            "&direct=1" if row.direct else ""
        )
        return format_html(
            '<td class="band-{}"><a href="{}"><strong>{}</strong></a><br><small>{}</small></td>',
            cell.band,
            url,
            percent,
            counts,
        )
    return format_html(
        '<td class="band-{}"><strong>{}</strong><br><small>{}</small></td>', cell.band, percent, counts
    )


@login_required
def gap_heatmap(request: HttpRequest) -> HttpResponse:
    access, organisation, form, chosen = _gap_context(request)
    heat = gap_selectors.heatmap(
        access, organisation, parent=chosen["unit"], point=chosen["point"], role=chosen["role"]
    )
    query = request.GET.copy()
    query.pop("unit", None)
    drill_base = reverse("assessment:gap_people") + "?" + request.GET.urlencode()
    counts_text = _("%(below)s of %(assessed)s (%(required)s)")
    protected_text = _("%(below)s of %(assessed)s")
    too_few = _("too few")
    for row in heat.rows:
        # Only where the viewer sees people by name does a cell lead to them.
        can_drill = access.can_list_people and row.exact
        row.html = [
            _cell_html(cell, row, can_drill, drill_base, counts_text, too_few, protected_text)
            for cell in row.cells
        ]
    return render(
        request,
        "assessment/heatmap.html",
        {
            "heat": heat,
            "form": form,
            "organisation": organisation,
            "query": query.urlencode(),
            "protected": not all(row.exact for row in heat.rows),
            "chosen": chosen,
            "points": selectors.measurement_points(organisation),
        },
    )


@login_required
def gap_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The heatmap as on screen, to CSV or Excel."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    access, organisation, _form, chosen = _gap_context(request)
    heat = gap_selectors.heatmap(
        access, organisation, parent=chosen["unit"], point=chosen["point"], role=chosen["role"]
    )
    # Headers and words in the person's language (the CLI's `report gap --format json` keeps
    # the column names of formats.md); the share is a percentage.
    header = [
        _("Unit id"),
        _("Unit"),
        _("Counts"),
        _("Competence code"),
        _("Competence"),
        _("People with the requirement"),
        _("Answered"),
        _("Below the goal"),
        _("Share below the goal (%)") if fmt == "csv" else _("Share below the goal"),
    ]
    direct, below = _("the unit itself"), _("the unit and the units below")
    rows = [
        [
            row.unit.unit_id,
            row.label,
            direct if row.direct else below,
            competence.code,
            competence.local_name,
            # Hidden cells hide their head count too: "at most as many answered as are
            # required" would otherwise pin a hidden figure (as on screen, where they say
            # "too few" and nothing else).
            # Outside the viewer's own units the head count the requirement concerns is left
            # out as well: no release protects it (ADR 0007).
            "" if cell.hidden or not row.exact else cell.required,
            "" if cell.hidden else cell.assessed,
            "" if cell.hidden else cell.below,
            ""
            if cell.hidden
            else (round(100 * cell.share_below, 1) if fmt == "csv" else round(cell.share_below, 4)),
        ]
        for row in heat.rows
        for competence, cell in zip(heat.competences, row.cells, strict=True)
    ]
    from kompetenslyft.core.spreadsheet import append_row, download_name, neutralise_row  # no live formulas

    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(neutralise_row(header))
        writer.writerows(neutralise_row(row_values) for row_values in rows)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Gap analysis")[:31]
        append_row(sheet, header)
        for heading in sheet[1]:
            heading.font = Font(bold=True)
        for row_values in rows:
            append_row(sheet, row_values)
            if row_values[-1] != "":
                sheet.cell(sheet.max_row, len(header)).number_format = "0.0%"
        sheet.column_dimensions["B"].width = 32
        sheet.column_dimensions["E"].width = 32
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    filename = download_name(_("gap-analysis"), organisation.code, extension=fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def lead_initiatives(access: Access, organisation: Organisation) -> QuerySet[Initiative]:
    """The initiatives of the organisation a lead may propose modules from."""
    return initiatives_visible(access).filter(organisation=organisation).order_by("-starts_on", "name")


@dataclass
class DrillDown:
    access: Access
    organisation: Organisation
    unit: Unit
    competence: Competence
    direct: bool
    chosen: dict[str, Any]
    rows: list[gap_selectors.PersonBelow]


def drill_down(request: HttpRequest) -> DrillDown:
    """The people under the goal that the drill-down's query (``at``, ``competence``,
    ``direct`` and the heatmap's filters) names, within the viewer's scope only."""
    access, organisation, _form, chosen = _gap_context(request)
    if not access.can_list_people:
        raise Http404
    unit_pk = parse_id(request.GET.get("at"), name="at")
    competence_pk = parse_id(request.GET.get("competence"), name="competence")
    unit = Unit.objects.filter(
        access.units_with_people_filter(), organisation=organisation, pk=unit_pk
    ).first()
    competence = Competence.objects.filter(pk=competence_pk).first()
    if unit is None or competence is None:
        raise Http404
    direct = parse_choice(request.GET.get("direct"), ("0", "1"), name="direct") == "1"
    rows = gap_selectors.people_below(
        access,
        organisation,
        unit=unit,
        competence=competence,
        point=chosen["point"],
        role=chosen["role"],
        direct=direct,
    )
    return DrillDown(access, organisation, unit, competence, direct, chosen, rows)


@login_required
def gap_people(request: HttpRequest) -> HttpResponse:
    """Drill-down: the people under the goal, within the viewer's scope only; a lead of the
    organisation may go on to propose modules for exactly these people."""
    found = drill_down(request)
    can_propose = bool(found.rows) and found.access.is_lead_of(found.organisation.pk)
    initiatives = list(lead_initiatives(found.access, found.organisation)) if can_propose else []
    log_read(request, AccessKind.GAP_PEOPLE, [row.person for row in found.rows])
    return render(
        request,
        "assessment/gap_people.html",
        {
            "unit": found.unit,
            "competence": found.competence,
            "rows": found.rows,
            "direct": found.direct,
            "chosen": found.chosen,
            "levels": dict(Level.choices),
            "can_propose": can_propose,
            "initiatives": initiatives,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def gap_movement(request: HttpRequest) -> HttpResponse:
    access, organisation, form, chosen = _gap_context(request)
    points = selectors.measurement_points(organisation)
    first = parse_int(request.GET.get("from"), default=points[0] if points else 0, maximum=999, name="from")
    second = parse_int(request.GET.get("to"), default=points[-1] if points else 1, maximum=999, name="to")
    rows = gap_selectors.movement(
        access, organisation, unit=chosen["unit"], first=first, second=second, role=chosen["role"]
    )
    # Movement counts people the viewer may see by name (people_filter), nobody else; an
    # aggregates-only viewer is shown no group under the threshold either.
    threshold = organisation.anonymity_threshold if _protected_anywhere(access, organisation) else 0
    return render(
        request,
        "assessment/movement.html",
        {
            "rows": [r for r in rows if r.both >= threshold],
            "form": form,
            "first": first,
            "second": second,
            "points": points,
            "chosen": chosen,
        },
    )


# The team grid is people × competences (dozens of columns): a shorter page than lists.
TEAM_PAGE_SIZE = 20


def _gap_cells(person: Person, cells: list[selectors.OwnGap | None]) -> SafeString:
    """One person's row of the team grid as HTML: 20 people × 60 competences are 1,200 cells,
    too many for the template language at 50,000 people (it took most of the page's time)."""
    person.url = reverse("org:person", args=[person.pk])  # type: ignore[attr-defined]
    not_answered = _("not answered")
    below = _("below the requirement")
    parts = []
    for cell in cells:
        if cell is None:
            parts.append('<td><span class="muted">–</span></td>')
        elif cell.level is None:
            parts.append(format_html("<td><small>{}</small> / {}</td>", not_answered, cell.required_level))
        elif cell.gap:
            parts.append(
                format_html(
                    '<td class="band-4">{} / {} <span class="visually-hidden">{}</span>▼</td>',
                    cell.level,
                    cell.required_level,
                    below,
                )
            )
        else:
            parts.append(format_html("<td>{} / {}</td>", cell.level, cell.required_level))
    return mark_safe("".join(parts))  # noqa: S308 - every part is format_html or a constant


@login_required
def team(request: HttpRequest) -> HttpResponse:
    """A manager's (or lead's) team: people × competences, level against the requirement."""
    access = access_for(request.user)
    if not access.can_list_people:
        raise Http404
    units = team_units(access)
    wanted = optional_id(request.GET.get("unit"), name="unit")
    unit = team_unit(access, wanted)
    if wanted is not None and (unit is None or unit.pk != wanted):
        raise Http404  # a unit outside the viewer's scope: as one that does not exist
    if unit is None:
        raise Http404
    # The unit and every unit below it, a page at a time.
    page = Paginator(selectors.team_people(access, unit), TEAM_PAGE_SIZE).get_page(
        parse_page(request.GET.get("page"))
    )
    competences, rows = selectors.team_gaps(access, unit, people=list(page.object_list))
    log_read(request, AccessKind.TEAM_COMPETENCES, [person for person, _cells in rows])
    return render(
        request,
        "assessment/team.html",
        {
            "unit": unit,
            "units": units_near(units, unit),
            "competences": competences,
            "rows": [(person, _gap_cells(person, cells)) for person, cells in rows],
            "page": page,
        },
    )


@login_required
def my_gaps(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.person_id:
        raise Http404
    person = Person.objects.select_related("unit", "role").get(pk=access.person_id)
    return render(
        request,
        "assessment/me.html",
        {
            "person": person,
            "gaps": selectors.person_gaps(person),
            "participations": selectors.person_campaigns(person),
            "levels": dict(Level.choices),
        },
    )
