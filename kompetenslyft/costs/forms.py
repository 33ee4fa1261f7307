"""The forms of the costs pages: an entry and the initiative's settings. Amounts accept a
decimal comma and spaces as thousands separators ("1 250,50")."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kompetenslyft.core.forms import LongSelect

from .models import CostEntry

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class Amount(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        """A stored amount as the person's language writes it: "310" (not "310.00"), "310,50"."""
        if isinstance(value, Decimal):
            text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:.2f}"
            return text.replace(".", str(get_format("DECIMAL_SEPARATOR")))
        return value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
            # Digits and one decimal sign only: no exponent ("1e5"), NaN or Infinity.
            if value and not _PLAIN_NUMBER.fullmatch(value):
                raise ValidationError(
                    _("Write a plain number with digits and a decimal comma, e.g. 1 250,50."), code="invalid"
                )
        return super().to_python(value)


class CostEntryForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of cost"), choices=CostEntry.Kind.choices)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)
    module: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Module (optional)"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
        widget=LongSelect,
    )
    session: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Session (optional)"),
        queryset=None,
        required=False,  # type: ignore[arg-type]
        widget=LongSelect,
    )
    hours = Amount(
        label=gettext_lazy("Trainers' hours"),
        max_digits=8,
        help_text=gettext_lazy("Empty: the hours of the session, or of the module's sessions in the period."),
    )
    rate = Amount(label=gettext_lazy("Hourly rate"), max_digits=10)
    amount = Amount(
        label=gettext_lazy("Amount"),
        max_digits=12,
        help_text=gettext_lazy("For every kind but trainers' hours."),
    )

    def __init__(self, *args: Any, modules: Any, sessions: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        module_field: Any = self.fields["module"]
        session_field: Any = self.fields["session"]
        module_field.queryset = modules
        session_field.queryset = sessions
        # A year's sessions are a thousand options: made from three columns, not from a session
        # and its module model per option (the queryset still validates the choice).
        zone = timezone.get_current_timezone()
        session_field.choices = [
            ("", session_field.empty_label),
            *(
                (pk, f"{code} {starts_at.astimezone(zone):%Y-%m-%d %H:%M}")
                for pk, code, starts_at in sessions.values_list("pk", "module__code", "starts_at")
            ),
        ]
        self.fields["rate"].label = _("Hourly rate (%(currency)s)") % {"currency": currency}
        self.fields["amount"].label = _("Amount (%(currency)s)") % {"currency": currency}

    @staticmethod
    def initial_for(entry: CostEntry) -> dict[str, Any]:
        return {
            "kind": entry.kind,
            "description": entry.description,
            "module": entry.module_id,
            "session": entry.session_id,
            "hours": entry.hours,
            "rate": entry.rate,
            "amount": entry.amount,
        }


class CostSettingsForm(forms.Form):
    hourly_cost = Amount(label=gettext_lazy("Participants' hourly cost"), max_digits=10)
    travel_cost = Amount(label=gettext_lazy("Travel cost per onsite attendance"), max_digits=10)
    travel_minutes = forms.IntegerField(
        label=gettext_lazy("Travel minutes per onsite attendance"),
        required=False,
        min_value=0,
        max_value=10000,
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hourly_cost"].label = _("Participants' hourly cost (%(currency)s)") % {
            "currency": currency
        }
        self.fields["travel_cost"].label = _("Travel cost per onsite attendance (%(currency)s)") % {
            "currency": currency
        }


class RoleHourlyCostForm(forms.Form):
    role: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Role"),
        queryset=None,  # type: ignore[arg-type]
    )
    hourly_cost = Amount(
        label=gettext_lazy("Hourly cost"),
        max_digits=10,
        help_text=gettext_lazy("Empty: the role counts at the participants' hourly cost above."),
    )

    def __init__(self, *args: Any, roles: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field: Any = self.fields["role"]
        role_field.queryset = roles
        self.fields["hourly_cost"].label = _("Hourly cost (%(currency)s)") % {"currency": currency}
