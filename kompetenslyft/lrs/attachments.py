"""xAPI attachments sent and read as ``multipart/mixed`` (xAPI 1.0.3 Data 4.1.11 and
Communication 7.2; 2.0.0 Communication 1.5.2 and Data 2.4.11).

The rules this module enforces, as the specification states them (2.0.0 Communication 1.5.2):

* "The first part of the multipart document MUST contain the Statements themselves, with type
  `application/json`."
* "MUST include an X-Experience-API-Hash parameter in each part's header after the first
  (Statements) part. This parameter MUST be set to match the "sha2" property of the Attachment
  declaration corresponding to the Attachment included in this part."
* "MUST include a Content-Transfer-Encoding parameter with a value of `binary` in each part's
  header after the first (Statements) part." — and the LRS "SHOULD assume a
  Content-Transfer-Encoding of binary for Attachment parts": a part without the header is taken
  as binary, one with another value is refused.
* The LRS "MUST reject batches of Statements having Attachments that neither contain a fileUrl
  nor match a received Attachment part based on their hash."
* "MAY reject (batches of) Statements that are larger than the LRS is configured to allow":
  a part larger than ``KOMPETENSLYFT_LRS_ATTACHMENT_MAX_BYTES`` is refused with 413.

Beyond the letter: a part whose hash no attachment declares, a part whose data does not hash to
its header, a part whose Content-Type differs from the declared ``contentType`` (media type,
parameters aside) and a part whose length differs from the declared ``length`` are refused too,
each with a 400 that says which part and why. The data is kept once per organisation and SHA-2
(:class:`models.Attachment`), written in the statements' own transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.conf import settings
from django.utils.http import parse_header_parameters

from .models import Attachment
from .validation import Invalid

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
HASHES = {56: hashlib.sha224, 64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512}


class Malformed(ValueError):
    """The multipart body itself is wrong (400)."""


class TooLarge(Malformed):
    """A part larger than the LRS accepts (413: 2.0.0 Communication 3.2, "… because its size (or
    the size of an Attachment included in the request) is larger than the maximum allowed")."""


@dataclass
class Part:
    headers: dict[str, str]
    data: bytes
    number: int  # 1 is the first attachment part (the statements are part 0)

    @property
    def sha2(self) -> str:
        return self.headers.get("x-experience-api-hash", "").strip().lower()

    @property
    def media_type(self) -> str:
        return media_type(self.headers.get("content-type", ""))


@dataclass
class Received:
    """The statements' JSON and the attachment parts of a multipart/mixed request."""

    statements: bytes
    parts: list[Part] = field(default_factory=list)

    def by_sha2(self) -> dict[str, Part]:
        return {part.sha2: part for part in self.parts}


def media_type(value: str) -> str:
    return value.split(";")[0].strip().lower()


def parse(body: bytes, content_type: str) -> Received:
    """Split a ``multipart/mixed`` body (RFC 2046 5.1.1: a delimiter is CRLF, "--" and the
    boundary; the first may open the body; the last is followed by "--")."""
    _kind, params = parse_header_parameters(content_type)
    boundary = params.get("boundary", "")
    if not boundary or len(boundary) > 70:
        raise Malformed("multipart/mixed needs a boundary parameter of 1 to 70 characters")
    marker = b"--" + boundary.encode("latin-1")
    newline = b"\r\n"
    if b"\r\n" + marker not in body and not body.startswith(marker + b"\r\n"):
        newline = b"\n"  # a client that writes bare line feeds: accepted, read the same way
    pieces = (newline + body).split(newline + marker)
    if len(pieces) < 3:
        raise Malformed("the multipart body has no parts between its boundaries")
    # pieces[0] is the preamble; the piece after the close delimiter starts with "--".
    closed = False
    raw_parts: list[bytes] = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            closed = True
            break
        raw_parts.append(piece)
    if not closed:
        raise Malformed(f"the multipart body does not end with the close delimiter --{boundary}--")
    parts = [_part(raw, n, newline) for n, raw in enumerate(raw_parts)]
    first = parts[0]
    if first.media_type != "application/json":
        raise Malformed(
            "the first part of a multipart/mixed request must hold the statements as application/json, "
            f"not {first.headers.get('content-type') or 'a part without Content-Type'}"
        )
    for part in parts[1:]:
        _check_part(part)
    return Received(first.data, parts[1:])


def _part(raw: bytes, number: int, newline: bytes) -> Part:
    # After the delimiter: optional white space, the line break, the headers, an empty line.
    line_end = raw.find(newline)
    if line_end < 0 or raw[:line_end].strip():
        raise Malformed(f"part {number}: the boundary line carries more than the boundary")
    rest = raw[line_end + len(newline) :]
    if rest.startswith(newline):
        head, data = b"", rest[len(newline) :]
    else:
        split = rest.find(newline + newline)
        if split < 0:
            raise Malformed(f"part {number}: its headers are not followed by an empty line")
        head, data = rest[:split], rest[split + 2 * len(newline) :]
    headers: dict[str, str] = {}
    for line in head.split(newline):
        if not line.strip():
            continue
        name, colon, value = line.partition(b":")
        if not colon:
            raise Malformed(f"part {number}: the header line {line[:60]!r} has no colon")
        try:
            headers[name.decode("ascii").strip().lower()] = value.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise Malformed(f"part {number}: a header is not text") from None
    return Part(headers, data, number)


