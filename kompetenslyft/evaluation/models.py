"""Module evaluations (Kirkpatrick level 1), an initiative's final survey, and the summary the
results are read from.

Anonymous by construction (ADR 0005): *who was asked and has answered* (:class:`Request`,
:class:`SurveyRequest`) is stored apart from *what was answered* (:class:`Answer`,
:class:`Comment`, :class:`QuestionAnswer`), and nothing joins them: no foreign key, no time
finer than a date on either side (an answer keeps the module occurrence's date and month, never
when it was given), random primary keys, and the rows of one occurrence are rewritten in a
random order whenever one is added, so that neither ids nor the physical order of the table
follow the order of answering. An answer keeps only its placement: module, session or date,
month, and the person's unit, role and gender on the occurrence's day.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

ITEMS = ("motivated", "method_good", "important", "will_use")
"""The four 1–4 items of formats.md; their *positive share* is the share of 3 and 4."""

LEVEL = "level"
"""The 1–5 item: 1–2 too easy, 3 right, 4–5 too hard."""


def new_epoch() -> str:
    return uuid.uuid4().hex


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Request(models.Model):
    """One person asked to evaluate one module occurrence (a session, or a module on a date).
    Says whether and on which day it answered, never what."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="evaluation_requests")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        "learning.Session",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evaluation_requests",
    )
    initiative = models.ForeignKey(
        "learning.Initiative", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_on = models.DateField(help_text="The module occurrence's day (the session's date).")
    opens_on = models.DateField()
    closes_on = models.DateField()
    token = models.CharField(max_length=64, unique=True, default=new_token)
    sent_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "module", "occurred_on"], name="evaluation_request_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "closes_on"], name="evaluation_request_open_idx")]


class Placement(models.Model):
    """What an anonymous row keeps of the person who gave it (abstract)."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the occurrence's month.")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.ForeignKey("org.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    gender = models.CharField(max_length=8, blank=True)
    batch = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Publication batch: empty = waiting (its evaluation still open), 0 = ready but "
        "short of k in all, 1… = published in fixed blocks (summary.publish).",
    )

    class Meta:
        abstract = True


class Answer(Placement):
    """One module evaluation as given: the five items, placed, with no trace of who gave it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        "learning.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_on = models.DateField(
        null=True, blank=True, help_text="Emptied once published: then only the month is kept."
    )
    motivated = models.PositiveSmallIntegerField(null=True, blank=True)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    method_good = models.PositiveSmallIntegerField(null=True, blank=True)
    important = models.PositiveSmallIntegerField(null=True, blank=True)
    will_use = models.PositiveSmallIntegerField(null=True, blank=True)
    response_id = models.CharField(max_length=128, blank=True, help_text="The id an imported row came with.")

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "module", "occurred_on"], name="evaluation_answer_occ_idx"),
            models.Index(fields=["organisation", "batch"], name="evaluation_answer_batch_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "response_id"],
                condition=~models.Q(response_id=""),
                name="evaluation_answer_response_id",
            )
        ]


class Comment(Placement):
    """A free-text comment, stored apart from the scores it came with (never shown beside them)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        "learning.Session", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_on = models.DateField(
        null=True, blank=True, help_text="Emptied once published: then only the month is kept."
    )
    text = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "module", "month"], name="evaluation_comment_idx")]


class Survey(models.Model):
    """An initiative's final survey (Solna's slututvärdering), sent to everyone who took part.
    One per initiative; its questions can change only before it is sent (``status`` draft)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey("learning.Initiative", on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    opens_on = models.DateField(_("opens"), null=True, blank=True)
    closes_on = models.DateField(_("closes"), null=True, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    version = models.PositiveBigIntegerField(
        default=0,
        help_text="Raised with every response and every request written (results are memoised per version).",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["initiative"], name="survey_one_per_initiative")]

    def __str__(self) -> str:
        return self.title

    @property
    def progress_percent(self) -> int:
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0


class Question(models.Model):
    """A question an initiative adds to its modules' evaluations, or a final survey's question."""

    class Kind(models.TextChoices):
        SCALE = "scale", _("scale 1–4")
        TEXT = "text", _("free text")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        "learning.Initiative",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluation_questions",
    )
    survey = models.ForeignKey(
        Survey, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SCALE)
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False, help_text="No longer asked; kept because it has answers.")

    class Meta:
        ordering = ["position", "id"]


