"""The learning record store (xAPI): its clients and the statements they send.

A statement is kept as the JSON the LRS returns (``data``, with ``id``, ``stored``,
``authority``, ``timestamp`` and ``version`` set) beside the columns its queries filter on.
Rows are never updated but for ``voided`` and an erasure's pseudonymisation (ADR 0008)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from kompetenslyft.org.models import Organisation

SCOPE_WRITE = "statements/write"
SCOPE_READ_ALL = "all/read"
SCOPE_READ_MINE = "statements/read/mine"
SCOPES = (SCOPE_WRITE, SCOPE_READ_ALL, SCOPE_READ_MINE)


class Client(models.Model):
    """An LRS client: HTTP Basic key and secret, limited to one organisation and to scopes.
    The secret is a random 32-byte token, kept as its SHA-256 (see ``services.client_create``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.CharField(max_length=200, help_text="Space-separated scopes.")
    is_active = models.BooleanField(default=True)
    # The platform's own client of the organisation (lrs.emit): the authority of the statements
    # Kompetenslyft writes; it has no usable secret, and its statements never count again (ADR 0014).
    is_platform = models.BooleanField(default=False)
    # A cmi5 launch session's client (cmi5 8.2: its auth-token is limited to the session): it
    # stops authenticating at this time and may not void statements (cmi5 6.3).
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "LRS client"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_platform=True), name="lrs_client_one_platform"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())


class Statement(models.Model):
    """One stored statement. (stored, id) is the stored order (paging cursors, ``ascending``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+", db_index=False)
    statement_id = models.CharField(max_length=36)
    stored = models.DateTimeField()
    version = models.CharField(max_length=16)
    # The actor's key ("@" + inverse functional identifier; empty for an anonymous group).
    actor_key = models.CharField(max_length=600)
    # The object's key: an activity's IRI, "@" + an agent's or identified group's identifier,
    # "#" + the statement id a StatementRef names, "" for a SubStatement or an anonymous group.
    object_key = models.CharField(max_length=2100)
    # The statement id a StatementRef object names (also in object_key): the few rows that
    # refer to another statement, found through a partial index when a filter follows them.
    ref_id = models.CharField(max_length=36, null=True, blank=True)
    verb_id = models.CharField(max_length=2100)
    registration = models.CharField(max_length=36, null=True, blank=True)
    voided = models.BooleanField(default=False)
    # Every agent / activity the statement names anywhere, one per line with a line break on
    # each side ("\n@mbox:mailto:a@b\n"): the erasure's and the data extract's search, and the
    # check of a :class:`Mention` match (the related_* filters search the mentions' index).
    related_agents = models.TextField(default="")
    related_activities = models.TextField(default="")
    data = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "statement_id"], name="lrs_statement_unique_id"),
        ]
        indexes = [
            models.Index(fields=["organisation", "actor_key", "id"], name="lrs_st_actor"),
            models.Index(fields=["organisation", "object_key", "id"], name="lrs_st_object"),
            models.Index(fields=["organisation", "verb_id", "id"], name="lrs_st_verb"),
            models.Index(
                fields=["organisation", "registration", "id"],
                name="lrs_st_registration",
                condition=Q(registration__isnull=False),
            ),
            models.Index(fields=["organisation", "stored", "id"], name="lrs_st_stored"),
            models.Index(
                fields=["organisation", "ref_id"], name="lrs_st_ref", condition=Q(ref_id__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.statement_id


class Mention(models.Model):
    """An agent or activity a statement names beyond what its own indexed columns hold, so that
    the ``related_agents`` / ``related_activities`` filters are index searches.

    The actor's key (``actor_key``), the object's (``object_key``) and the authority (always the
    LRS's own client, ``Statement.client``) are found through those; a row here is any other
    agent or activity: a group's members, the context's instructor, team, contextAgents,
    contextGroups and contextActivities, and every part of a SubStatement. Only a 64-bit hash of
    the key is kept (:func:`keys.key_hash`): the filters check the matches' ``related_agents`` /
    ``related_activities`` text, and an erasure's pseudonymisation replaces the person's hashes
    with the pseudonym's in the same transaction as the statements' JSON."""

    pk = models.CompositePrimaryKey("organisation", "key_hash", "statement")
    # No database constraints: a foreign key check per row would cost the ingest path more
    # than the row itself; rows are written with their statement and removed with its
    # organisation (Django's cascade).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    key_hash = models.BigIntegerField()
    statement = models.ForeignKey(
        Statement, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.key_hash}"


class Attachment(models.Model):
    """The data of an xAPI attachment sent as a multipart/mixed part (xAPI Communication 1.5.2),
    kept once per organisation and SHA-2: statements that declare the same ``sha2`` share it.
    Only the statements' own ``attachments`` metadata says which statement uses it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    sha2 = models.CharField(max_length=128)
    content_type = models.CharField(max_length=200)
    length = models.PositiveBigIntegerField()
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sha2"], name="lrs_attachment_unique_sha2"),
        ]

    def __str__(self) -> str:
        return self.sha2


