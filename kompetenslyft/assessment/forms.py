from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    measurement_point = forms.IntegerField(
        label=_("Measurement point"),
        min_value=0,
        max_value=999,
        initial=0,
        help_text=_("0 is the baseline; 1, 2 … are the follow-ups."),
    )
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))
    units = forms.TypedMultipleChoiceField(
        label=_("Units (each with the units below it)"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    roles = forms.TypedMultipleChoiceField(
        label=_("Roles (none chosen: every role)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, units: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``units``: (pk, depth, name) rows; the page shows them through the unit picker, the
        # choices only check what is posted (3,000 units as model objects cost 0.1 s a page).
        self.fields["units"].choices = [(pk, ("\u00a0\u00a0" * depth) + name) for pk, depth, name in units]  # type: ignore[attr-defined]
        self.fields["roles"].choices = [(r.pk, r.name) for r in roles]  # type: ignore[attr-defined]
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + dt.timedelta(days=21)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The campaign closes before it opens."))
        return data


class GapFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    role = forms.TypedChoiceField(label=_("Role"), coerce=int, required=False, empty_value=None)
    point = forms.TypedChoiceField(label=_("Measurement point"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, units: Any, roles: Any, points: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("The whole organisation"))] + [  # type: ignore[attr-defined]
            (u.pk, ("\u00a0\u00a0" * u.depth) + u.name) for u in units
        ]
        self.fields["role"].choices = [("", _("Every role"))] + [(r.pk, r.name) for r in roles]  # type: ignore[attr-defined]
        self.fields["point"].choices = [("-1", _("Each person's latest answer"))] + [  # type: ignore[attr-defined]
            (p, _("Measurement point %(point)s") % {"point": p}) for p in points
        ]
