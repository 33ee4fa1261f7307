"""The module form (checks beyond the types are the import's, in ``module_services``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Module
from .module_rules import MAX_REFRESH_MONTHS


class ModuleForm(forms.Form):
    code = forms.CharField(label=_("Module code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=300)
    category = forms.CharField(label=_("Category"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=Module.Level.choices)
    module_format = forms.ChoiceField(label=_("Format"), choices=Module.Format.choices)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_value=1000, max_digits=6, decimal_places=2)
    refresh_months = forms.IntegerField(
        label=_("Repeat every (months)"),
        required=False,
        min_value=1,
        max_value=MAX_REFRESH_MONTHS,
        help_text=_("Empty: once is enough. E.g. 24 for data protection every second year."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    activity_iri = forms.CharField(
        label=_("xAPI activity IRI"),
        max_length=2000,
        required=False,
        help_text=_(
            "Completed or passed statements for this activity in the learning record store complete "
            "the module. Empty: derived from the address of the platform and the module code."
        ),
    )
    pre_material = forms.CharField(
        label=_("Pre-material"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    competences = forms.TypedMultipleChoiceField(
        label=_("Competences and knowledge goals it teaches"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mandatory_roles = forms.TypedMultipleChoiceField(
        label=_("Mandatory for roles"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    prerequisites = forms.TypedMultipleChoiceField(
        label=_("Prerequisites (modules taken before this one)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, competences: Any, roles: Any, modules: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competences"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.code} {c.local_name}") for c in competences
        ]
        self.fields["mandatory_roles"].choices = [(r.pk, r.name) for r in roles]  # type: ignore[attr-defined]
        self.fields["prerequisites"].choices = [(m.pk, f"{m.code} {m.name}") for m in modules]  # type: ignore[attr-defined]


class IntroductionForm(forms.Form):
    roles = forms.TypedMultipleChoiceField(
        label=_("Introduction for roles"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People who start in these roles have the module assigned, and their manager is told."),
    )

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [(r.pk, r.name) for r in roles]  # type: ignore[attr-defined]
