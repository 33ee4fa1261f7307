from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .models import Applying, Hindrance


class TalkForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("Date held"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    applying = forms.ChoiceField(
        label=gettext_lazy("Is the person applying it at work?"),
        choices=Applying.choices,
        widget=forms.RadioSelect,
    )
    hindrances = forms.MultipleChoiceField(
        label=gettext_lazy("What hinders?"),
        choices=Hindrance.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    hindrance_other = forms.CharField(
        label=gettext_lazy("Something else that hinders"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    support_needed = forms.CharField(
        label=gettext_lazy("What support is needed?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "applying": data["applying"],
            "hindrances": data["hindrances"],
            "hindrance_other": data["hindrance_other"],
            "support_needed": data["support_needed"],
        }
