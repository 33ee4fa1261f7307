"""The indicator form (its code is a slug unique in the organisation, checked by the service)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext, gettext_lazy

from .imports import parse_value
from .models import Indicator
from .ranges import value_problem


class IndicatorForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=64,
        help_text=gettext_lazy("Letters, digits, - and _; the import file names the indicator by it."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("How it is measured and where the figures come from."),
    )
    measure = forms.ChoiceField(label=gettext_lazy("Unit of measure"), choices=Indicator.Measure.choices)
    better = forms.ChoiceField(
        label=gettext_lazy("Which direction is better"), choices=Indicator.Better.choices
    )
    target = forms.CharField(
        label=gettext_lazy("Target"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Optional, in the unit of measure."),
    )

    def clean_target(self) -> Decimal | None:
        text = self.cleaned_data["target"]
        if not text.strip():
            return None
        value = parse_value(text)
        if value is None:
            raise forms.ValidationError(
                gettext("Not a number (at most 10 digits before the decimal sign and 4 after).")
            )
        return value

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        target, measure = data.get("target"), data.get("measure")
        if isinstance(target, Decimal) and measure and (problem := value_problem(str(measure), target)):
            self.add_error("target", f"{format(target.normalize(), 'f')} {problem}")
        return data
