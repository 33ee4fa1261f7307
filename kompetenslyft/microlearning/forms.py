from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import CHOICES


class ChoiceForm(forms.Form):
    choice = forms.ChoiceField(choices=[(c, c) for c in CHOICES])


class SwitchForm(forms.Form):
    enabled = forms.BooleanField(required=False)


class ChallengeForm(forms.Form):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("Unit"))  # type: ignore[arg-type]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].label_from_instance = lambda u: "\u00a0\u00a0" * u.depth + u.name  # type: ignore[attr-defined]
