"""The answer page's form (five items of formats.md, a comment, the initiative's questions) and
the lead's question form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .answering import COMMENT_MAX, QUESTION_MAX, Answers, has_control_characters
from .models import Question

# formats.md: 1 not at all, 2 to a small extent, 3 to a fairly large extent, 4 to a large extent.
EXTENT = [
    (1, _("not at all")),
    (2, _("to a small extent")),
    (3, _("to a fairly large extent")),
    (4, _("to a large extent")),
]
# formats.md: 1 much too easy, 2 somewhat too easy, 3 right, 4 somewhat too hard, 5 much too hard.
LEVEL_SCALE = [
    (1, _("much too easy")),
    (2, _("somewhat too easy")),
    (3, _("right")),
    (4, _("somewhat too hard")),
    (5, _("much too hard")),
]
# The five items, in the order they are asked.
ITEM_QUESTIONS = [
    ("motivated", _("Were you motivated to take part?"), EXTENT),
    ("level", _("How was the level?"), LEVEL_SCALE),
    ("method_good", _("Was the way of learning good for you?"), EXTENT),
    ("important", _("Is what you learned important for your job?"), EXTENT),
    ("will_use", _("Will you use it in your work?"), EXTENT),
]


def _no_control(value: str) -> None:
    if has_control_characters(value):
        raise forms.ValidationError(_("The text contains control characters; remove them."))


class AnswerForm(forms.Form):
    """Every field optional; at least one must be given (checked in ``clean``)."""

    comment = forms.CharField(
        label=_("Anything else you want to say? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[_no_control],
    )

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for name, label, scale in ITEM_QUESTIONS:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=scale,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )
        for question in questions:
            key = f"q{question.pk}"
            if question.kind == Question.Kind.SCALE:
                self.fields[key] = forms.TypedChoiceField(
                    label=question.text,
                    choices=EXTENT,
                    coerce=int,
                    required=False,
                    empty_value=None,
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[key] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=COMMENT_MAX,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    validators=[_no_control],
                )
        self.order_fields([name for name, _label, _scale in ITEM_QUESTIONS] + ["comment"])

    def _scale(self, name: str) -> dict[str, Any]:
        field = self[name]
        value = str(field.value() or "")
        return {
            "kind": "scale",
            "name": field.html_name,
            "label": field.label,
            "choices": [(str(v), text, str(v) == value) for v, text in field.field.choices],  # type: ignore[attr-defined]
            "errors": field.errors,
        }

    def scale_items(self) -> list[dict[str, Any]]:
        """The five items of formats.md, for the template (one fieldset each)."""
        return [self._scale(name) for name, _label, _scale in ITEM_QUESTIONS]

    def added_items(self) -> list[dict[str, Any]]:
        """The initiative's questions in their order: a scale (a fieldset) or a text field."""
        return [
            self._scale(f"q{q.pk}")
            if q.kind == Question.Kind.SCALE
            else {"kind": "text", "field": self[f"q{q.pk}"]}
            for q in self.questions
        ]

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            motivated=data.get("motivated"),
            level=data.get("level"),
            method_good=data.get("method_good"),
            important=data.get("important"),
            will_use=data.get("will_use"),
            comment=data.get("comment") or "",
            extra={q.pk: data[f"q{q.pk}"] for q in self.questions if data.get(f"q{q.pk}") not in (None, "")},
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and self.answers().is_empty():
            raise forms.ValidationError(_("Answer at least one question."))
        return cleaned


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=QUESTION_MAX, validators=[_no_control])
    kind = forms.ChoiceField(
        label=_("Answered with"), choices=Question.Kind.choices, initial=Question.Kind.SCALE
    )


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


class SurveyQuestionForm(forms.Form):
    text = forms.CharField(label=_("New question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Question.Kind.choices)
