"""Signed statements (xAPI 1.0.3 Data 4.4, 2.0.0 Data 2.6): the JWS of a signature attachment
must parse, use RS256/RS384/RS512, carry the statement as its payload and, with an x5c
certificate, verify with its key; every failure is a 400 that says what is wrong."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import jwt
import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from kompetenslyft.lrs.attachments import SIGNATURE
from kompetenslyft.lrs.models import Statement

from .helpers import Xapi, attachment, new_id, statement

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate(private_key: Any) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kursleverantör AB")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(private_key, hashes.SHA256())
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


@pytest.fixture(params=["1.0.3", "2.0.0"])
def x(network: Any, request: Any) -> Xapi:
    return Xapi(network.org_a, version=request.param)


def signed(
    original: dict[str, Any], token: str | bytes, content_type: str = "application/octet-stream"
) -> tuple[dict[str, Any], list[Any]]:
    data = token.encode() if isinstance(token, str) else token
    declared, part = attachment(data, content_type, usageType=SIGNATURE)
    return {**original, "attachments": [declared]}, [part]


def sign(payload: Any, key: Any, algorithm: str = "RS256", x5c: list[str] | None = None) -> str:
    headers = {"x5c": x5c} if x5c is not None else None
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return jwt.api_jws.encode(raw, key, algorithm=algorithm, headers=headers)


def answer_text(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_a_well_signed_statement_is_stored(x: Xapi, key: Any, algorithm: str) -> None:
    original = statement(id=new_id(), timestamp="2026-11-01T10:00:00.000Z")
    sent, parts = signed(original, sign(original, key, algorithm, [certificate(key)]))
    answer = x.multipart(sent, parts)
    assert answer.status_code == 200, answer.content
    assert Statement.objects.filter(statement_id=original["id"]).exists()


def test_without_certificate_the_jws_is_parsed_and_compared(x: Xapi, key: Any) -> None:
    original = statement()  # no id nor timestamp: the LRS sets them, the comparison ignores them
    sent, parts = signed(original, sign(original, key))
    assert x.multipart(sent, parts).status_code == 200


def test_put_of_a_signed_statement(x: Xapi, key: Any) -> None:
    ident = new_id()
    original = statement(id=ident)
    sent, parts = signed(original, sign(original, key, x5c=[certificate(key)]))
    assert x.multipart(sent, parts, statement_id=ident).status_code == 204


def test_a_payload_that_differs_is_refused(x: Xapi, key: Any) -> None:
    original = statement()
    tampered = statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"})
    sent, parts = signed(tampered, sign(original, key))
    answer = x.multipart(sent, parts)
    assert answer.status_code == 400 and "differs from the statement sent: verb" in answer_text(answer)
    assert not Statement.objects.exists()


def test_a_signed_id_or_timestamp_that_differs_is_refused(x: Xapi, key: Any) -> None:
    original = statement(id=new_id(), timestamp="2026-11-01T10:00:00Z")
    other_id, parts = signed({**original, "id": new_id()}, sign(original, key))
    assert "statement sent: id" in answer_text(x.multipart(other_id, parts))
    later, parts = signed({**original, "timestamp": "2026-11-01T11:00:00Z"}, sign(original, key))
    assert "statement sent: timestamp" in answer_text(x.multipart(later, parts))
    # The same instant in another zone is the same timestamp.
    same, parts = signed({**original, "timestamp": "2026-11-01T12:00:00+02:00"}, sign(original, key))
    assert x.multipart(same, parts).status_code == 200


def test_a_signature_that_does_not_verify_with_the_certificate_is_refused(x: Xapi, key: Any) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    original = statement()
    sent, parts = signed(original, sign(original, key, x5c=[certificate(other)]))
    answer = x.multipart(sent, parts)
    assert answer.status_code == 400 and "does not verify with the x5c certificate" in answer_text(answer)


def test_an_algorithm_other_than_rs_is_refused(x: Xapi, key: Any) -> None:
    original = statement()
    hs = jwt.api_jws.encode(orjson.dumps(original), "a-shared-secret-of-some-length-32", algorithm="HS256")
    sent, parts = signed(original, hs)
    answer = x.multipart(sent, parts)
    assert answer.status_code == 400 and "RS256, RS384 or RS512" in answer_text(answer)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    sent, parts = signed(original, jwt.api_jws.encode(orjson.dumps(original), ec_key, algorithm="ES256"))
    assert x.multipart(sent, parts).status_code == 400


def test_a_certificate_without_rsa_key_is_refused(x: Xapi, key: Any) -> None:
    original = statement()
    sent, parts = signed(
        original, sign(original, key, x5c=[certificate(ec.generate_private_key(ec.SECP256R1()))])
    )
    answer = x.multipart(sent, parts)
    assert answer.status_code == 400 and "not an RSA key" in answer_text(answer)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not a jws", "not a valid JWS"),
        ("a.b.c", "not a valid JWS"),
        ("\u00e5".encode(), "compact serialization"),
    ],
    ids=["words", "garbage-segments", "not-ascii"],
)
def test_a_malformed_jws_is_refused(x: Xapi, token: Any, message: str) -> None:
    sent, parts = signed(statement(), token)
    answer = x.multipart(sent, parts)
    assert answer.status_code == 400 and message in answer_text(answer)


def test_a_payload_that_is_not_a_statement_is_refused(x: Xapi, key: Any) -> None:
    sent, parts = signed(statement(), sign(b"not json", key))
    assert "not a JSON serialization" in answer_text(x.multipart(sent, parts))
    sent, parts = signed(statement(), sign([1, 2], key))
    assert "not a statement" in answer_text(x.multipart(sent, parts))


def test_bad_x5c_is_refused(x: Xapi, key: Any) -> None:
    original = statement()
    for x5c, message in (([], "x5c must be"), (["%%%"], "cannot be read"), (["AAAA"], "cannot be read")):
        sent, parts = signed(original, sign(original, key, x5c=x5c))
        answer = x.multipart(sent, parts)
        assert answer.status_code == 400 and message in answer_text(answer), answer.content


def test_a_signature_of_another_content_type_is_refused(x: Xapi, key: Any) -> None:
    original = statement()
    sent, parts = signed(original, sign(original, key), content_type="application/jose")
    answer = x.multipart(sent, parts)
    assert answer.status_code == 400 and "application/octet-stream" in answer_text(answer)


def test_a_signature_by_file_url_only_cannot_be_checked(x: Xapi, key: Any) -> None:
    original = statement()
    declared, _part = attachment(
        sign(original, key).encode(),
        "application/octet-stream",
        usageType=SIGNATURE,
        fileUrl="https://x.example/sig",
    )
    answer = x.post({**original, "attachments": [declared]})
    assert answer.status_code == 400 and "cannot be checked" in answer_text(answer)


def test_one_bad_signature_refuses_the_batch(x: Xapi, key: Any) -> None:
    good = statement()
    good_sent, good_parts = signed(good, sign(good, key))
    bad_sent, bad_parts = signed(statement(result={"success": True}), sign(statement(), key))
    answer = x.multipart([good_sent, bad_sent], good_parts + bad_parts)
    assert answer.status_code == 400 and "$[1].attachments[0]" in answer_text(answer)
    assert not Statement.objects.exists()
