"""The initiatives page and one initiative's page, with one POST view per change: its details,
status and owners, target units and roles, modules, goals and plan entries (add, change,
remove, mark done), and asking for proposals. Only its organisation's leads and its owners
change an initiative; anyone else gets a 404 and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kompetenslyft.competence.selectors import competences_in_use
from kompetenslyft.core.access import Access, access_for
from kompetenslyft.core.models import ProductRole
from kompetenslyft.org.checkboxes import UnitRow, checked, unit_picker
from kompetenslyft.org.models import Organisation, Person, Role, Unit

from . import hooks, initiative_services, selectors, services
from .forms import (
    ChoicesForm,
    GoalForm,
    InitiativeDetailsForm,
    InitiativeForm,
    InitiativeSettingsForm,
    PlanEntryForm,
)
from .models import Initiative, InitiativeGoal, PlanEntry, SupportContact
from .scope_rules import scope_locked_message


def lead_org(access: Access) -> Organisation:
    """The organisation a lead works in (the first by name); 404 for anyone else."""
    orgs = (
        Organisation.objects.all()
        if access.is_superuser
        else Organisation.objects.filter(pk__in=sorted(access.lead_org_ids))
    )
    organisation = orgs.order_by("name").first()
    if organisation is None:
        raise Http404
    return organisation


def _visible(request: HttpRequest, pk: int) -> tuple[Access, Initiative, bool]:
    access = access_for(request.user)
    initiative = selectors.initiatives_visible(access).filter(pk=pk).select_related("organisation").first()
    if initiative is None:
        raise Http404
    return access, initiative, selectors.initiative_editable(access, initiative)


def _editable(request: HttpRequest, pk: int) -> Initiative:
    """The initiative, for someone who may change it; 404 for anyone else (as for one not there)."""
    _access, initiative, can_edit = _visible(request, pk)
    if not can_edit:
        raise Http404
    return initiative


def _back(initiative: Initiative, anchor: str = "") -> HttpResponse:
    return redirect(reverse("learning:initiative", args=[initiative.pk]) + (f"#{anchor}" if anchor else ""))


def _units(organisation: Organisation) -> Any:
    return Unit.objects.filter(organisation=organisation).order_by("path")


def _roles(organisation: Organisation) -> Any:
    return Role.objects.filter(organisation=organisation).order_by("name")


Groups = list[tuple[str, list[tuple[int, str]]]]  # what the shared "_checkboxes.html" shows


def _module_groups(organisation: Organisation) -> Groups:
    """The modules the organisation uses, grouped by category."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for m in selectors.modules_for(organisation.pk).order_by("category", "code"):
        groups.setdefault(m.category or "–", []).append((m.pk, f"{m.code} {m.name}"))
    return list(groups.items())


def _pickers(
    organisation: Organisation, kinds: tuple[str, ...], *, checked_units: set[str], opened: list[str]
) -> dict[str, Any]:
    """The target units as a folded tree of checkboxes (``org.checkboxes.unit_picker``), roles
    and modules (by category) as lists: those of ``kinds``."""
    pickers: dict[str, Any] = {}
    if "units" in kinds:
        # three columns per unit, not 3,000 model objects (the picker shows a few hundred)
        units = [UnitRow(*row) for row in _units(organisation).values_list("pk", "name", "parent_id")]
        pickers["unit_picker"] = unit_picker(units, checked=checked_units, opened=opened)
    if "roles" in kinds:
        pickers["role_groups"] = [("", [(r.pk, r.name) for r in _roles(organisation)])]
    if "modules" in kinds:
        pickers["module_groups"] = _module_groups(organisation)
    return pickers


# The initiative's target units, target roles and modules: each a set of checkboxes
# (``ChoicesForm``, prefix = kind) saved by its own view through ``_save_choices``.
CHOICE_LABELS = {
    "units": gettext_lazy("Target units (each with the units below it)"),
    "roles": gettext_lazy("Target roles (none chosen: every role)"),
    "modules": gettext_lazy("Modules"),
}


def _choices_form(initiative: Initiative, kind: str, data: Any = None) -> ChoicesForm:
    organisation = initiative.organisation
    choices: Any = {
        # a unit's pk and name (3,000 units as model objects cost 40 ms a page)
        "units": lambda: list(_units(organisation).values_list("pk", "name")),
        "roles": lambda: [(o.pk, str(o)) for o in _roles(organisation)],
        "modules": lambda: [(o.pk, str(o)) for o in selectors.modules_for(organisation.pk)],
    }[kind]()
    chosen = getattr(initiative, kind).values_list("pk", flat=True)
    return ChoicesForm(
        data,
        prefix=kind,
        label=str(CHOICE_LABELS[kind]),
        choices=choices,
        initial=None if data is not None else {"chosen": list(chosen)},
    )


