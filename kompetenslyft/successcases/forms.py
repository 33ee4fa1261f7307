from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .models import Story


class StoryForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Story.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    what_was_done = forms.CharField(
        label=gettext_lazy("What was done"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Anonymised: no names, and nothing that points to one person."),
    )
    result = forms.CharField(
        label=gettext_lazy("The result"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    helped = forms.CharField(
        label=gettext_lazy("What helped"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    hindered = forms.CharField(
        label=gettext_lazy("What hindered"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @staticmethod
    def initial_for(story: Story) -> dict[str, str]:
        return {
            k: getattr(story, k) for k in ("kind", "title", "what_was_done", "result", "helped", "hindered")
        }