class QuestionAnswer(Placement):
    """One answer to an added or final-survey question: a 1–4 value or a text, placed like an
    :class:`Answer` and linked to nothing else it was given with."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    module = models.ForeignKey(
        "learning.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    occurred_on = models.DateField(null=True, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)


class SurveyRequest(models.Model):
    """One person asked to answer a final survey; says whether and on which day it answered,
    never what. Keeps the person's placement on the day the survey was sent (unit, role,
    gender): its response is placed the same, so that response rates per group are exact."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="requests")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="survey_requests")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    role = models.ForeignKey("org.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    gender = models.CharField(max_length=8, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    sent_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="survey_request_unique")]


class SurveyResponse(Placement):
    """One submission of a final survey, with no trace of who gave it: the exact respondent
    count of every group. Its answers are :class:`QuestionAnswer` rows placed the same and
    linked to nothing; the rows of a placement are rewritten in a random order with every
    submission (``surveys.survey_answer``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")

    class Meta:
        indexes = [
            models.Index(fields=["survey", "unit", "role", "gender"], name="survey_response_place_idx")
        ]


class Cell(models.Model):
    """The summary the results are read from, kept current in the same transaction as every
    answer (as the gap summary is): one row per module, month and placement, with the counts
    that the shares of formats.md are made of. ``unit`` empty = answers without a person."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80, help_text="module:month:unit:role:gender (- for none).")
    batch = models.PositiveIntegerField(default=0, help_text="0 = the short pool (shown nowhere).")
    block = models.BigIntegerField(default=-1, help_text="The fixed block it was published in.")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("org.Role", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    gender = models.CharField(max_length=8, blank=True)
    responses = models.PositiveIntegerField(default=0)
    motivated_n = models.PositiveIntegerField(default=0)
    motivated_pos = models.PositiveIntegerField(default=0)
    method_good_n = models.PositiveIntegerField(default=0)
    method_good_pos = models.PositiveIntegerField(default=0)
    important_n = models.PositiveIntegerField(default=0)
    important_pos = models.PositiveIntegerField(default=0)
    will_use_n = models.PositiveIntegerField(default=0)
    will_use_pos = models.PositiveIntegerField(default=0)
    level_n = models.PositiveIntegerField(default=0)
    too_easy = models.PositiveIntegerField(default=0)
    right = models.PositiveIntegerField(default=0)
    too_hard = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key", "batch"], name="evaluation_cell_unique")
        ]

    @staticmethod
    def make_key(module_id: int, month: object, unit_id: int | None, role_id: int | None, gender: str) -> str:
        return f"{module_id}:{month}:{unit_id or '-'}:{role_id or '-'}:{gender or '-'}"


class State(models.Model):
    """Raised in the same transaction as every write to :class:`Cell`: releases and results
    computed from the summary are memoised per version."""

    organisation = models.OneToOneField("org.Organisation", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32, default=new_epoch, help_text="New with every state row.")


class ImportedFile(models.Model):
    """The content digest of an evaluations file without response_ids, so that importing the
    same file again changes nothing."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    imported_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "digest"], name="evaluation_file_unique")
        ]


class Snapshot(models.Model):
    """The results cube of one organisation at one summary version (its arrays and the release
    of fixed blocks), so that a new process (a command, another app server) reads it instead of
    computing the release again. Never used for another version, epoch or threshold."""

    organisation = models.OneToOneField("org.Organisation", on_delete=models.CASCADE, related_name="+")
    epoch = models.CharField(max_length=32)
    version = models.BigIntegerField()
    threshold = models.PositiveSmallIntegerField()
    data = models.BinaryField()


class ExportJob(models.Model):
    """A dashboard export (Excel or PDF) built by a background task: only the person who asked
    for it may follow its progress and download it; deleted a day after it was asked for."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("being built")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8)  # xlsx | pdf
    query = models.TextField(blank=True, help_text="The dashboard's filters, as its query string.")
    language = models.CharField(max_length=8, default="sv")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(blank=True, default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
