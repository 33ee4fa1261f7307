"""Knowledge tests (Kirkpatrick level 2): question banks per module, tests drawn from them and
people's attempts.

A bank belongs to one organisation and one module (optionally one competence the module
teaches); its questions keep a stable ``ident`` (the GIFT title, or a digest of the text) so that
re-importing a file updates them in place and micro-learning can refer to them over time. A
question no longer in the file is retired, never deleted (attempts refer to it).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy


class QuestionBank(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="question_banks")
    competence = models.ForeignKey(
        "competence.Competence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(gettext_lazy("name"), max_length=200)
    source = models.CharField(max_length=200, blank=True)  # the file it was imported from
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "module", "name"], name="knowledge_bank_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", gettext_lazy("one right answer")
        MULTIPLE = "multiple", gettext_lazy("several right answers")
        TRUE_FALSE = "truefalse", gettext_lazy("true or false")

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    ident = models.CharField(max_length=64)  # stable within the bank
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=200, blank=True)
    text = models.TextField()  # plain text (HTML in a file is reduced to its text)
    text_format = models.CharField(max_length=16, default="moodle")
    general_feedback = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bank", "ident"], name="knowledge_question_ident_unique")
        ]
        indexes = [models.Index(fields=["bank", "retired"], name="knowledge_q_bank_retired_idx")]
        ordering = ["position"]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.TextField()
    weight = models.DecimalField(max_digits=7, decimal_places=4)  # percent, -100 … 100
    feedback = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    @property
    def label(self) -> str:
        """The text shown: a true/false question's options in the viewer's language."""
        return option_label(self.text, self.question.kind)


def option_label(text: str, kind: str) -> str:
    if kind == Question.Kind.TRUE_FALSE:
        from django.utils.translation import gettext

        return gettext("True") if text == "True" else gettext("False")
    return text


class KnowledgeTest(models.Model):
    class Kind(models.TextChoices):
        PRE = "pre", gettext_lazy("before the module")
        POST = "post", gettext_lazy("after the module")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="knowledge_tests")
    kind = models.CharField(gettext_lazy("when"), max_length=8, choices=Kind.choices)
    pass_mark = models.PositiveSmallIntegerField(gettext_lazy("pass mark (%)"), default=80)
    questions_drawn = models.PositiveSmallIntegerField(gettext_lazy("questions drawn"), default=10)
    max_attempts = models.PositiveSmallIntegerField(
        gettext_lazy("tries allowed"), default=3, help_text=gettext_lazy("0: as many as the person wants.")
    )
    wait_hours = models.PositiveSmallIntegerField(gettext_lazy("hours between tries"), default=0)
    active = models.BooleanField(gettext_lazy("open"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "module", "kind"], name="knowledge_test_unique")
        ]

    def __str__(self) -> str:
        return f"{self.module} ({self.kind})"


class Attempt(models.Model):
    """One try at a test. ``drawn`` keeps the questions in the order shown and each one's options
    in their shown order: ``[[question id, [option id, …]], …]``; ``answers`` maps a question
    id (as text) to the chosen option ids. The unit and role are the person's when it began."""

    test = models.ForeignKey(KnowledgeTest, on_delete=models.CASCADE, related_name="attempts")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("org.Role", null=True, on_delete=models.SET_NULL, related_name="+")
    number = models.PositiveSmallIntegerField(default=1)
    drawn = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)  # percent
    passed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["test", "person", "number"], name="knowledge_attempt_unique")
        ]
        indexes = [
            models.Index(fields=["person", "test"], name="knowledge_attempt_person_idx"),
            models.Index(fields=["test", "submitted_at"], name="knowledge_attempt_test_idx"),
        ]

    def question_ids(self) -> list[int]:
        return [int(entry[0]) for entry in self.drawn]

    def chosen(self, question_id: int) -> list[int]:
        value: Any = (self.answers or {}).get(str(question_id), [])
        return [int(v) for v in value]


class ResultMonth(models.Model):
    """One organisation's knowledge-test results of one closed calendar month, published once
    by the daily run and never changed (ADR 0019). ``month`` is the month's first day."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    threshold = models.PositiveSmallIntegerField()  # the anonymity threshold it was released with
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="knowledge_result_month_unique")
        ]


class ResultAtom(models.Model):
    """The first tries handed in during the month, of one module's test of one kind, by people
    in one unit with one role at the time of the try: their count, summed score and passes, and
    the block of the month's release (per module and kind) they were pooled into. The unit's
    path is kept as it was at publication, so a later move in the tree changes no release."""

    run = models.ForeignKey(ResultMonth, on_delete=models.CASCADE, related_name="atoms")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)
    unit_ref = models.PositiveIntegerField()
    path = models.CharField(max_length=1000)
    role_ref = models.PositiveIntegerField(default=0)  # 0: no role
    people = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)  # Σ scores, percent
    passed = models.PositiveIntegerField()
    block = models.IntegerField()  # within the month's release of (module, kind)
