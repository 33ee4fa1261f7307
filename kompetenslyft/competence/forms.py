from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class FrameworkCreateForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=300)


class CompetenceForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=300)
    category = forms.CharField(label=_("Category"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goals = forms.CharField(
        label=_("Knowledge goals (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What a person can do afterwards, e.g. “I can report a deviation.”"),
    )

    def goal_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("goals", "").splitlines() if line.strip()]


class GridFilterForm(forms.Form):
    framework = forms.TypedChoiceField(label=_("Framework"), coerce=int)
    unit = forms.TypedChoiceField(label=_("Applies in"), coerce=int, required=False, empty_value=None)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, frameworks: Any, units: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [(f.pk, f.local_name) for f in frameworks]  # type: ignore[attr-defined]
        self.fields["unit"].choices = [("", _("Every unit"))] + [  # type: ignore[attr-defined]
            (u.pk, ("\u00a0\u00a0" * u.depth) + u.name) for u in units
        ]
        self.fields["category"].choices = [("", _("All categories"))] + [  # type: ignore[attr-defined]
            (c.pk, c.local_name) for c in categories
        ]
