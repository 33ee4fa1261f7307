"""cmi5's blocks on learning pages (``learning.hooks.add_panel``): the units a person may
launch on its journey and a module's page; the import form for the module's lead."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kompetenslyft.core.access import access_for
from kompetenslyft.learning import module_selectors
from kompetenslyft.org.models import Person

from . import cmi5_selectors


def journey_panel(request: Any, person: Any) -> str:
    units = list(cmi5_selectors.units_for_person(person))
    if not units:
        return ""
    return render_to_string("lrs/_journey_panel.html", {"units": units}, request=request)


def module_panel(request: Any, module: Any) -> str:
    access = access_for(request.user)
    leads = module_selectors.lead_orgs_using(access, module)
    units: list[Any] = []
    if access.person_id:
        person = Person.objects.get(pk=access.person_id)
        if module.pk in cmi5_selectors.journey_module_ids(person):
            units = list(cmi5_selectors.units_for_person(person, {module.pk}))
    if not leads and not units:
        return ""
    courses = list(cmi5_selectors.courses_of(module, [o.pk for o in leads])) if leads else []
    return render_to_string(
        "lrs/_module_panel.html",
        {"module": module, "leads": leads, "courses": courses, "units": units},
        request=request,
    )
