"""A person's erasure reaches the statements (ADR 0008): every agent that names them — by
e-mail, its SHA-1, or an account with their employee id — becomes one pseudonymous account in
the stored JSON and the filter columns; nobody else's statements change."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.lrs.models import Pseudonym, Statement
from kompetenslyft.lrs.services import PSEUDONYM_HOME, pseudonymise_actor

from .helpers import Xapi, body, statement

pytestmark = pytest.mark.django_db


def test_pseudonymise_actor(network: Any) -> None:
    person = network.employee
    mbox = f"mailto:{person.email}"
    x = Xapi(network.org_a)
    by_mail = body(x.post(statement(actor={"mbox": mbox, "name": "Elin"})))[0]
    by_sha = body(x.post(statement(actor={"mbox_sha1sum": hashlib.sha1(mbox.encode()).hexdigest()})))[0]  # noqa: S324
    by_account = body(
        x.post(statement(actor={"account": {"homePage": "https://hr.x", "name": person.employee_id}}))
    )[0]
    as_instructor = body(
        x.post(
            statement(
                actor={"mbox": "mailto:other@x.org"}, context={"instructor": {"mbox": mbox, "name": "Elin"}}
            )
        )
    )[0]
    in_group = body(
        x.post(
            statement(actor={"objectType": "Group", "member": [{"mbox": mbox}, {"mbox": "mailto:k@x.org"}]})
        )
    )[0]
    other = body(x.post(statement(actor={"mbox": "mailto:other@x.org"})))[0]
    other_org = Xapi(network.org_b)
    elsewhere = body(other_org.post(statement(actor={"mbox": mbox})))[0]

    record = pseudonymise_actor(person)
    assert isinstance(record, Pseudonym) and record.statements == 5
    assert AuditEntry.objects.filter(action="lrs.pseudonymise").count() == 1
    pseudonym = {"account": {"homePage": PSEUDONYM_HOME, "name": record.name}}
    for ident in (by_mail, by_sha, by_account, as_instructor, in_group):
        row = Statement.objects.get(organisation=network.org_a, statement_id=ident)
        assert person.email not in row.data and person.employee_id not in row.data
        assert person.email not in row.related_agents
        assert '"Elin"' not in row.data  # the agent's name goes with the identifier
    data = orjson.loads(Statement.objects.get(statement_id=by_mail).data)
    assert data["actor"] == pseudonym
    # The pseudonym is a filterable agent: the person's record stays whole, unnamed.
    found = body(x.get({"agent": orjson.dumps(pseudonym).decode()}))["statements"]
    assert {s["id"] for s in found} == {by_mail, by_sha, by_account}
    assert body(x.get({"agent": orjson.dumps({"mbox": mbox}).decode()}))["statements"] == []
    assert orjson.loads(Statement.objects.get(statement_id=other).data)["actor"] == {
        "mbox": "mailto:other@x.org"
    }
    # Another organisation's statements are its own business (its own erasure).
    assert mbox in Statement.objects.get(organisation=network.org_b, statement_id=elsewhere).data


def test_an_erasure_drops_the_signature_that_still_names_the_person(network: Any) -> None:
    """A signed statement's JWS payload is the statement as signed, the person's name and
    e-mail in it: erasure deletes that attachment (the attacker read it back through
    ``attachments=true`` after the statement itself was rewritten). Other attachments stay."""
    import base64

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    from kompetenslyft.lrs.attachments import SIGNATURE
    from kompetenslyft.lrs.models import Attachment

    from .helpers import attachment, new_id, parts_of

    employee = network.employee
    employee.email = "elin.unik@alfa.example"
    employee.save()
    x = Xapi(network.org_a)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signed = {
        "id": new_id(),
        "actor": {"objectType": "Agent", "name": "Elin Unik", "mbox": f"mailto:{employee.email}"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": "https://kompetenslyft.example/modules/M1"},
        "timestamp": "2026-11-01T10:00:00.000Z",
    }
    token = jwt.api_jws.encode(orjson.dumps(signed), key, algorithm="RS256")
    signature, signature_part = attachment(token.encode(), "application/octet-stream", usageType=SIGNATURE)
    certificate, certificate_part = attachment(b"%PDF-1.4 certificate", "application/pdf")
    answer = x.multipart(
        {**signed, "attachments": [signature, certificate]}, [signature_part, certificate_part]
    )
    assert answer.status_code == 200, answer.content
    assert Attachment.objects.count() == 2

    pseudonymise_actor(employee)

    assert Attachment.objects.count() == 1  # the certificate stays
    found = x.get({"statementId": signed["id"], "attachments": "true"})
    assert found.status_code == 200
    seen = b""
    for _headers, data in parts_of(found):
        seen += data
        for piece in data.split(b"."):
            try:  # a JWS's parts, decoded
                seen += base64.urlsafe_b64decode(piece + b"=" * (-len(piece) % 4))
            except ValueError:
                pass
    assert b"elin.unik@alfa.example" not in seen and b"Elin Unik" not in seen
    assert b"%PDF-1.4 certificate" in seen