def _check_part(part: Part) -> None:
    where = f"attachment part {part.number}"
    encoding = part.headers.get("content-transfer-encoding", "binary").strip().lower()
    if encoding != "binary":
        raise Malformed(f"{where}: Content-Transfer-Encoding must be binary, not {encoding[:30]!r}")
    sha2 = part.sha2
    if not sha2:
        raise Malformed(f"{where}: the X-Experience-API-Hash header is missing")
    algorithm = HASHES.get(len(sha2))
    if algorithm is None or any(c not in "0123456789abcdef" for c in sha2):
        raise Malformed(f"{where}: X-Experience-API-Hash {sha2[:20]!r}… is not a SHA-2 hash in hexadecimal")
    limit = settings.KOMPETENSLYFT_LRS_ATTACHMENT_MAX_BYTES
    if len(part.data) > limit:
        raise TooLarge(f"{where}: {len(part.data)} octets is more than this LRS accepts ({limit})")
    if algorithm(part.data).hexdigest() != sha2:
        raise Malformed(f"{where}: the data's SHA-2 differs from its X-Experience-API-Hash {sha2}")


def declared(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The attachments a statement declares, its SubStatement's included."""
    found = list(statement.get("attachments") or ())
    obj = statement.get("object")
    if isinstance(obj, dict) and obj.get("objectType") == "SubStatement":
        found.extend(obj.get("attachments") or ())
    return found


def match(statements: list[dict[str, Any]], received: Received | None, *, batch: bool) -> dict[str, Part]:
    """Check that every attachment without ``fileUrl`` has its part and every part an attachment
    (same SHA-2, content type and length); the parts by SHA-2."""
    parts = received.by_sha2() if received is not None else {}
    used: set[str] = set()
    for n, statement in enumerate(statements):
        prefix = f"$[{n}]" if batch else "$"
        for m, item in enumerate(statement.get("attachments") or ()):
            _match_one(item, f"{prefix}.attachments[{m}]", parts, used)
        obj = statement["object"]
        if obj.get("objectType") == "SubStatement":
            for m, item in enumerate(obj.get("attachments") or ()):
                _match_one(item, f"{prefix}.object.attachments[{m}]", parts, used)
    for sha2, part in parts.items():
        if sha2 not in used:
            raise Invalid(
                f"attachment part {part.number}",
                f"no attachment of the statements declares its hash {sha2}",
            )
    return parts


def _match_one(item: dict[str, Any], where: str, parts: dict[str, Part], used: set[str]) -> None:
    sha2 = str(item["sha2"]).lower()
    part = parts.get(sha2)
    if part is None:
        if "fileUrl" in item:
            return
        raise Invalid(
            where,
            "has no fileUrl and no multipart/mixed part with its sha2 in X-Experience-API-Hash",
        )
    used.add(sha2)
    declared_type = media_type(str(item["contentType"]))
    if part.media_type and part.media_type != declared_type:
        raise Invalid(
            where,
            f"declares contentType {declared_type!r} but its part {part.number} is {part.media_type!r}",
        )
    if item["length"] != len(part.data):
        raise Invalid(
            where,
            f"declares length {item['length']} but its part {part.number} holds {len(part.data)} octets",
        )


def store(organisation_id: int, statements: list[dict[str, Any]], parts: dict[str, Part]) -> None:
    """Keep each part once per organisation and SHA-2 (in the caller's transaction)."""
    if not parts:
        return
    types: dict[str, str] = {}
    for statement in statements:
        for item in declared(statement):
            types.setdefault(str(item["sha2"]).lower(), str(item["contentType"]))
    Attachment.objects.bulk_create(
        [
            Attachment(
                organisation_id=organisation_id,
                sha2=sha2,
                content_type=types.get(sha2, "application/octet-stream")[:200],
                length=len(part.data),
                content=part.data,
            )
            for sha2, part in parts.items()
        ],
        ignore_conflicts=True,
    )


# --- the multipart answer of GET statements?attachments=true ----------------------------------


def sha2s_of(datas: Iterable[str]) -> list[str]:
    """The SHA-2s whose data the statements came with, each once, in order: the attachments
    declared without ``fileUrl`` (their writer sent the part). A declaration with a ``fileUrl``
    points elsewhere: answering it with data another client of the organisation sent would let a
    client that may read only its own statements fetch another's data by naming its hash."""
    seen: dict[str, None] = {}
    for data in datas:
        for item in declared(orjson.loads(data)):
            if "fileUrl" not in item:
                seen.setdefault(str(item.get("sha2", "")).lower(), None)
    return list(seen)


def multipart(organisation_id: int, payload: str, sha2s: list[str]) -> tuple[str, Iterator[bytes]]:
    """The content type and the body chunks of a multipart/mixed answer: the statements, then one
    part per attachment data the LRS holds (read one at a time: memory stays one attachment)."""
    boundary = "xapi-" + secrets.token_hex(16)
    held = list(
        Attachment.objects.filter(organisation_id=organisation_id, sha2__in=sha2s).values_list(
            "pk", "sha2", "content_type"
        )
    )

    def chunks() -> Iterator[bytes]:
        yield f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
        yield payload.encode()
        for pk, sha2, content_type in held:
            yield (
                f"\r\n--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                f"X-Experience-API-Hash: {sha2}\r\n\r\n"
            ).encode()
            yield bytes(Attachment.objects.values_list("content", flat=True).get(pk=pk))
        yield f"\r\n--{boundary}--\r\n".encode()

    return f'multipart/mixed; boundary="{boundary}"', chunks()
