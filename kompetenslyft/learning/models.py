"""Initiatives (kompetensinsatser) with their plan, modules, assignments from the gap,
sessions with bookings, attendance, job aids and support requests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Initiative(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        CLOSED = "closed", _("closed")

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="initiatives")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    units = models.ManyToManyField(
        "org.Unit", related_name="+", verbose_name=_("target units (and those below)")
    )
    roles = models.ManyToManyField(
        "org.Role", blank=True, related_name="+", verbose_name=_("target roles (none chosen: every role)")
    )
    owners = models.ManyToManyField(
        "org.Person", blank=True, related_name="owned_initiatives", verbose_name=_("owners")
    )
    steering_group = models.ManyToManyField(
        "org.Person", blank=True, related_name="steered_initiatives", verbose_name=_("steering group")
    )
    modules: models.ManyToManyField[Module, Any] = models.ManyToManyField(
        "Module", blank=True, related_name="initiatives", verbose_name=_("modules")
    )
    measurement_point = models.SmallIntegerField(
        _("measurement point the proposals use"), default=-1, help_text=_("-1: each person's latest answer.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="initiative_code_unique")
        ]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def running_on(day: dt.date) -> Q:
        """THE rule of a running initiative, as a filter: marked running, or still planned and
        its period has begun and not ended (nobody has to mark it by hand)."""
        return Q(status=Initiative.Status.RUNNING) | (
            Q(status=Initiative.Status.PLANNED, starts_on__lte=day)
            & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        )

    def status_on(self, day: dt.date) -> str:
        """The initiative's status on ``day`` by :meth:`running_on`'s rule (one function for
        every page: the lead's, the owners' and top management's)."""
        if self.status == self.Status.PLANNED and self.starts_on and self.starts_on <= day:
            if self.ends_on is None or self.ends_on >= day:
                return self.Status.RUNNING
        return self.status

    @property
    def current_status(self) -> str:
        return self.status_on(timezone.localdate())

    @property
    def current_status_display(self) -> str:
        return str(self.Status(self.current_status).label)


class InitiativeGoal(models.Model):
    class Kind(models.TextChoices):
        REACH = "reach", _("share of the target group reaching the knowledge goals")
        PARTICIPANTS = "participants", _("unique participants")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    competences = models.ManyToManyField("competence.Competence", blank=True, related_name="+")
    target_share = models.DecimalField(
        _("target share"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    target_count = models.PositiveIntegerField(_("target number"), null=True, blank=True)
    women_share = models.DecimalField(
        _("share of women"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    due_on = models.DateField(_("by"), null=True, blank=True)


class PlanEntry(models.Model):
    """One line of an initiative's plan: an action, a communication, a risk, a checklist item
    of the 40-20-40 model, or a lesson learned."""

    class Kind(models.TextChoices):
        ACTION = "action", _("action plan")
        COMMUNICATION = "communication", _("communication plan")
        RISK = "risk", _("risk")
        CHECKLIST = "checklist", _("checklist")
        LESSON = "lesson", _("lesson learned")

    class Phase(models.TextChoices):
        BEFORE = "before", _("before")
        DURING = "during", _("during")
        AFTER = "after", _("after")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    phase = models.CharField(max_length=8, choices=Phase.choices, blank=True)
    text = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=200, blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    due_on = models.DateField(_("date"), null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), null=True, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), null=True, blank=True)
    mitigation = models.TextField(_("mitigation"), blank=True)
    done = models.BooleanField(_("done"), default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "phase", "position", "id"]

    @property
    def risk_score(self) -> int:
        return (self.likelihood or 0) * (self.impact or 0)


class Module(models.Model):
    class Level(models.TextChoices):
        BASIC = "basic", _("basic")
        ADVANCED = "advanced", _("advanced")

    class Format(models.TextChoices):
        ONSITE = "onsite", _("on site")
        LIVE_REMOTE = "live_remote", _("live remote")
        ELEARNING = "elearning", _("e-learning")
        MICROLEARNING = "microlearning", _("micro-learning")

    organisation = models.ForeignKey(
        "org.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="modules",
        help_text=_("Empty: shared with the whole network."),
    )
    code = models.CharField(_("module code"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    category = models.CharField(_("category"), max_length=200)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    description = models.TextField(_("description"), blank=True)
    pre_material = models.TextField(_("pre-material"), blank=True)
    competences = models.ManyToManyField(
        "competence.Competence", blank=True, related_name="modules", verbose_name=_("competences it teaches")
    )
    mandatory_roles = models.ManyToManyField(
        "org.Role", blank=True, related_name="mandatory_modules", verbose_name=_("mandatory for roles")
    )
    prerequisites = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="+", verbose_name=_("prerequisites")
    )
    job_aids: models.ManyToManyField[JobAid, Any] = models.ManyToManyField(
        "JobAid", blank=True, related_name="modules", verbose_name=_("job aids")
    )
    introduction_roles = models.ManyToManyField(
        "org.Role",
        blank=True,
        related_name="introduction_modules",
        verbose_name=_("introduction for roles"),
        help_text=_("People who start in these roles have the module assigned automatically."),
    )
    refresh_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: once is enough. Otherwise a completion older than this is assigned again."),
    )
    activity_iri = models.CharField(
        _("xAPI activity IRI"),
        max_length=2000,
        blank=True,
        help_text=_(
            "The activity id xAPI statements name for this module. Empty: derived from the "
            "address of the platform and the module code."
        ),
    )
    shared = models.BooleanField(
        _("shared with the network"),
        default=False,
        help_text=_("Other organisations of the network may adopt it (they use it, only you edit it)."),
    )

    class Meta:
        ordering = ["category", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="module_code_unique_in_org",
                condition=Q(organisation__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["code"], name="module_code_unique_shared", condition=Q(organisation__isnull=True)
            ),
        ]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def activity_id(self) -> str:
        """The module's xAPI activity IRI: its own, or the platform address + the module code."""
        return self.activity_iri or default_activity_iri(self.code)


def default_activity_iri(code: str) -> str:
    return f"{settings.KOMPETENSLYFT_BASE_URL}/xapi/activities/module/{quote(code, safe='')}"


class Proposal(models.Model):
    """What an initiative proposes for one person, from the gap at its measurement point: for
    each relevant module, assigned (below the required level, or mandatory for the role) or
    exempt (already reaches it), with why. One row per person keeps proposals for 50,000 people
    × 60 modules a few seconds' work; a manager confirms a person's proposal as a whole.

    ``items`` is kept compact — ``{"b": {module id: [codes below]}, "m": [mandatory module ids],
    "x": [exempt module ids]}`` — and read through :meth:`decisions`. A manager's own decisions
    are kept beside them and win: ``"w": {module id: the module id it replaces}`` (a swap) and
    ``"e": {module id: reason}`` (an exemption with the manager's reason); regenerating the
    proposals keeps them. Only a confirmed proposal is on the person's journey.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CONFIRMED = "confirmed", _("confirmed")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="proposals")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="proposals")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    items = models.JSONField(default=dict)
    assigned = models.PositiveSmallIntegerField(default=0)
    exempt = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["initiative", "person"], name="proposal_unique")]
        indexes = [
            # covering the initiative page's summary per unit (85 ms → 10 ms over 50,000 proposals)
            models.Index(
                fields=["initiative", "unit", "status", "assigned", "exempt"],
                name="proposal_init_unit_cover_idx",
            ),
            # Cover the proposals page's counts (an initiative's, by status) and the team's
            # proposals to confirm per initiative (by person), without reading the items.
            models.Index(fields=["initiative", "person", "status"], name="proposal_init_person_st_idx"),
            models.Index(fields=["person", "status", "initiative"], name="proposal_person_st_init_idx"),
            # the dashboard's marker of the proposals' state: the latest change per initiative
            models.Index(fields=["initiative", "updated_at"], name="proposal_init_updated_idx"),
        ]

    def decisions(self) -> dict[int, dict[str, Any]]:
        """module id → {"s": "assigned" | "exempt", "r": "below" | "mandatory" | "reached", "c": codes}."""
        items = self.items or {}
        result: dict[int, dict[str, Any]] = {}
        for module_id in items.get("x", []):
            result[int(module_id)] = {"s": "exempt", "r": "reached", "c": []}
        for module_id, codes in items.get("b", {}).items():
            result[int(module_id)] = {"s": "assigned", "r": "below", "c": codes}
        for module_id in items.get("m", []):
            result[int(module_id)] = {"s": "assigned", "r": "mandatory", "c": []}
        for module_id, replaced in items.get("w", {}).items():
            result.pop(int(replaced), None)
            result[int(module_id)] = {"s": "assigned", "r": "swapped", "c": [], "for": int(replaced)}
        for module_id, reason in items.get("e", {}).items():
            result[int(module_id)] = {"s": "exempt", "r": "manager", "c": [], "t": reason}
        return result


def proposal_counts(items: dict[str, Any]) -> tuple[int, int]:
    """(assigned, exempt) of a proposal's items, the manager's decisions included."""
    decisions = Proposal(items=items).decisions()
    assigned = sum(1 for d in decisions.values() if d["s"] == "assigned")
    return assigned, len(decisions) - assigned


class Enrolment(models.Model):
    """A module on a person's journey outside any initiative: an elective it chose, an
    introduction module of its role, or a module due again (its last completion older than the
    module's refresh interval; ``due_on`` is the day it fell due)."""

    class Kind(models.TextChoices):
        ELECTIVE = "elective", _("elective")
        INTRODUCTION = "introduction", _("introduction")
        REFRESH = "refresh", _("due again")

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ELECTIVE)
    due_on = models.DateField(null=True, blank=True)
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="enrolments")
    module = models.ForeignKey("Module", on_delete=models.CASCADE, related_name="enrolments")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "module"], name="enrolment_unique")]


