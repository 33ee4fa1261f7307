"""Signed statements: the JWS of a signature attachment is checked before a statement is stored
(xAPI 1.0.3 Data 4.4; 2.0.0 Data 2.6).

The specification (2.0.0 Data 2.6.s4–s5): a signed statement "MUST include a JSON web
signature (JWS) … as an Attachment with a usageType of
`http://adlnet.gov/expapi/attachments/signature` and a contentType of
`application/octet-stream`"; "The JWS signature MUST have a payload of a valid JSON
serialization of the complete Statement before the signature was added"; it "MUST use an
algorithm of "RS256", "RS384", or "RS512"". The LRS "MUST reject requests to store Statements
that contain malformed signatures, with `400 Bad Request`", and to verify it "MUST … Decode the
JWS signature, and load the signed serialization of the Statement from the JWS signature
payload", "Validate that the original Statement is logically equivalent to the received
Statement" (Data 2.3.1's comparison: differences the exceptions to immutability allow are
ignored — here the properties the LRS sets or may set, ``id`` when the signed one has none,
``authority``, ``stored``, ``version``, ``timestamp`` when the signed one has none, and the
``attachments``, which the signature itself was added to; 2.3.1.b6: "Attachments … are not
part of Statements") and "If the JWS header includes an X.509 certificate, validate the
signature against that certificate as defined in JWS". As the specification notes, the last
step catches mistakes, it does not make the signer trusted.

Parsing and verifying is PyJWT's (with ``cryptography`` for RSA and X.509)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import jwt
import orjson
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .attachments import SIGNATURE, Part
from .validation import Invalid, timestamp

ALGORITHMS = ("RS256", "RS384", "RS512")
# Set by the LRS or added with the signature: never part of the comparison.
IGNORED = ("authority", "stored", "version", "attachments")


def verify_all(statements: list[dict[str, Any]], parts: dict[str, Part], *, batch: bool) -> None:
    for n, statement in enumerate(statements):
        prefix = f"$[{n}]" if batch else "$"
        for m, item in enumerate(statement.get("attachments") or ()):
            if item["usageType"] == SIGNATURE:
                _verify(statement, item, parts, f"{prefix}.attachments[{m}]")


def _verify(statement: dict[str, Any], item: dict[str, Any], parts: dict[str, Part], where: str) -> None:
    if item["contentType"] != "application/octet-stream":
        raise Invalid(f"{where}.contentType", "a signature attachment must be application/octet-stream")
    part = parts.get(str(item["sha2"]).lower())
    if part is None:
        raise Invalid(
            where, "a signature must be sent as a multipart/mixed part; a fileUrl cannot be checked"
        )
    try:
        token = part.data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise Invalid(where, "the signature is not a JWS in compact serialization") from None
    try:
        header = jwt.get_unverified_header(token)
        signed = jwt.api_jws.decode_complete(
            token, algorithms=list(ALGORITHMS), options={"verify_signature": False}
        )
    except jwt.InvalidTokenError as error:
        raise Invalid(where, f"the signature is not a valid JWS: {error}") from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise Invalid(where, f"the JWS algorithm must be RS256, RS384 or RS512, not {str(algorithm)[:20]!r}")
    try:
        original = orjson.loads(signed["payload"])
    except orjson.JSONDecodeError:
        raise Invalid(where, "the JWS payload is not a JSON serialization of the statement") from None
    if not isinstance(original, dict):
        raise Invalid(where, "the JWS payload is not a statement (a JSON object)")
    difference = _difference(original, statement)
    if difference:
        raise Invalid(where, f"the JWS payload differs from the statement sent: {difference}")
    if "x5c" in header:
        _check_certificate(token, header, algorithm, where)


def _check_certificate(token: str, header: dict[str, Any], algorithm: str, where: str) -> None:
    chain = header["x5c"]
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise Invalid(where, "the JWS header's x5c must be an array of base64 DER certificates")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (binascii.Error, ValueError):
        raise Invalid(where, "the first certificate of the JWS header's x5c cannot be read") from None
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise Invalid(where, "the x5c certificate's key is not an RSA key, as RS256/384/512 need")
    try:
        jwt.api_jws.decode_complete(token, key=key, algorithms=[algorithm])
    except jwt.InvalidSignatureError:
        raise Invalid(where, "the JWS signature does not verify with the x5c certificate's key") from None
    except jwt.InvalidTokenError as error:
        raise Invalid(where, f"the JWS cannot be verified: {error}") from None


def _difference(original: dict[str, Any], received: dict[str, Any]) -> str:
    """'' when the signed statement is logically the statement sent; else what differs."""
    signed = {k: v for k, v in original.items() if k not in IGNORED}
    sent = {k: v for k, v in received.items() if k not in IGNORED}
    if "id" not in signed:
        sent.pop("id", None)
    elif str(signed["id"]).lower() != str(sent.get("id", "")).lower():
        return "id"
    signed.pop("id", None)
    sent.pop("id", None)
    if "timestamp" not in signed:
        sent.pop("timestamp", None)
    elif "timestamp" in sent:
        try:
            same = timestamp(signed["timestamp"], "$") == timestamp(sent["timestamp"], "$")
        except Invalid:
            same = False
        if not same:
            return "timestamp"
        signed.pop("timestamp")
        sent.pop("timestamp")
    for key in sorted(set(signed) | set(sent)):
        if signed.get(key) != sent.get(key):
            return key
    return ""
