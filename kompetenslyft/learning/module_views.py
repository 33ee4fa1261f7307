"""The module catalogue and a module's page; the lead creates and edits its organisation's
modules, sets the introduction roles, shares modules and job aids with the network and adopts
those others share. One URL and view per action; writes through ``module_services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kompetenslyft.competence.selectors import competences_in_use
from kompetenslyft.core.access import Access, access_for
from kompetenslyft.org.models import Organisation, Person, Role

from . import hooks, module_selectors, module_services, selectors, services
from .initiative_views import lead_org
from .journey_views import book_posted
from .models import Enrolment, JobAid, Module
from .module_forms import IntroductionForm, ModuleForm


def _own_module(access: Access, pk: int) -> Module:
    """A module the viewer may edit: one of the organisations it leads owns it."""
    module = Module.objects.filter(pk=pk, organisation__isnull=False).select_related("organisation").first()
    if module is None or module.organisation_id is None or not access.is_lead_of(module.organisation_id):
        raise Http404
    return module


def _module_form(request: HttpRequest, organisation: Organisation, module: Module | None) -> ModuleForm:
    modules = module_selectors.modules_used_by([organisation.pk]).order_by("code")
    if module is not None:
        modules = modules.exclude(pk=module.pk)
    initial: dict[str, Any] | None = None
    if module is not None:
        initial = {
            "code": module.code,
            "name": module.name,
            "category": module.category,
            "level": module.level,
            "module_format": module.format,
            "hours": module.hours,
            "refresh_months": module.refresh_months,
            "description": module.description,
            "activity_iri": module.activity_iri,
            "pre_material": module.pre_material,
            "competences": [c.pk for c in module.competences.all()],
            "mandatory_roles": [r.pk for r in module.mandatory_roles.all()],
            "prerequisites": [p.pk for p in module.prerequisites.all()],
        }
    return ModuleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        competences=competences_in_use(organisation),
        roles=Role.objects.filter(organisation=organisation).order_by("name"),
        modules=modules,
    )


def _module_values(form: ModuleForm, organisation: Organisation) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "code": data["code"],
        "name": data["name"],
        "category": data["category"],
        "level": data["level"],
        "module_format": data["module_format"],
        "hours": data["hours"],
        "refresh_months": data["refresh_months"],
        "description": data["description"],
        "activity_iri": data["activity_iri"],
        "pre_material": data["pre_material"],
        "competences": list(competences_in_use(organisation).filter(pk__in=data["competences"])),
        "mandatory_roles": list(
            Role.objects.filter(organisation=organisation, pk__in=data["mandatory_roles"])
        ),
        "prerequisites": list(
            module_selectors.modules_used_by([organisation.pk]).filter(pk__in=data["prerequisites"])
        ),
    }


def _add_errors(form: ModuleForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    modules = list(
        module_selectors.modules_visible(access)
        .prefetch_related("competences", "mandatory_roles")
        .order_by("category", "code")
    )
    shared, shared_network = _("shared"), _("shared with the network")
    m: Any
    for m in modules:  # each card's words and links once, not per cell in the template
        m.url = reverse("learning:module", args=[m.pk])
        m.enrol_url = reverse("learning:module_enrol", args=[m.pk])
        meta = [
            m.code,
            m.category,
            m.get_level_display(),
            m.get_format_display(),
            f"{formats.localize(m.hours)} h",
        ]
        if not m.organisation_id:
            meta.append(shared)
        elif m.shared:
            meta.append(shared_network)
        m.meta = " · ".join(str(part) for part in meta)
        m.teaches = ", ".join(c.local_name for c in m.competences.all())
        m.mandatory_for = ", ".join(r.name for r in m.mandatory_roles.all())
    return render(
        request,
        "learning/catalogue.html",
        {
            "modules": modules,
            "can_create": access.is_lead,
        },
    )


@login_required
def module_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    module = (
        module_selectors.modules_visible(access)
        .filter(pk=pk)
        .select_related("organisation")
        .prefetch_related("competences", "mandatory_roles", "prerequisites", "job_aids")
        .first()
    )
    if module is None:
        raise Http404
    can_edit = module.organisation_id is not None and access.is_lead_of(module.organisation_id)
    lead_orgs = [o for o in module_selectors.lead_orgs_using(access, module)]
    introduction = None
    if lead_orgs:
        organisation = lead_orgs[0]
        roles = Role.objects.filter(organisation=organisation).order_by("name")
        introduction = IntroductionForm(
            initial={
                "roles": list(
                    module.introduction_roles.filter(organisation=organisation).values_list("pk", flat=True)
                )
            },
            roles=roles,
        )
    person = Person.objects.filter(pk=access.person_id).first() if access.person_id else None
    return render(
        request,
        "learning/module.html",
        {
            "module": module,
            "can_edit": can_edit,
            "introduction": introduction,
            "adopters": module.adoptions.count() if can_edit else None,
            "can_enrol": person is not None and not module.mandatory_roles.exists(),
            "enrolled": person is not None
            and Enrolment.objects.filter(person=person, module=module).exists(),
            "sessions": module_selectors.coming_sessions(person, module) if person is not None else None,
            "panels": hooks.panels("module", request, module),
        },
    )


def _person_and_module(request: HttpRequest, pk: int) -> tuple[Person, Module]:
    """The viewer's person and a module it sees; 404 for an account without a person."""
    access = access_for(request.user)
    person = Person.objects.filter(pk=access.person_id).first() if access.person_id else None
    module = module_selectors.modules_visible(access).filter(pk=pk).first()
    if person is None or module is None:
        raise Http404
    return person, module


