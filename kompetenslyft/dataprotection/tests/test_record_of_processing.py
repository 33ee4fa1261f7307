"""docs/record-of-processing.md names every model that holds data about a person, and only
models that exist."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "record-of-processing.md"

# Models about people without a relation to a person or an account: they name people otherwise.
ALSO_PERSONAL = {
    "org.Person",
    "lrs.Statement",  # agents by e-mail or employee id
    "successcases.ContactList",  # person ids in JSON lists
    "axes.AccessAttempt",  # user names, IP addresses
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "sessions.Session",
    "evaluation.Answer",  # anonymous, placed (named to say so)
}


def _personal_models() -> set[str]:
    person, user = apps.get_model("org.Person"), get_user_model()
    found = {user._meta.label, *ALSO_PERSONAL}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model in (person, user):
                found.add(model._meta.label)
    return found


def test_every_model_holding_personal_data_is_in_the_record_of_processing() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    missing = sorted(label for label in _personal_models() if label not in text)
    assert not missing, f"describe these in docs/record-of-processing.md: {missing}"


def test_the_record_names_only_models_that_exist() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("| ") and "." in line.split("|")[1]]
    named = {
        label
        for line in table
        for label in re.findall(r"\b([a-z_0-9]+\.[A-Z][A-Za-z0-9]+)\b", line.split("|")[1])
    } - {"app.Model"}
    assert len(named) > 30
    unknown = []
    for label in named:
        try:
            apps.get_model(label)
        except LookupError:
            unknown.append(label)
    assert not unknown, f"no such model: {unknown}"


def test_the_record_says_purpose_basis_retention_and_transfers() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    for words in (
        "6.1 e",
        "6.1 c",
        "retention rules, see the retention app",
        "SMTP",
        "Transfers to third countries: none",
    ):
        assert words in text
