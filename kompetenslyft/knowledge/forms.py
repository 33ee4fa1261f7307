from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from kompetenslyft.core.tabular import CONTROL_CHARACTERS

from .services import MAX_FILE_BYTES


class GiftUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Question file (GIFT, .gift or .txt)"),
        help_text=gettext_lazy(
            "Moodle's GIFT text format: multiple choice, multiple answers and true/false, with feedback."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".gift,.txt,text/plain"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".gift", ".txt")):
            raise forms.ValidationError(gettext_lazy("Choose a .gift or .txt file."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than %(kb)s kB.") % {"kb": MAX_FILE_BYTES // 1024}
            )
        return upload


class TestForm(forms.Form):
    pass_mark = forms.IntegerField(
        label=gettext_lazy("Pass mark (%)"), min_value=1, max_value=100, initial=80
    )
    questions_drawn = forms.IntegerField(
        label=gettext_lazy("Questions drawn"), min_value=1, max_value=100, initial=10
    )
    max_attempts = forms.IntegerField(
        label=gettext_lazy("Tries allowed"),
        min_value=0,
        max_value=50,
        initial=3,
        help_text=gettext_lazy("0: as many as the person wants."),
    )
    wait_hours = forms.IntegerField(
        label=gettext_lazy("Hours between tries"), min_value=0, max_value=24 * 60, initial=0
    )
    active = forms.BooleanField(label=gettext_lazy("Open to take"), required=False, initial=True)


class BankRenameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("New name"), max_length=200)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if CONTROL_CHARACTERS.search(name):
            raise forms.ValidationError(gettext_lazy("The name holds a control character."))
        return name