def _save_choices(
    request: HttpRequest, pk: int, kind: str, save: Callable[[Initiative, list[int]], None]
) -> HttpResponse:
    """The page of the checkboxes of ``kind`` (GET); a POST saves them with ``save``, or, from
    a folded branch's "show the units below" button (``open``), shows them again as ticked. A
    refused set is shown with its error (400). The modules of an initiative people have taken
    part in are changed only by a lead (``scope_rules``): anyone else is told why, without the
    form, and a POST is refused (403)."""
    access, initiative, can_edit = _visible(request, pk)
    if not can_edit:
        raise Http404
    if kind == "modules" and selectors.initiative_scope_locked(access, initiative):
        return _choices_page(
            request,
            initiative,
            kind,
            _choices_form(initiative, kind),
            locked=scope_locked_message(),
            status=403 if request.method == "POST" else 200,
        )
    if request.method != "POST":
        return _choices_page(request, initiative, kind, _choices_form(initiative, kind))
    form = _choices_form(initiative, kind, request.POST)
    if "open" in request.POST:
        return _choices_page(request, initiative, kind, form, validate=False)
    if form.is_valid():
        try:
            save(initiative, form.cleaned_data["chosen"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _back(initiative, "modules" if kind == "modules" else "")
    return _choices_page(request, initiative, kind, form, status=400)


CHOICE_TITLES = {
    "units": gettext_lazy("Change the target units"),
    "roles": gettext_lazy("Change the target roles"),
    "modules": gettext_lazy("Change the modules"),
}


def _choices_page(
    request: HttpRequest,
    initiative: Initiative,
    kind: str,
    form: ChoicesForm,
    *,
    validate: bool = True,
    status: int = 200,
    locked: str = "",
) -> HttpResponse:
    """One set of the initiative's checkboxes on its own page (the unit tree of a large
    organisation would make the initiative's page too big); with ``locked``, why they cannot
    be changed, instead of the form."""
    ticked = checked(form["chosen"].value())  # as posted, or the initiative's own
    context: dict[str, Any] = {
        "initiative": initiative,
        "kind": kind,
        "title": CHOICE_TITLES[kind],
        "form": form,
        "errors": form.errors if validate else {},
        "name": form["chosen"].html_name,
        f"checked_{kind}": ticked,
        "open_action": request.path,
        "locked": locked,
    }
    if locked:
        context["chosen_names"] = [str(m) for m in getattr(initiative, kind).order_by("code")]
        return render(request, "learning/initiative_choices.html", context, status=status)
    context.update(
        _pickers(
            initiative.organisation,
            (kind,),
            checked_units=ticked,
            opened=request.POST.getlist("open") if request.method == "POST" else [],
        )
    )
    return render(request, "learning/initiative_choices.html", context, status=status)


@login_required
def initiatives(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    visible = selectors.initiatives_visible(access).select_related("organisation")
    # The menu offers this page to project leaders before any initiative names them.
    if not (access.is_lead or access.project_leader or visible.exists()):
        raise Http404
    form = None
    # A lead creates initiatives in its organisation; a project leader in the organisation of its
    # grant, and becomes the new initiative's owner (core.access: it sees its own initiatives).
    organisation, owners = _creator_org(access)
    # A folded branch's "show the units below" button posts the form to be shown again as filled in.
    opening = request.method == "POST" and "open" in request.POST
    if organisation is not None:
        form = InitiativeForm(
            None if opening else request.POST or None,
            initial=_as_initial(request.POST) if opening else None,
            units=_units(organisation).values_list("pk", "name"),
            roles=_roles(organisation),
            modules=selectors.modules_for(organisation.pk),
            codes_taken=lambda code: selectors.initiative_code_taken(organisation, code),
        )
        form.fields["budget"].label = _("Budget (%(currency)s)") % {"currency": organisation.currency}
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                initiative = services.initiative_create(
                    organisation=organisation,
                    code=data["code"],
                    name=data["name"],
                    purpose=data["purpose"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    budget=data["budget"],
                    units=list(_units(organisation).filter(pk__in=data["units"])),
                    roles=list(_roles(organisation).filter(pk__in=data["roles"])),
                    modules=list(selectors.modules_for(organisation.pk).filter(pk__in=data["modules"])),
                    owners=owners,
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("learning:initiative", pk=initiative.pk)
    elif request.method == "POST":
        raise Http404
    topics = selectors.support_topics(lead_org(access).pk) if access.is_lead else []
    context: dict[str, Any] = {
        "initiatives": visible,
        "form": form,
        "topics": topics,
        "creates_as_owner": bool(owners),
    }
    if form is not None and organisation is not None:
        ticked = {n: checked(form[n].value()) for n in ("units", "roles", "modules")}
        context.update({f"checked_{n}": values for n, values in ticked.items()})
        context.update(
            _pickers(
                organisation,
                ("units", "roles", "modules"),
                checked_units=ticked["units"],
                opened=request.POST.getlist("open"),
            )
        )
        context["open_action"] = request.path + "#new-initiative"
    return render(request, "learning/initiatives.html", context, status=400 if form and form.errors else 200)


def _as_initial(data: Any) -> dict[str, Any]:
    """A posted new-initiative form as the initial values of an unbound one (shown again, not checked)."""
    multiple = ("units", "roles", "modules")
    return {k: data.getlist(k) if k in multiple else data.get(k) for k in data if k != "csrfmiddlewaretoken"}


def _creator_org(access: Access) -> tuple[Organisation | None, list[Person]]:
    """Where this account may create an initiative, and who owns it then: a lead's organisation
    (no owner named yet), else a project leader's own organisation with itself as owner."""
    if access.is_lead:
        return lead_org(access), []
    pl_orgs = access.org_ids_with(ProductRole.PROJECT_LEADER)
    if not pl_orgs or access.person_id is None:
        return None, []
    organisation = Organisation.objects.filter(pk__in=sorted(pl_orgs)).order_by("name").first()
    person = Person.objects.filter(pk=access.person_id).first()
    if organisation is None or person is None:
        return None, []
    return organisation, [person]


def _forms(initiative: Initiative, bound: dict[str, Any], *, period_locked: bool) -> dict[str, Any]:
    """Every form of the page, unbound with the initiative's values, or the one that was posted."""
    organisation = initiative.organisation
    # Read once for every goal form (a queryset was read again by each of them).
    competences = list(competences_in_use(organisation))
    forms: dict[str, Any] = {
        "details_form": InitiativeDetailsForm(
            prefix="details",
            currency=organisation.currency,
            period_locked=period_locked,
            initial={
                "name": initiative.name,
                "purpose": initiative.purpose,
                "starts_on": initiative.starts_on,
                "ends_on": initiative.ends_on,
                "budget": initiative.budget,
            },
        ),
        "settings_form": InitiativeSettingsForm(
            prefix="settings",
            initial={
                "status": initiative.status,
                "owners": ", ".join(initiative.owners.values_list("employee_id", flat=True)),
                "steering_group": ", ".join(initiative.steering_group.values_list("employee_id", flat=True)),
                "support": ", ".join(
                    SupportContact.objects.filter(initiative=initiative).values_list(
                        "person__employee_id", flat=True
                    )
                ),
            },
        ),
        "entry_form": PlanEntryForm(prefix="entry"),
        "goal_form": GoalForm(prefix="goal", competences=competences),
    }
    forms.update({k: v for k, v in bound.items() if k in forms})
    forms["entry_forms"] = {
        e.pk: bound.get(f"entry-{e.pk}")
        or PlanEntryForm(
            prefix=f"entry-{e.pk}", initial={f: getattr(e, f) for f in PlanEntryForm.base_fields}
        )
        for e in initiative.entries.all()
    }
    forms["goal_forms"] = {
        g.pk: bound.get(f"goal-{g.pk}")
        or GoalForm(prefix=f"goal-{g.pk}", competences=competences, initial=GoalForm.initial_for(g))
        for g in initiative.goals.prefetch_related("competences")
    }
    return forms


TARGET_UNITS_SHOWN = 12  # the initiative's page names this many target units, then "and N more"


def _target_units(initiative: Initiative) -> dict[str, Any]:
    units = list(initiative.units.order_by("path").only("pk", "name")[: TARGET_UNITS_SHOWN + 1])
    more = initiative.units.count() - TARGET_UNITS_SHOWN if len(units) > TARGET_UNITS_SHOWN else 0
    return {"target_units": units[:TARGET_UNITS_SHOWN], "more_units": more}


SUMMARY_ROWS = 30  # the page's proposal summary shows this many units, then "and N more"


def _summary(access: Access, initiative: Initiative) -> dict[str, Any]:
    rows = selectors.proposal_summary(access, initiative, shown=SUMMARY_ROWS)
    return {"summary": rows[:SUMMARY_ROWS], "more_summary": max(0, len(rows) - SUMMARY_ROWS)}


def _page(request: HttpRequest, pk: int, bound: dict[str, Any] | None = None) -> HttpResponse:
    access, initiative, can_edit = _visible(request, pk)
    plan = selectors.plan(initiative)
    # The checklist's evaluation item, annotated by the evaluation app (learning does not import it).
    annotate = hooks.provided("checklist_evaluation")
    evaluation_item, evaluation_status = (
        annotate(initiative, plan.get(PlanEntry.Kind.CHECKLIST, [])) if annotate else (None, None)
    )
    context: dict[str, Any] = {
        "evaluation_item": evaluation_item,
        "evaluation_status": evaluation_status,
        "initiative": initiative,
        "currency": initiative.organisation.currency,
        "can_edit": can_edit,
        "plan": plan,
        "goals": selectors.goal_attainment(initiative),
        **_summary(access, initiative),
        "can_open_proposals": access.can_list_people,  # the proposals page is a manager's or a lead's
        "modules": initiative.modules.all(),
        **_target_units(initiative),
        "panels": hooks.panels("initiative", request, {"initiative": initiative, "can_edit": can_edit}),
    }
    if can_edit:
        locked = selectors.initiative_scope_locked(access, initiative)
        context["scope_locked"] = scope_locked_message() if locked else ""
        forms = _forms(initiative, bound or {}, period_locked=locked)
        entry_forms, goal_forms = forms.pop("entry_forms"), forms.pop("goal_forms")
        for entries in plan.values():
            for entry in entries:
                entry.edit_form = entry_forms.get(entry.pk)  # type: ignore[attr-defined]
        for status in context["goals"]:
            status.edit_form = goal_forms.get(status.goal.pk)
        context.update(forms)
    return render(request, "learning/initiative.html", context, status=400 if bound else 200)


@require_GET
@login_required
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@require_POST
@login_required
def initiative_details_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access, initiative, can_edit = _visible(request, pk)
    if not can_edit:
        raise Http404
    form = InitiativeDetailsForm(
        request.POST,
        prefix="details",
        currency=initiative.organisation.currency,
        period_locked=selectors.initiative_scope_locked(access, initiative),
    )
    if form.is_valid():
        try:
            initiative_services.initiative_update(
                initiative=initiative, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The initiative was updated."))
            return _back(initiative)
    return _page(request, pk, {"details_form": form})


@require_POST
@login_required
def initiative_settings(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _editable(request, pk)
    form = InitiativeSettingsForm(request.POST, prefix="settings")
    if not form.is_valid():
        return _page(request, pk, {"settings_form": form})
    data = form.cleaned_data
    unknown = initiative_services.initiative_settings(
        initiative=initiative,
        status=data["status"],
        owner_ids=form.ids(data["owners"]),
        steering_ids=form.ids(data["steering_group"]),
        support_ids=form.ids(data["support"]),
        actor=request.user,
    )
    if unknown:
        messages.error(
            request,
            _("No one in the organisation has the employee id(s): %(ids)s") % {"ids": ", ".join(unknown)},
        )
    else:
        messages.success(request, _("The initiative was updated."))
    return _back(initiative)


def _target_message(request: HttpRequest, change: initiative_services.Change) -> None:
    messages.success(request, _("The target group was changed."))
    if change.proposals_removed:
        messages.info(
            request,
            ngettext(
                "%(count)s unconfirmed proposal of someone outside the new target group was removed.",
                "%(count)s unconfirmed proposals of people outside the new target group were removed.",
                change.proposals_removed,
            )
            % {"count": change.proposals_removed},
        )


def _save_target(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The target units or roles (``kind``), through ``initiative_units_set`` / ``_roles_set``."""
    options, write = {
        "units": (_units, initiative_services.initiative_units_set),
        "roles": (_roles, initiative_services.initiative_roles_set),
    }[kind]

    def save(initiative: Initiative, chosen: list[int]) -> None:
        picked = list(options(initiative.organisation).filter(pk__in=chosen))
        change = write(initiative=initiative, actor=request.user, **{kind: picked})  # type: ignore[operator]
        _target_message(request, change)

    return _save_choices(request, pk, kind, save)


@require_http_methods(["GET", "POST"])
@login_required
def initiative_units(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_target(request, pk, "units")


@require_http_methods(["GET", "POST"])
@login_required
def initiative_roles(request: HttpRequest, pk: int) -> HttpResponse:
    return _save_target(request, pk, "roles")


@require_http_methods(["GET", "POST"])
@login_required
def initiative_modules(request: HttpRequest, pk: int) -> HttpResponse:
    def save(initiative: Initiative, chosen: list[int]) -> None:
        modules = list(selectors.modules_for(initiative.organisation_id).filter(pk__in=chosen))
        change = initiative_services.initiative_modules_set(
            initiative=initiative, modules=modules, actor=request.user
        )
        messages.success(request, _("The modules were changed."))
        if change.proposals_renewed:
            messages.info(request, _("Proposals are being made again without the removed modules."))

    return _save_choices(request, pk, "modules", save)


@require_POST
@login_required
def initiative_propose(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _editable(request, pk)
    services.proposals_request(initiative=initiative, actor=request.user)
    messages.success(request, _("Proposals are being made from the gap; managers can review them soon."))
    return _back(initiative)


def _goal_form(request: HttpRequest, initiative: Initiative, prefix: str) -> GoalForm:
    return GoalForm(request.POST, prefix=prefix, competences=competences_in_use(initiative.organisation))


def _goal_values(form: GoalForm, initiative: Initiative) -> dict[str, Any]:
    """A valid goal form's values and the competences it picked, as the goal services take them."""
    chosen = set(form.cleaned_data["competences"])
    return {
        "data": {k: v for k, v in form.cleaned_data.items() if k != "competences"},
        "competences": [c for c in competences_in_use(initiative.organisation) if c.pk in chosen],
    }


def _part(request: HttpRequest, pk: int, related: str, part: int) -> tuple[Initiative, Any]:
    """An initiative that may be changed and one of its goals or plan entries (``related``);
    404 when either is not there or not the viewer's to change."""
    initiative = _editable(request, pk)
    found = getattr(initiative, related).filter(pk=part).first()
    if found is None:
        raise Http404
    return initiative, found


def _goal(request: HttpRequest, pk: int, goal: int) -> tuple[Initiative, InitiativeGoal]:
    return _part(request, pk, "goals", goal)


@require_POST
@login_required
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _editable(request, pk)
    form = _goal_form(request, initiative, "goal")
    if form.is_valid():
        initiative_services.goal_create(
            initiative=initiative, actor=request.user, **_goal_values(form, initiative)
        )
        messages.success(request, _("The goal was added."))
        return _back(initiative, "goals")
    return _page(request, pk, {"goal_form": form})


@require_POST
@login_required
def goal_edit(request: HttpRequest, pk: int, goal: int) -> HttpResponse:
    initiative, found = _goal(request, pk, goal)
    form = _goal_form(request, initiative, f"goal-{found.pk}")
    if form.is_valid():
        initiative_services.goal_update(goal=found, actor=request.user, **_goal_values(form, initiative))
        messages.success(request, _("The goal was changed."))
        return _back(initiative, "goals")
    return _page(request, pk, {f"goal-{found.pk}": form})


@require_POST
@login_required
def goal_remove(request: HttpRequest, pk: int, goal: int) -> HttpResponse:
    initiative, found = _goal(request, pk, goal)
    initiative_services.goal_delete(goal=found, actor=request.user)
    messages.success(request, _("The goal was removed."))
    return _back(initiative, "goals")


@require_POST
@login_required
def plan_entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    initiative = _editable(request, pk)
    form = PlanEntryForm(request.POST, prefix="entry")
    if form.is_valid():
        initiative_services.plan_entry_create(
            initiative=initiative, data=form.cleaned_data, actor=request.user
        )
        messages.success(request, _("Added to the plan."))
        return _back(initiative, "plan")
    return _page(request, pk, {"entry_form": form})


def _entry(request: HttpRequest, pk: int, entry: int) -> tuple[Initiative, PlanEntry]:
    return _part(request, pk, "entries", entry)


@require_POST
@login_required
def plan_entry_edit(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    initiative, found = _entry(request, pk, entry)
    form = PlanEntryForm(request.POST, prefix=f"entry-{found.pk}")
    if form.is_valid():
        initiative_services.plan_entry_update(entry=found, data=form.cleaned_data, actor=request.user)
        messages.success(request, _("The plan entry was changed."))
        return _back(initiative, f"entry-{found.pk}")
    return _page(request, pk, {f"entry-{found.pk}": form})


@require_http_methods(["GET", "POST"])
@login_required
def plan_entry_remove(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """A confirm page (GET) whose button removes the plan entry (POST)."""
    initiative, found = _entry(request, pk, entry)
    if request.method != "POST":
        return render(request, "learning/plan_entry_remove.html", {"initiative": initiative, "entry": found})
    initiative_services.plan_entry_delete(entry=found, actor=request.user)
    messages.success(request, _("The plan entry was removed."))
    return _back(initiative, "plan")


@require_POST
@login_required
def plan_entry_done(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    initiative, found = _entry(request, pk, entry)
    initiative_services.plan_entry_toggle(entry=found, actor=request.user)
    return _back(initiative, f"entry-{found.pk}")
