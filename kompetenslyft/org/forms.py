from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kompetenslyft.core.filekinds import not_a_table
from kompetenslyft.core.importing import IMPORTERS


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    below = forms.BooleanField(label=_("Include units below"), required=False, initial=True)
    role = forms.TypedChoiceField(label=_("Role"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("active")), ("inactive", _("left")), ("all", _("all"))],
    )

    def __init__(self, *args: Any, organisations: Any, units: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = list(organisations)
        choice_field(self, "organisation").choices = [("", _("All"))] + [(o.pk, o.name) for o in orgs]
        if len(orgs) <= 1:
            self.fields["organisation"].widget = forms.HiddenInput()
        choice_field(self, "unit").choices = [("", _("All"))] + [
            (u.pk, ("\u00a0\u00a0" * u.depth) + u.name) for u in units
        ]
        choice_field(self, "role").choices = [("", _("All"))] + [(r.pk, r.name) for r in roles]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[
            ("units", _("Units (unit_id, name, parent_id, manager_employee_id)")),
            ("people", _("People (employee_id, given_name, family_name, unit_id, role, …)")),
            ("framework", _("Framework (competence_code, name, category, description, knowledge_goals)")),
            ("requirements", _("Requirements (role, competence_code, required_level, unit_id, mandatory)")),
            (
                "assessments",
                _("Self-assessment answers (employee_id, competence_code, level, measurement_point, …)"),
            ),
        ],
    )
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    file = forms.FileField(label=_("File (CSV or .xlsx)"))
    keep_missing = forms.BooleanField(
        label=_("Keep people who are not in the file (do not deactivate them)"), required=False
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "organisation").choices = [(o.pk, o.name) for o in organisations]
        # Kinds that other apps register with a label (e.g. evaluations) are offered too.
        kind = choice_field(self, "kind")
        offered = list(cast(list[tuple[str, Any]], kind.choices))
        listed = {value for value, _label in offered}
        kind.choices = offered + [
            (name, importer.label)
            for name, importer in IMPORTERS.items()
            if importer.label and name not in listed
        ]

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if kind not in IMPORTERS:
            raise forms.ValidationError(_("Unknown kind of import."))
        return kind

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.KOMPETENSLYFT_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than the import limit."))
        problem = not_a_table(upload.read(), upload.name)
        upload.seek(0)
        if problem:
            raise forms.ValidationError(problem)
        return upload
