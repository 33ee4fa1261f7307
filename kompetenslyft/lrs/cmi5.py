"""cmi5 (Quartz): import a course package, launch an assignable unit (AU) for a person, the
one-time fetch of its auth-token, the AU's content, and when a person's statements satisfy a
course (ADR 0014).

* **Import** (cmi5 13–14): a ZIP with ``cmi5.xml`` at its root, parsed with defusedxml; each AU
  needs an id, a title and a url (a relative url must name a file of the package). Files are
  kept in the database (:class:`Cmi5File`), like every upload of the product.
* **Launch** (cmi5 8.1, 10): the platform writes the ``LMS.LaunchData`` state document and a
  ``launched`` statement, then sends the browser to the AU's url with ``endpoint``, ``fetch``,
  ``actor``, ``registration`` and ``activityId``. The activity id is the platform's own
  (``<base>/xapi/activities/cmi5/au/<id>``), never the publisher's id, the same on every launch.
* **Fetch** (cmi5 8.2): a POST returns ``{"auth-token": …}`` once — HTTP Basic credentials of a
  client of the session, expiring with it, that may write statements and read its own; a second
  POST answers ``error-code`` 1 (HTTP 200, as 8.2.2 asks).
* **Satisfied**: the course's AUs each meet their ``moveOn`` by the person's statements; then
  ``records`` completes the module the course is linked to."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import mimetypes
import posixpath
import secrets
import uuid
import zipfile
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kompetenslyft.core.audit import AuditEvent, audit_record

from . import documents, emit, keys, verbs
from .models import (
    SCOPE_READ_MINE,
    SCOPE_WRITE,
    Client,
    Cmi5Course,
    Cmi5File,
    Cmi5Launch,
    Cmi5Unit,
    Document,
    Statement,
)
from .services import secret_hash, statements_store

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
MOVE_ON = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
MAX_PACKAGE_BYTES = 100 * 1024 * 1024
MAX_FILES = 5000
MAX_FILE_BYTES = 50 * 1024 * 1024
SESSION_HOURS = 8
LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
EXT = "https://w3id.org/xapi/cmi5/context/extensions/"
AU_PATH = "/xapi/activities/cmi5/au/"


class PackageError(ValidationError):
    pass


def au_activity_id(unit_pk: int) -> str:
    return f"{settings.KOMPETENSLYFT_BASE_URL}{AU_PATH}{unit_pk}"


def unit_pk_of(activity_id: str) -> int | None:
    prefix = f"{settings.KOMPETENSLYFT_BASE_URL}{AU_PATH}"
    rest = activity_id.removeprefix(prefix) if activity_id.startswith(prefix) else ""
    return int(rest) if rest.isascii() and rest.isdigit() and len(rest) < 18 else None


# --- import ------------------------------------------------------------------------------------


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(element: Any, name: str) -> str:
    """The first langstring of a title/description (white space trimmed, cmi5 13.1)."""
    node = element.find(_tag(name))
    if node is None:
        return ""
    strings = node.findall(_tag("langstring"))
    return (strings[0].text or "").strip() if strings else (node.text or "").strip()


def _safe_path(name: str) -> str | None:
    path = posixpath.normpath(name.replace("\\", "/"))
    if path.startswith(("/", "../")) or path == ".." or "\x00" in path:
        return None
    return path


def _package_files(content: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise PackageError(_("The file is not a ZIP package (cmi5 course packages are ZIP files).")) from None
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > MAX_FILES:
        raise PackageError(_("The package has more than %(n)s files.") % {"n": MAX_FILES})
    if sum(info.file_size for info in infos) > MAX_PACKAGE_BYTES:
        raise PackageError(_("The package is larger than 100 MB unpacked."))
    files: dict[str, bytes] = {}
    for info in infos:
        path = _safe_path(info.filename)
        if path is None:
            raise PackageError(
                _("The package names a file outside itself: %(name)s") % {"name": info.filename[:200]}
            )
        if info.file_size > MAX_FILE_BYTES:
            raise PackageError(_("A file of the package is larger than 50 MB: %(name)s") % {"name": path})
        files[path] = archive.read(info)
    return files


def _units(root: Any, files: dict[str, bytes]) -> list[dict[str, Any]]:
    units: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, au in enumerate(root.iter(_tag("au")), start=1):
        where = _("assignable unit %(n)s") % {"n": number}
        ident = (au.get("id") or "").strip()
        if not ident or ":" not in ident:
            raise PackageError(_("The %(where)s has no id (an IRI).") % {"where": where})
        if ident in seen:
            raise PackageError(_("Two assignable units have the id %(id)s.") % {"id": ident[:200]})
        seen.add(ident)
        title = _text(au, "title")
        if not title:
            raise PackageError(_("The %(where)s has no title.") % {"where": where})
        url_node = au.find(_tag("url"))
        url = (url_node.text or "").strip() if url_node is not None else ""
        if not url:
            raise PackageError(_("The %(where)s has no url.") % {"where": where})
        if not urlsplit(url).scheme:
            path = _safe_path(urlsplit(url).path)
            if path is None or path not in files:
                raise PackageError(
                    _("The url of the %(where)s names no file of the package: %(url)s")
                    % {"where": where, "url": url[:200]}
                )
        move_on = (au.get("moveOn") or "NotApplicable").strip()
        if move_on not in MOVE_ON:
            raise PackageError(
                _("The moveOn of the %(where)s is not one of %(values)s.")
                % {"where": where, "values": ", ".join(MOVE_ON)}
            )
        method = (au.get("launchMethod") or "AnyWindow").strip()
        if method not in LAUNCH_METHODS:
            raise PackageError(
                _("The launchMethod of the %(where)s is not AnyWindow or OwnWindow.") % {"where": where}
            )
        mastery = None
        if au.get("masteryScore") is not None:
            try:
                mastery = Decimal(au.get("masteryScore").strip())
            except InvalidOperation:
                mastery = None
            if mastery is None or not Decimal(0) <= mastery <= Decimal(1):
                raise PackageError(
                    _("The masteryScore of the %(where)s is not between 0 and 1.") % {"where": where}
                )
        parameters = au.find(_tag("launchParameters"))
        entitlement = au.find(_tag("entitlementKey"))
        units.append(
            {
                "position": number,
                "publisher_id": ident,
                "title": title[:500],
                "url": url,
                "launch_method": method,
                "move_on": move_on,
                "mastery_score": mastery,
                "launch_parameters": (parameters.text or "").strip() if parameters is not None else "",
                "entitlement_key": (entitlement.text or "").strip() if entitlement is not None else "",
            }
        )
    if not units:
        raise PackageError(_("The course structure has no assignable unit."))
    return units


def read_package(content: bytes) -> tuple[dict[str, str], list[dict[str, Any]], dict[str, bytes]]:
    """(course id and title, its AUs, its files) of a cmi5 package; :class:`PackageError` with a
    message that says what is wrong otherwise."""
    files = _package_files(content)
    structure = files.get("cmi5.xml")
    if structure is None:
        raise PackageError(_("The package has no cmi5.xml at its root."))
    try:
        root = ElementTree.fromstring(structure, forbid_dtd=True)
    except DefusedXmlException:
        raise PackageError(_("cmi5.xml uses a DTD or entities, which are not allowed.")) from None
    except ElementTree.ParseError as error:
        raise PackageError(
            _("cmi5.xml is not well-formed XML: %(error)s") % {"error": str(error)[:200]}
        ) from None
    if root.tag != _tag("courseStructure"):
        raise PackageError(
            _("cmi5.xml is not a cmi5 course structure (courseStructure in %(ns)s).") % {"ns": NS}
        )
    course = root.find(_tag("course"))
    if course is None or ":" not in (course.get("id") or ""):
        raise PackageError(_("cmi5.xml has no course with an id (an IRI)."))
    title = _text(course, "title")
    if not title:
        raise PackageError(_("The course has no title."))
    units = _units(root, files)
    return {"course_id": course.get("id").strip(), "title": title[:500]}, units, files


@transaction.atomic
def course_import(*, organisation: Any, module: Any, content: bytes, actor: Any = None) -> Cmi5Course:
    """Import a cmi5 package and link its AUs to ``module`` (audited)."""
    if len(content) > MAX_PACKAGE_BYTES:
        raise PackageError(_("The package is larger than 100 MB."))
    head, units, files = read_package(content)
    course = Cmi5Course.objects.create(organisation=organisation, module=module, **head)
    Cmi5File.objects.bulk_create(
        [
            Cmi5File(
                course=course,
                path=path,
                content=data,
                content_type=mimetypes.guess_type(path)[0] or "application/octet-stream",
            )
            for path, data in files.items()
        ],
        batch_size=200,
    )
    Cmi5Unit.objects.bulk_create([Cmi5Unit(course=course, **unit) for unit in units])
    audit_record(
        actor=actor,
        organisation=organisation,
        event=AuditEvent(
            "cmi5.imported", "module", module.code, course.title, {"units": len(units), "files": len(files)}
        ),
    )
    return course


# --- launch ------------------------------------------------------------------------------------


def _registration(person: Any, unit: Cmi5Unit) -> str:
    """One registration per person × course (cmi5 3.0: an enrolment instance)."""
    earlier = (
        Cmi5Launch.objects.filter(person=person, unit__course_id=unit.course_id)
        .order_by("-pk")
        .values_list("registration", flat=True)
        .first()
    )
    return earlier or str(uuid.uuid4())


def launch_data(unit: Cmi5Unit, session_id: str, return_url: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": unit.publisher_id}]},
            "extensions": {f"{EXT}sessionid": session_id},
        },
        "launchMode": "Normal",
        "moveOn": unit.move_on,
        "returnURL": return_url,
    }
    if unit.mastery_score is not None:
        data["masteryScore"] = float(unit.mastery_score)
    if unit.launch_parameters:
        data["launchParameters"] = unit.launch_parameters
    if unit.entitlement_key:
        data["entitlementKey"] = {"courseStructure": unit.entitlement_key}
    return data


def content_url(base: str, launch: Cmi5Launch, path: str) -> str:
    return f"{base}/cmi5/content/{launch.content_key}/{path}"


@transaction.atomic
def launch(*, unit: Cmi5Unit, person: Any, base: str, return_url: str) -> tuple[Cmi5Launch, str]:
    """Start an AU session for ``person``: LMS.LaunchData and the launched statement first
    (cmi5 10, 9.3.1), then the launch URL (cmi5 8.1). ``base``: the site as the browser reaches it."""
    now = timezone.now()
    session = Cmi5Launch.objects.create(
        unit=unit,
        person=person,
        registration=_registration(person, unit),
        session_id=str(uuid.uuid4()),
        fetch_token=secrets.token_urlsafe(32),
        content_key=secrets.token_urlsafe(32),
        expires_at=now + dt.timedelta(hours=SESSION_HOURS),
    )
    actor = emit.actor(person)
    activity_id = au_activity_id(unit.pk)
    platform = emit.platform_client(person.organisation_id)
    data = launch_data(unit, session.session_id, return_url)
    documents.document_write(
        client=platform,
        key=documents.Key(
            Document.STATE,
            activity_id=activity_id,
            agent_key=keys.agent_key(actor),
            registration=session.registration,
        ),
        document_id="LMS.LaunchData",
        content=json.dumps(data).encode(),
        content_type="application/json",
        merge=False,
        if_match=None,
        if_none_match=None,
        version="1.0.3",
    )
    parts = urlsplit(unit.url)
    if parts.scheme:
        address = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    else:
        address = content_url(
            settings.KOMPETENSLYFT_CMI5_CONTENT_URL or base, session, _safe_path(parts.path) or ""
        )
    extensions: dict[str, Any] = {
        f"{EXT}sessionid": session.session_id,
        f"{EXT}launchmode": "Normal",
        f"{EXT}launchurl": address,
        f"{EXT}moveon": unit.move_on,
    }
    if unit.mastery_score is not None:
        extensions[f"{EXT}masteryscore"] = float(unit.mastery_score)
    if unit.launch_parameters:
        extensions[f"{EXT}launchparameters"] = unit.launch_parameters
    launched = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": LAUNCHED, "display": {"en-US": "launched"}},
        "object": {
            "objectType": "Activity",
            "id": activity_id,
            "definition": {"name": {"und": unit.title}},
        },
        "context": {
            "registration": session.registration,
            "contextActivities": {
                "category": [{"objectType": "Activity", "id": CATEGORY_CMI5}],
                "grouping": [{"objectType": "Activity", "id": unit.publisher_id}],
            },
            "extensions": extensions,
        },
        "timestamp": emit.format_time(now),
    }
    statements_store(client=platform, statements=[launched], version="1.0.3")
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [
        ("endpoint", f"{base}/xapi/"),
        ("fetch", f"{base}/cmi5/fetch/{session.fetch_token}"),
        ("actor", json.dumps(actor, separators=(",", ":"))),
        ("registration", session.registration),
        ("activityId", activity_id),
    ]
    return session, f"{address}?{urlencode(query)}"


# --- fetch and content ---------------------------------------------------------------------------


def fetch(token: str) -> dict[str, str]:
    """The answer to a POST to a fetch URL (cmi5 8.2): the auth-token the first time, an
    error-code afterwards, after the session or for a token nobody issued."""
    with transaction.atomic():
        session = (
            Cmi5Launch.objects.select_for_update()
            .select_related("person", "unit")
            .filter(fetch_token=token)
            .first()
        )
        if session is None:
            return {"error-code": "2", "error-text": "The fetch URL is not valid."}
        if session.fetched_at is not None or session.expires_at <= timezone.now():
            return {"error-code": "1", "error-text": "The authorization token has already been returned."}
        secret = secrets.token_urlsafe(32)
        client = Client.objects.create(
            organisation_id=session.person.organisation_id,
            name=f"cmi5 {session.unit.title}"[:200],
            key=secrets.token_hex(16),
            secret_hash=secret_hash(secret),
            scopes=f"{SCOPE_READ_MINE} {SCOPE_WRITE}",
            expires_at=session.expires_at,
        )
        session.fetched_at = timezone.now()
        session.client = client
        session.save(update_fields=["fetched_at", "client"])
    token_value = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    return {"auth-token": token_value}


def content_file(content_key: str, path: str) -> Cmi5File | None:
    """A file of the launched course, while its session lasts."""
    session = (
        Cmi5Launch.objects.filter(content_key=content_key, expires_at__gt=timezone.now())
        .select_related("unit")
        .first()
    )
    clean = _safe_path(path)
    if session is None or clean is None:
        return None
    return Cmi5File.objects.filter(course_id=session.unit.course_id, path=clean).first()


# --- satisfied -----------------------------------------------------------------------------------


def _meets(move_on: str, said: set[str]) -> bool:
    if move_on == "NotApplicable":
        return True
    if move_on == "Completed":
        return verbs.COMPLETED in said
    if move_on == "Passed":
        return verbs.PASSED in said
    if move_on == "CompletedAndPassed":
        return {verbs.COMPLETED, verbs.PASSED} <= said
    return bool(said & {verbs.COMPLETED, verbs.PASSED})


def satisfied_courses(
    organisation_id: int, actor_key: str, unit_pks: Iterable[int]
) -> list[tuple[Cmi5Course, list[dict[str, Any]]]]:
    """The courses of ``unit_pks`` whose every AU the actor satisfied (moveOn), each with the
    statements that did (for the day and the hours)."""
    courses = {
        unit.course_id: unit.course
        for unit in Cmi5Unit.objects.filter(
            pk__in=list(unit_pks), course__organisation_id=organisation_id
        ).select_related("course", "course__module")
    }
    found = []
    for course in courses.values():
        units = list(course.units.all())
        ids = {au_activity_id(unit.pk): unit for unit in units}
        said: dict[int, set[str]] = {}
        evidence: list[dict[str, Any]] = []
        for object_key, verb_id, data in Statement.objects.filter(
            organisation_id=organisation_id,
            actor_key=actor_key,
            object_key__in=list(ids),
            verb_id__in=verbs.COUNTING,
            voided=False,
            client__is_platform=False,
        ).values_list("object_key", "verb_id", "data"):
            said.setdefault(ids[object_key].pk, set()).add(verb_id)
            evidence.append(json.loads(data))
        if all(_meets(unit.move_on, said.get(unit.pk, set())) for unit in units) and evidence:
            found.append((course, evidence))
    return found