class Session(models.Model):
    """A time a module is given. It belongs to the organisation that runs it; people of other
    organisations of the network may book it only where it is opened to their organisation
    (``open_to``, for sessions of shared modules). The rules are in ``core/access.py``."""

    organisation = models.ForeignKey(
        "org.Organisation",
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("run by"),
    )
    open_to = models.ManyToManyField(
        "org.Organisation",
        blank=True,
        related_name="sessions_opened",
        verbose_name=_("open to other organisations"),
        help_text=_("People of these organisations may book the session too (shared modules only)."),
    )
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="sessions")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    place = models.CharField(_("place"), max_length=300, blank=True)
    meeting_link = models.URLField(_("meeting link"), blank=True)
    trainers = models.ManyToManyField(
        "org.Person", blank=True, related_name="trained_sessions", verbose_name=_("trainers")
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=20)
    language = models.CharField(_("language"), max_length=8, default="sv")
    accessibility = models.TextField(_("accessibility"), blank=True)
    recording_link = models.URLField(_("recording"), blank=True)
    cancelled = models.BooleanField(default=False)
    # The iCalendar SEQUENCE of its invitations: raised when the session is cancelled.
    sequence = models.PositiveIntegerField(default=0)
    attendance_taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.module.name} {self.starts_at:%Y-%m-%d %H:%M}"


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(max_length=16, choices=Status.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="booking_unique")]