class Pseudonym(models.Model):
    """A person's erasure reached the LRS: the identifiers that named them were replaced by this
    pseudonymous account in their organisation's statements (ADR 0008). Keeps no identifier."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=64, unique=True)
    statements = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    """A document of the State, Activity Profile or Agent Profile resource: opaque content
    (merged when both sides are JSON objects) with its ETag."""

    STATE, ACTIVITY_PROFILE, AGENT_PROFILE = "state", "activity_profile", "agent_profile"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=20)
    activity_id = models.CharField(max_length=2100, default="")
    agent_key = models.CharField(max_length=600, default="")
    registration = models.CharField(max_length=36, default="")
    document_id = models.CharField(max_length=2100)
    content = models.BinaryField()
    content_type = models.CharField(max_length=200)
    etag = models.CharField(max_length=64)
    updated = models.DateTimeField()
    # The client that wrote it last: a client with only statements/read/mine reads its own.
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "activity_id", "agent_key", "registration", "document_id"],
                name="lrs_document_unique",
            )
        ]

    def __str__(self) -> str:
        return self.document_id


# --- cmi5: course packages, their assignable units, launches (lrs/cmi5.py) --------------------


class Cmi5Course(models.Model):
    """An imported cmi5 course package (cmi5 14.1): its structure's id and title, linked to a
    module; its files in :class:`Cmi5File` (in the database, like every other upload)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("learning.Module", on_delete=models.CASCADE, related_name="cmi5_courses")
    course_id = models.CharField(max_length=2000)
    title = models.CharField(max_length=500)
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class Cmi5File(models.Model):
    course = models.ForeignKey(Cmi5Course, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    content = models.BinaryField()
    content_type = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "path"], name="lrs_cmi5_file_unique")]


class Cmi5Unit(models.Model):
    """An assignable unit (AU) of a course (cmi5 13.1.4)."""

    course = models.ForeignKey(Cmi5Course, on_delete=models.CASCADE, related_name="units")
    position = models.PositiveIntegerField()
    publisher_id = models.CharField(max_length=2000)
    title = models.CharField(max_length=500)
    url = models.CharField(max_length=2000)
    launch_method = models.CharField(max_length=16, default="AnyWindow")
    move_on = models.CharField(max_length=24, default="NotApplicable")
    mastery_score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    launch_parameters = models.TextField(blank=True)
    entitlement_key = models.CharField(max_length=2000, blank=True)

    class Meta:
        ordering = ["course", "position"]

    def __str__(self) -> str:
        return self.title


class Cmi5Launch(models.Model):
    """One AU launch session of a person: its registration (one per person × course), session
    id, the one-time fetch token and the key of its content URL."""

    unit = models.ForeignKey(Cmi5Unit, on_delete=models.CASCADE, related_name="launches")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    registration = models.CharField(max_length=36)
    session_id = models.CharField(max_length=36)
    fetch_token = models.CharField(max_length=64, unique=True)
    content_key = models.CharField(max_length=64, unique=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "unit"], name="lrs_cmi5_launch_person")]
