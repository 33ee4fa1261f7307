from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Question


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    introduction = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown above the questions: why you ask, and that the answers are anonymous."),
    )
    opens_on = forms.DateField(
        label=_("Opens"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("Closes"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("New question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Question.Kind.choices)