class Attendance(models.Model):
    """Who took part in a module on a date, for how many hours (from a session's register or
    an import). ``no_show`` rows are kept but count nowhere (formats.md)."""

    class Status(models.TextChoices):
        ATTENDED = "attended", _("attended")
        COMPLETED = "completed", _("completed")
        NO_SHOW = "no_show", _("did not come")

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="attendances")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attendances")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendances"
    )
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The person's unit on that date (for reports by unit).",
    )
    role = models.ForeignKey(
        "org.Role",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person's role on that date (for reports by role).",
    )
    date = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ATTENDED)
    source = models.CharField(max_length=16, default="session")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "module", "date"], name="attendance_unique")]
        indexes = [
            models.Index(fields=["date"], name="attendance_date_idx"),
            models.Index(fields=["module", "date"], name="attendance_module_idx"),
        ]


class JobAid(models.Model):
    """A lathund: a short guide for the job, kept current by its owner."""

    organisation = models.ForeignKey(
        "org.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="job_aids"
    )
    title = models.CharField(_("title"), max_length=300)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=32, blank=True)
    plain_language = models.BooleanField(_("plain language"), default=False)
    link = models.URLField(_("link"), blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment = models.BinaryField(blank=True, default=b"")
    competences = models.ManyToManyField("competence.Competence", blank=True, related_name="job_aids")
    shared = models.BooleanField(_("shared with the network"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("job aid")
        verbose_name_plural = _("job aids")

    def __str__(self) -> str:
        return self.title


class ModuleAdoption(models.Model):
    """An organisation uses a module another organisation shares (a link, as for frameworks:
    the owner keeps editing it and every adopter sees the current version)."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="adoptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "module"], name="module_adoption_unique")
        ]


class JobAidAdoption(models.Model):
    """An organisation uses a job aid another organisation shares (a link, like modules)."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    job_aid = models.ForeignKey(JobAid, on_delete=models.CASCADE, related_name="adoptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "job_aid"], name="job_aid_adoption_unique")
        ]