@login_required
@require_POST
def module_book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book oneself on one of the module's sessions from its page (``journey_views.book_posted``)."""
    person, module = _person_and_module(request, pk)
    # The sessions the page lists: coming, not cancelled, of this module.
    coming = selectors.sessions_bookable_by(person).filter(
        module=module, cancelled=False, starts_at__gte=timezone.now()
    )
    book_posted(request, person, coming)
    return redirect(reverse("learning:module", args=[module.pk]) + "#sessions")


@login_required
def module_create(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    organisation = lead_org(access)
    form = _module_form(request, organisation, None)
    if request.method == "POST" and form.is_valid():
        try:
            module = module_services.module_create(
                organisation=organisation, actor=request.user, **_module_values(form, organisation)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The module %(code)s was created.") % {"code": module.code})
            return redirect("learning:module", pk=module.pk)
    return render(request, "learning/module_form.html", {"form": form, "module": None})


@login_required
def module_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    module = _own_module(access, pk)
    organisation = module.organisation
    if organisation is None:  # _own_module never gives a network module
        raise Http404
    form = _module_form(request, organisation, module)
    if request.method == "POST" and form.is_valid():
        try:
            module_services.module_update(
                module=module, actor=request.user, **_module_values(form, organisation)
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The module was saved."))
            return redirect("learning:module", pk=module.pk)
    return render(request, "learning/module_form.html", {"form": form, "module": module})


@login_required
@require_POST
def module_introduction(request: HttpRequest, pk: int) -> HttpResponse:
    access = access_for(request.user)
    module = module_selectors.modules_visible(access).filter(pk=pk).first()
    lead_orgs = module_selectors.lead_orgs_using(access, module) if module is not None else []
    if module is None or not lead_orgs:
        raise Http404
    organisation = lead_orgs[0]
    roles = Role.objects.filter(organisation=organisation)
    form = IntroductionForm(request.POST, roles=roles.order_by("name"))
    if not form.is_valid():
        messages.error(request, _("Choose roles of your organisation."))
        return redirect("learning:module", pk=module.pk)
    module_services.module_set_introduction_roles(
        module=module,
        organisation=organisation,
        roles=list(roles.filter(pk__in=form.cleaned_data["roles"])),
        actor=request.user,
    )
    messages.success(request, _("The introduction programme was saved."))
    return redirect("learning:module", pk=module.pk)


def _share(request: HttpRequest, pk: int, *, shared: bool) -> HttpResponse:
    module = _own_module(access_for(request.user), pk)
    module_services.module_share(module=module, shared=shared, actor=request.user)
    messages.success(
        request,
        _("The module is shared with the network.") if shared else _("The module is no longer shared."),
    )
    return redirect("learning:module", pk=module.pk)


@login_required
@require_POST
def module_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _share(request, pk, shared=True)


@login_required
@require_POST
def module_unshare(request: HttpRequest, pk: int) -> HttpResponse:
    return _share(request, pk, shared=False)


@login_required
@require_POST
def module_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    person, module = _person_and_module(request, pk)
    try:
        services.enrol(person=person, module=module)
    except ValidationError:
        raise Http404 from None
    # Next: a session of it (the module's page lists them, each with a Book button).
    if module_selectors.coming_sessions(person, module, limit=1):
        messages.success(
            request,
            _("You are enrolled in %(module)s. Book one of its sessions below.") % {"module": module.name},
        )
    else:
        messages.success(
            request,
            _("You are enrolled in %(module)s. There is no session of it to book yet.")
            % {"module": module.name},
        )
    return redirect(reverse("learning:module", args=[module.pk]) + "#sessions")


@login_required
def network(request: HttpRequest) -> HttpResponse:
    """What the other organisations of the network share (to adopt) and one's own job aids (to
    share); one's own modules are shared from their page."""
    access = access_for(request.user)
    organisation = lead_org(access)
    return render(
        request,
        "learning/network.html",
        {
            "organisation": organisation,
            "modules": module_selectors.modules_offered(organisation).select_related("organisation"),
            "adopted_modules": module_selectors.modules_adopted(organisation).select_related("organisation"),
            "aids": module_selectors.job_aids_offered(organisation).select_related("organisation"),
            "adopted_aids": module_selectors.job_aids_adopted(organisation).select_related("organisation"),
            "own_aids": JobAid.objects.filter(organisation=organisation)
            .defer("attachment")
            .order_by("title"),
        },
    )


@login_required
@require_POST
def module_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = lead_org(access_for(request.user))
    module = module_selectors.modules_offered(organisation).filter(pk=pk).first()
    if module is None:
        raise Http404
    module_services.module_adopt(organisation=organisation, module=module, actor=request.user)
    messages.success(request, _("%(module)s is now in your catalogue.") % {"module": module.name})
    return redirect("learning:network")


@login_required
@require_POST
def job_aid_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = lead_org(access_for(request.user))
    aid = module_selectors.job_aids_offered(organisation).filter(pk=pk).first()
    if aid is None:
        raise Http404
    module_services.job_aid_adopt(organisation=organisation, job_aid=aid, actor=request.user)
    messages.success(request, _("%(title)s is now among your job aids.") % {"title": aid.title})
    return redirect("learning:network")


def _share_aid(request: HttpRequest, pk: int, *, shared: bool) -> HttpResponse:
    access = access_for(request.user)
    aid = (
        JobAid.objects.filter(pk=pk, organisation_id__in=sorted(access.lead_org_ids))
        .defer("attachment")
        .first()
    )
    if aid is None:
        raise Http404
    module_services.job_aid_share(job_aid=aid, shared=shared, actor=request.user)
    messages.success(
        request,
        _("The job aid is shared with the network.") if shared else _("The job aid is no longer shared."),
    )
    return redirect("learning:network")


@login_required
@require_POST
def job_aid_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _share_aid(request, pk, shared=True)


@login_required
@require_POST
def job_aid_unshare(request: HttpRequest, pk: int) -> HttpResponse:
    return _share_aid(request, pk, shared=False)
