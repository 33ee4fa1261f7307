"""The form renderer: Django's own Jinja2 widget templates (a select with many options renders
5–10× faster than through the template language), falling back to Django templates for a
widget template Jinja2 does not have (the admin's widgets: ``admin/widgets/*.html``)."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FastFormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