class SupportContact(models.Model):
    """A trainer or super user who answers the questions of a unit (and below) or an initiative."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="support_for")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )


class SupportRequest(models.Model):
    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="support_requests")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.CharField(_("topic"), max_length=200)
    question = models.TextField(_("question"))
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # Published as a FAQ entry: the texts as the publisher edited them (nothing of the asker).
    faq_question = models.TextField(_("question for the FAQ"), blank=True)
    faq_answer = models.TextField(_("answer for the FAQ"), blank=True)
    faq_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "faq_published_at"], name="support_faq_idx")]


def new_epoch() -> str:
    return uuid.uuid4().hex


class Participation(models.Model):
    """The participation summary the funder report counts (ADR 0006): one row per person,
    scope and placement — ``initiative`` empty for "all attendance", else the initiative's
    modules within its period — with the unit and role the person had on those days and its
    gender, the first and last day, the hours and the number of attendance rows. Written in
    the same transaction as attendance (:mod:`.participation`), so that distinct participants
    are a count of these rows, not of attendance rows."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="participations"
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("org.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    gender = models.CharField(max_length=8, blank=True, help_text="woman, man or other.")
    first_on = models.DateField()
    last_on = models.DateField()
    hours = models.DecimalField(max_digits=10, decimal_places=2)
    rows = models.PositiveIntegerField()
    # Of those rows, the ones that completed a module: the dashboard's "completed" is the
    # people with one (a count over a few rows per person instead of the attendance).
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "initiative", "unit"], name="participation_scope_idx"),
            models.Index(fields=["person"], name="participation_person_idx"),
        ]


class ParticipationFormat(models.Model):
    """Beside :class:`Participation`, an initiative's counted attendance per person, role on
    the day and module format: hours and rows. The cost figures compare formats (people,
    hours, the people per combination of formats, working time per role) from these rows —
    a few per person — instead of the initiative's attendance (a million rows took 3.6 s).
    Written with the participation rows, in the same transaction."""

    organisation = models.ForeignKey("org.Organisation", on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("org.Role", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(max_length=16)
    hours = models.DecimalField(max_digits=10, decimal_places=2)
    rows = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["initiative", "format"], name="participation_format_idx"),
            models.Index(fields=["person"], name="participation_fmt_person_idx"),
        ]


class ParticipationState(models.Model):
    """Raised in the same transaction as every write to :class:`Participation` (releases for
    aggregates-only viewers are memoised per version)."""

    organisation = models.OneToOneField("org.Organisation", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)
    epoch = models.CharField(max_length=32, default=new_epoch, help_text="New with every state row.")
    scopes = models.JSONField(
        default=dict, help_text="initiative id → the modules and period its rows were made for."
    )
