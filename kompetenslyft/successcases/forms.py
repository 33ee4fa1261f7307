from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
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

    contact_list = forms.TypedChoiceField(
        label=gettext_lazy("The group the interviews came from"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[],
        help_text=gettext_lazy("A contact list drawn on this page; the story keeps the group's name."),
    )

    def __init__(self, *args: Any, lists: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lists = {c.pk: c for c in lists}
        self.fields["contact_list"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("Not from a contact list")),
            *[(c.pk, f"{c.label} ({timezone.localtime(c.drawn_at):%Y-%m-%d})") for c in self.lists.values()],
        ]

    def story_fields(self) -> dict[str, Any]:
        """The cleaned data for the services: the chosen contact list as the object."""
        data = dict(self.cleaned_data)
        chosen = data.pop("contact_list", None)
        data["contact_list"] = self.lists.get(chosen) if chosen else None
        return data

    @staticmethod
    def initial_for(story: Story) -> dict[str, str]:
        found = {
            k: getattr(story, k) for k in ("kind", "title", "what_was_done", "result", "helped", "hindered")
        }
        found["contact_list"] = story.contact_list_id
        return found
