from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import LogFilter

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control(value: str) -> None:
    if _CONTROL.search(value or ""):
        raise forms.ValidationError(_("The text contains control characters; remove them."))


class ExtractReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[_no_control],
        help_text=_("For example: the person asked for its register extract by e-mail on 3 March."),
    )


class AccessLogFilterForm(forms.Form):
    person = forms.CharField(label=_("Person read"), max_length=100, required=False, validators=[_no_control])
    reader = forms.CharField(label=_("Reader"), max_length=100, required=False, validators=[_no_control])
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error(
                "date_to",
                forms.ValidationError(
                    _(
                        "The from date (%(start)s) is later than the to date (%(end)s): choose a to date on or after it."
                    ),
                    code="range",
                    params={"start": start.isoformat(), "end": end.isoformat()},
                ),
            )
            self.fields["date_to"].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": "date_to_error"}
            )
        return data

    def only_range_error(self) -> bool:
        """Whether the one thing wrong is a from date after the to date (shown on the page
        as a form error; any other bad value is a bad request)."""
        return self.is_bound and set(self.errors) == {"date_to"} and self.has_error("date_to", "range")

    def filters(self) -> LogFilter:
        data = self.cleaned_data
        return LogFilter(
            person=(data.get("person") or "").strip(),
            reader=(data.get("reader") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
