"""The lead's form for a new LRS client."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SCOPE_READ_ALL, SCOPE_READ_MINE, SCOPE_WRITE

SCOPE_CHOICES = [
    (SCOPE_WRITE, _("Write statements and documents (statements/write)")),
    (SCOPE_READ_ALL, _("Read all the organisation's statements and documents (all/read)")),
    (SCOPE_READ_MINE, _("Read only what this client wrote (statements/read/mine)")),
]


class ClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the tool"),
        max_length=200,
        help_text=_("For example the e-learning tool or app that will send statements."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("What the client may do"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[SCOPE_WRITE],
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise forms.ValidationError(_("The name may not contain control characters."))
        if not name:
            raise forms.ValidationError(_("Give the client a name."))
        return name
