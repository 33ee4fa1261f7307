from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from kompetenslyft.core.params import int_or_none

from .models import PlanEntry


class InitiativeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget = forms.DecimalField(label=_("Budget (SEK)"), required=False, max_digits=12, decimal_places=2)
    # Checkboxes: the page shows units as a tree, roles as a list and modules by category
    # (learning/_initiative_targets.html); the fields check what is posted.
    units = forms.TypedMultipleChoiceField(
        label=_("Target units (each with the units below it)"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.TypedMultipleChoiceField(
        label=_("Target roles (none chosen: every role)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    modules = forms.TypedMultipleChoiceField(
        label=_("Modules"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, units: Any, roles: Any, modules: Any, codes_taken: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # ``codes_taken(code)``: is the code the organisation's already? Checked with the other
        # fields, so that every problem of the form is named at once, not one round at a time.
        self.codes_taken = codes_taken
        # ``units``: (pk, name) rows. The page shows them through the unit picker; the choices
        # only check what is posted (3,000 units as model objects cost 0.1 s a page).
        # Unbound (the page shown), they are not read at all.
        self.fields["units"].choices = list(units) if self.is_bound else []  # type: ignore[attr-defined]
        self.fields["roles"].choices = [(r.pk, r.name) for r in roles]  # type: ignore[attr-defined]
        self.fields["modules"].choices = [(m.pk, f"{m.code} {m.name}") for m in modules]  # type: ignore[attr-defined]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if self.codes_taken is not None and self.codes_taken(code):
            raise forms.ValidationError(
                _("The organisation already has an initiative with the code '%(code)s'."),
                params={"code": code},
            )
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The initiative ends before it starts."))
        return data


class PlanEntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PlanEntry.Kind.choices)
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", "–"), *PlanEntry.Phase.choices], required=False)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 2}))
    audience = forms.CharField(label=_("Audience"), required=False, max_length=200)
    channel = forms.CharField(label=_("Channel"), required=False, max_length=200)
    owner = forms.CharField(label=_("Owner"), required=False, max_length=200)
    due_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    likelihood = forms.IntegerField(label=_("Likelihood (1–5)"), required=False, min_value=1, max_value=5)
    impact = forms.IntegerField(label=_("Impact (1–5)"), required=False, min_value=1, max_value=5)
    mitigation = forms.CharField(
        label=_("Mitigation"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PercentField(forms.DecimalField):
    """A share entered as a percentage (80 for 80 %) and cleaned to a fraction (0.8)."""

    def __init__(self, **kwargs: Any) -> None:
        # Localised: a Swedish or Norwegian user types 82,5 (82.5 is read too).
        super().__init__(min_value=0, max_value=100, max_digits=5, decimal_places=2, localize=True, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal"})

    def clean(self, value: Any) -> Decimal | None:
        percent = super().clean(value)
        return None if percent is None else (Decimal(percent) / 100).quantize(Decimal("0.0001"))

    def prepare_value(self, value: Any) -> Any:
        # Initial values are fractions (from the model); what the user typed is shown as typed.
        if isinstance(value, Decimal | float) and value <= 1:
            return number_format(Decimal(f"{(Decimal(str(value)) * 100).normalize():f}"))
        return value


class GoalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of goal"),
        choices=[
            ("reach", _("Share of the target group that reaches the knowledge goals")),
            ("participants", _("Number of unique participants")),
        ],
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    competences = forms.TypedMultipleChoiceField(label=_("Competences"), coerce=int, required=False)
    target_share = PercentField(label=_("Target share in % (e.g. 80)"), required=False)
    target_count = forms.IntegerField(
        label=_("Target number of participants"), required=False, min_value=1, max_value=1_000_000
    )
    women_share = PercentField(label=_("Share of women in % (e.g. 70)"), required=False)
    due_on = forms.DateField(label=_("By"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, competences: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competences"].choices = [(c.pk, f"{c.code} {c.local_name}") for c in competences]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(goal: Any) -> dict[str, Any]:
        return {
            "kind": goal.kind,
            "description": goal.description,
            "competences": [c.pk for c in goal.competences.all()],
            "target_share": goal.target_share,
            "target_count": goal.target_count,
            "women_share": goal.women_share,
            "due_on": goal.due_on,
        }


class InitiativeDetailsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget = forms.DecimalField(
        label=_("Budget"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def __init__(self, *args: Any, currency: str, period_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"].label = _("Budget (%(currency)s)") % {"currency": currency}
        if period_locked:
            # Shown and sent as they are (a read-only field is posted, a disabled one is not);
            # a changed period is refused by the service (learning.scope_rules).
            for name in ("starts_on", "ends_on"):
                self.fields[name].widget.attrs.update({"readonly": True, "aria-describedby": "scope-locked"})


class ChoicesForm(forms.Form):
    """A set of checkboxes: the initiative's units, roles or modules."""

    chosen = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[int, str]], label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chosen"].choices = choices  # type: ignore[attr-defined]
        self.fields["chosen"].label = label


class SessionForm(forms.Form):
    module = forms.TypedChoiceField(label=_("Module"), coerce=int)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=60 * 12, initial=90
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000, initial=20)
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    meeting_link = forms.URLField(label=_("Meeting link"), required=False, assume_scheme="https")
    language = forms.ChoiceField(
        label=_("Language"), choices=[("sv", "svenska"), ("nb", "norsk"), ("en", "English")]
    )
    accessibility = forms.CharField(
        label=_("Accessibility"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    organisation = forms.TypedChoiceField(label=_("Run by"), coerce=int)
    trainer = forms.TypedChoiceField(label=_("Trainer"), coerce=int, required=False, empty_value=None)
    initiative = forms.TypedChoiceField(
        label=_("Initiative (optional)"), coerce=int, required=False, empty_value=None
    )
    open_to = forms.TypedMultipleChoiceField(
        label=_("Open to other organisations of the network (shared modules only)"),
        coerce=int,
        required=False,
        help_text=_("Their people may book the session; you see them by name only, in the register."),
    )

    def __init__(
        self,
        *args: Any,
        modules: Any,
        organisations: Any,
        network: Any,
        trainers: Any = (),
        initiatives: Any = (),
        **kwargs: Any,
    ) -> None:
        """``organisations``: those the actor may run sessions for (the field is hidden when
        there is one); ``network``: every organisation a session may be opened to;
        ``trainers``: the people with the trainer role there; ``initiatives``: theirs."""
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [(m.pk, f"{m.code} {m.name}") for m in modules]  # type: ignore[attr-defined]
        self.fields["trainer"].choices = [("", "–"), *((p.pk, p.full_name) for p in trainers)]  # type: ignore[attr-defined]
        self.fields["initiative"].choices = [("", "–"), *((i.pk, i.name) for i in initiatives)]  # type: ignore[attr-defined]
        running = [(o.pk, o.name) for o in organisations]
        self.fields["organisation"].choices = running  # type: ignore[attr-defined]
        if len(running) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = running[0][0]
        self.fields["open_to"].choices = [(o.pk, o.name) for o in network]  # type: ignore[attr-defined]
        self.fields["open_to"].widget.attrs["size"] = min(8, max(2, len(self.fields["open_to"].choices)))  # type: ignore[attr-defined]


class SupportForm(forms.Form):
    topic = forms.CharField(label=_("Topic (e.g. the system or module)"), max_length=200)
    question = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class SessionFilterForm(forms.Form):
    """The filters of the session list (GET): module, trainer, initiative, period, coming or past."""

    module = forms.TypedChoiceField(label=_("Module"), coerce=int, required=False, empty_value=None)
    trainer = forms.TypedChoiceField(label=_("Trainer"), coerce=int, required=False, empty_value=None)
    initiative = forms.TypedChoiceField(label=_("Initiative"), coerce=int, required=False, empty_value=None)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("upcoming", _("Coming")), ("past", _("Past")), ("all", _("All"))],
    )

    def __init__(self, *args: Any, modules: Any, trainers: Any, initiatives: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "filter-%s")  # apart from the scheduling form's ids
        super().__init__(*args, **kwargs)
        self.fields["module"].choices = [("", "–"), *((m.pk, f"{m.code} {m.name}") for m in modules)]  # type: ignore[attr-defined]
        self.fields["trainer"].choices = [("", "–"), *((p.pk, p.full_name) for p in trainers)]  # type: ignore[attr-defined]
        self.fields["initiative"].choices = [("", "–"), *((i.pk, i.name) for i in initiatives)]  # type: ignore[attr-defined]


class SupportFilterForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)
    answered = forms.ChoiceField(
        label=_("Answered"),
        required=False,
        choices=[("", _("All")), ("no", _("Not answered")), ("yes", _("Answered"))],
    )


class SessionDetailsForm(forms.Form):
    recording_link = forms.URLField(label=_("Recording (afterwards)"), required=False, assume_scheme="https")
    open_to = forms.TypedMultipleChoiceField(
        label=_("Open to other organisations of the network"),
        coerce=int,
        required=False,
        help_text=_("Closing the session to an organisation cancels its people's bookings."),
    )

    def __init__(self, *args: Any, network: Any = None, **kwargs: Any) -> None:
        """``network``: the organisations the session may be opened to; none (a module of the
        running organisation's own) leaves the field out."""
        super().__init__(*args, **kwargs)
        choices = [(o.pk, o.name) for o in network or []]
        if choices:
            self.fields["open_to"].choices = choices  # type: ignore[attr-defined]
            self.fields["open_to"].widget.attrs["size"] = min(8, max(2, len(choices)))
        else:
            del self.fields["open_to"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        posted = self.data.getlist("open_to") if hasattr(self.data, "getlist") else self.data.get("open_to")
        if "open_to" not in self.fields and posted:  # refused, not ignored
            raise forms.ValidationError(
                _("Only a session of a module shared with the network can be opened to other organisations.")
            )
        return cleaned


class BookPeopleForm(forms.Form):
    """Book people picked from a list. ``people`` is checked against everyone the actor may
    book on the session: an id outside it gets the same answer as one that does not exist."""

    people = forms.TypedMultipleChoiceField(
        label=_("People to book"),
        coerce=int,
        error_messages={
            "required": _("Choose at least one person from the list."),
            "invalid_choice": _("Choose people from the list."),
        },
    )

    def __init__(self, *args: Any, bookable: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bookable = bookable
        # Any whole number is accepted here; clean_people checks it against the scope.
        self.fields["people"].valid_value = lambda value: int_or_none(value) is not None  # type: ignore[attr-defined]

    def clean_people(self) -> list[Any]:
        wanted = set(self.cleaned_data["people"])
        found = list(self.bookable.filter(pk__in=sorted(wanted)))
        if len(found) != len(wanted):
            raise forms.ValidationError(_("Choose people from the list."))
        return found


class JobAidForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    version = forms.CharField(label=_("Version"), max_length=32, required=False)
    plain_language = forms.BooleanField(label=_("Written in plain language"), required=False)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    attachment = forms.FileField(label=_("Attachment (at most 5 MB)"), required=False)
    modules = forms.TypedMultipleChoiceField(label=_("Modules"), coerce=int, required=False)
    competences = forms.TypedMultipleChoiceField(label=_("Competences"), coerce=int, required=False)

    def __init__(self, *args: Any, modules: Any, competences: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["modules"].choices = [(m.pk, f"{m.code} {m.name}") for m in modules]  # type: ignore[attr-defined]
        self.fields["competences"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.code} {c.local_name}") for c in competences
        ]

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The attachment is larger than 5 MB."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("link") and not data.get("attachment"):
            raise forms.ValidationError(_("Give a link or attach a file."))
        return data


class InitiativeSettingsForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("planned", _("planned")), ("running", _("running")), ("closed", _("closed"))],
    )
    owners = forms.CharField(
        label=_("Owners (employee ids, separated by commas)"), required=False, max_length=2000
    )
    steering_group = forms.CharField(
        label=_("Steering group (employee ids, separated by commas)"), required=False, max_length=2000
    )
    support = forms.CharField(
        label=_("Trainers and super users who answer questions (employee ids)"),
        required=False,
        max_length=2000,
    )

    @staticmethod
    def ids(value: str) -> list[str]:
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
