"""The register extract's rows in words where the register keeps ids or codes: a knowledge
test's or micro-learning set's questions and chosen options by their texts, an audit entry's
changes by field labels and code labels (``extract_rows`` uses them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps


def _model(label: str) -> Any:
    return apps.get_model(label)


def question_texts(ids: Iterable[int]) -> tuple[dict[int, str], dict[int, str]]:
    """The questions ``ids`` by their title (else their text) and their options' texts as the
    person saw them (a true/false question's in the language): two queries however many."""
    from kompetenslyft.knowledge.models import option_label

    wanted = sorted(set(ids))
    if not wanted:
        return {}, {}
    questions = {}
    kinds = {}
    for pk, title, text, kind in (
        _model("knowledge.Question").objects.filter(pk__in=wanted).values_list("pk", "title", "text", "kind")
    ):
        questions[pk] = title or text
        kinds[pk] = kind
    options = {
        pk: option_label(text, kinds[question_id])
        for pk, text, question_id in _model("knowledge.Option")
        .objects.filter(question_id__in=wanted)
        .values_list("pk", "text", "question_id")
    }
    return questions, options


def answered(answers: Any, ids: list[int], questions: dict[int, str], options: dict[int, str]) -> list[str]:
    """``answers`` (question id as text → chosen option ids) as "question: option, option",
    in the order the questions were shown."""
    answers = answers or {}
    order = [str(q) for q in ids] + sorted(k for k in answers if k not in {str(q) for q in ids})
    lines = []
    for key in order:
        if key not in answers:
            continue
        chosen = ", ".join(options.get(int(o), "?") for o in answers[key] or [])
        lines.append(f"{questions.get(int(key), '?')}: {chosen or '–'}")
    return lines


class ChangeWords:
    """An audit entry's changes in the extract's language: each field by its label, each code
    (gender, language, a product role) by its label, a unit or role id by its name. Made once
    per section for all its entries (one query each for the units and roles they name)."""

    UNIT_KEYS = ("unit", "unit_id")

    def __init__(self, all_changes: Iterable[Any]) -> None:
        from django.conf import settings

        from kompetenslyft.core.models import ProductRole
        from kompetenslyft.org.models import Gender

        from .extract_text import FIELD_LABELS

        self.labels = {key: str(text) for key, text in FIELD_LABELS.items()}
        self.codes = {
            "gender": {code: str(text) for code, text in Gender.choices},
            "language": {code: str(text) for code, text in settings.LANGUAGES},
            "role": {code: str(text) for code, text in ProductRole.choices},
        }
        unit_ids: set[int] = set()
        role_ids: set[int] = set()
        for changes in all_changes:
            if not isinstance(changes, dict):
                continue
            for key, value in changes.items():
                for one in value if isinstance(value, list) else [value]:
                    if isinstance(one, int) and not isinstance(one, bool):
                        (unit_ids if key in self.UNIT_KEYS else role_ids if key == "role" else set()).add(one)
        self.units = (
            dict(_model("org.Unit").objects.filter(pk__in=unit_ids).values_list("pk", "name"))
            if unit_ids
            else {}
        )
        self.roles = (
            dict(_model("org.Role").objects.filter(pk__in=role_ids).values_list("pk", "name"))
            if role_ids
            else {}
        )

    def value(self, key: str, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if key in self.UNIT_KEYS:
                return self.units.get(value, value)
            if key == "role":
                return self.roles.get(value, value)
            return value
        if isinstance(value, str) and key in self.codes:
            return self.codes[key].get(value, value)
        return value

    def words(self, changes: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in changes.items():
            label = self.labels.get(key) or key.replace("_", " ").capitalize()
            if isinstance(value, list):
                out[label] = [self.value(key, one) for one in value]
            else:
                out[label] = self.value(key, value)
        return out
