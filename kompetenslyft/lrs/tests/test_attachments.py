"""Attachments sent and read as multipart/mixed (xAPI 1.0.3 Communication 7.2 / Data 4.1.11,
2.0.0 Communication 1.5.2): parts matched by SHA-2, every mismatch a 400 that says which, data
kept once per organisation and SHA-2, and GET ?attachments=true answering multipart/mixed."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest

from kompetenslyft.lrs.models import Attachment, Statement

from .helpers import Xapi, attachment, body, multipart_body, new_id, parts_of, statement

pytestmark = pytest.mark.django_db

ESSAY = b"here is a simple attachment\r\n--not-a-boundary\r\n\x00\xff binary octets"


@pytest.fixture(params=["1.0.3", "2.0.0"])
def x(network: Any, request: Any) -> Xapi:
    return Xapi(network.org_a, version=request.param)


def text(response: Any) -> str:
    return response.content.decode()


def test_post_with_a_part_stores_the_data_and_get_returns_it(x: Xapi) -> None:
    declared, part = attachment(ESSAY, "text/plain; charset=ascii")
    part[0]["Content-Type"] = "text/plain"  # the spec's own example: parameters may differ
    sent = x.multipart(statement(attachments=[declared]), [part])
    assert sent.status_code == 200, sent.content
    [ident] = body(sent)
    [stored] = Attachment.objects.all()
    assert (bytes(stored.content), stored.length, stored.sha2) == (ESSAY, len(ESSAY), declared["sha2"])

    one = x.get({"statementId": ident, "attachments": "true"})
    assert one.status_code == 200 and one["Content-Type"].startswith("multipart/mixed; boundary=")
    [(head, data), (part_head, part_data)] = parts_of(one)
    assert head["content-type"] == "application/json"
    assert orjson.loads(data)["attachments"][0]["sha2"] == declared["sha2"]
    assert part_data == ESSAY
    assert part_head["x-experience-api-hash"] == declared["sha2"]
    assert part_head["content-transfer-encoding"] == "binary"
    assert part_head["content-type"] == "text/plain; charset=ascii"

    listed = x.get({"attachments": "true"})
    [(_h, statements), (_p, again)] = parts_of(listed)
    assert [s["id"] for s in orjson.loads(statements)["statements"]] == [ident] and again == ESSAY
    # Without attachments=true: JSON only, with the attachment's metadata.
    plain = x.get({"statementId": ident})
    assert plain["Content-Type"] == "application/json"
    assert body(plain)["attachments"][0]["sha2"] == declared["sha2"]


def test_put_with_a_part(x: Xapi) -> None:
    declared, part = attachment(b"PUT data")
    ident = new_id()
    assert x.multipart(statement(attachments=[declared]), [part], statement_id=ident).status_code == 204
    assert Statement.objects.filter(statement_id=ident).exists() and Attachment.objects.count() == 1


def test_one_copy_per_sha2_across_statements_and_requests(x: Xapi) -> None:
    declared, part = attachment(b"shared certificate")
    batch = [statement(attachments=[declared]), statement(attachments=[declared])]
    assert x.multipart(batch, [part]).status_code == 200
    assert x.multipart(statement(attachments=[declared]), [part]).status_code == 200
    assert Attachment.objects.count() == 1
    # The answer carries the data once although three statements declare it.
    listed = parts_of(x.get({"attachments": "true"}))
    assert len(listed) == 2 and len(orjson.loads(listed[0][1])["statements"]) == 3


def test_a_multipart_batch_without_attachments_is_accepted(x: Xapi) -> None:
    assert x.multipart([statement(), statement()], []).status_code == 200


def test_an_attachment_without_its_part_is_refused(x: Xapi) -> None:
    declared, _part = attachment(b"never sent")
    missing = x.multipart(statement(attachments=[declared]), [])
    assert missing.status_code == 400
    assert "$.attachments[0]" in text(missing) and "no fileUrl and no multipart/mixed part" in text(missing)
    as_json = x.post(statement(attachments=[declared]))
    assert as_json.status_code == 400 and "no fileUrl" in text(as_json)
    assert not Statement.objects.exists()


def test_an_attachment_with_file_url_needs_no_part(x: Xapi) -> None:
    declared, _part = attachment(b"elsewhere", fileUrl="https://files.example/essay.txt")
    assert x.post(statement(attachments=[declared])).status_code == 200
    assert x.multipart(statement(attachments=[declared]), []).status_code == 200
    assert not Attachment.objects.exists()


def test_a_part_no_attachment_declares_is_refused(x: Xapi) -> None:
    _declared, extra = attachment(b"extra")
    answer = x.multipart(statement(), [extra])
    assert answer.status_code == 400 and "attachment part 1" in text(answer)
    assert "no attachment of the statements declares its hash" in text(answer)


def test_a_part_whose_data_does_not_match_its_hash_is_refused(x: Xapi) -> None:
    declared, (headers, _data) = attachment(b"the real data")
    answer = x.multipart(statement(attachments=[declared]), [(headers, b"other data")])
    assert answer.status_code == 400 and "differs from its X-Experience-API-Hash" in text(answer)


def test_a_part_without_hash_header_is_refused(x: Xapi) -> None:
    declared, (headers, data) = attachment(b"data")
    del headers["X-Experience-API-Hash"]
    answer = x.multipart(statement(attachments=[declared]), [(headers, data)])
    assert answer.status_code == 400 and "X-Experience-API-Hash header is missing" in text(answer)


def test_a_part_with_a_hash_of_another_data_is_refused(x: Xapi) -> None:
    declared, _part = attachment(b"declared data")
    _other, other_part = attachment(b"sent data")
    answer = x.multipart(statement(attachments=[declared]), [other_part])
    assert answer.status_code == 400


def test_a_part_of_another_content_type_is_refused(x: Xapi) -> None:
    declared, (headers, data) = attachment(b"<p>hi</p>", "text/html")
    headers["Content-Type"] = "image/png"
    answer = x.multipart(statement(attachments=[declared]), [(headers, data)])
    assert answer.status_code == 400 and "declares contentType 'text/html'" in text(answer)


def test_a_part_of_another_length_is_refused(x: Xapi) -> None:
    declared, part = attachment(b"12345", length=4)
    answer = x.multipart(statement(attachments=[declared]), [part])
    assert answer.status_code == 400 and "declares length 4" in text(answer)


def test_transfer_encoding_other_than_binary_is_refused_and_missing_is_binary(x: Xapi) -> None:
    declared, (headers, data) = attachment(b"octets")
    headers["Content-Transfer-Encoding"] = "base64"
    refused = x.multipart(statement(attachments=[declared]), [(headers, data)])
    assert refused.status_code == 400 and "must be binary" in text(refused)
    del headers["Content-Transfer-Encoding"]
    assert x.multipart(statement(attachments=[declared]), [(headers, data)]).status_code == 200


def test_first_part_must_be_json(x: Xapi) -> None:
    declared, part = attachment(b"data")
    raw, content_type = multipart_body(statement(attachments=[declared]), [part], first_type="text/plain")
    answer = x.http.post("/xapi/statements", raw, content_type=content_type, **x.headers())
    assert answer.status_code == 400 and "first part" in text(answer)


@pytest.mark.parametrize(
    "raw",
    [b"no boundaries at all", b"--abc\r\nContent-Type: application/json\r\n\r\n{}", b""],
    ids=["no-parts", "not-closed", "empty"],
)
def test_a_malformed_multipart_body_is_400(x: Xapi, raw: bytes) -> None:
    answer = x.http.post("/xapi/statements", raw, content_type="multipart/mixed; boundary=abc", **x.headers())
    assert answer.status_code == 400


def test_multipart_without_boundary_is_400(x: Xapi) -> None:
    answer = x.http.post("/xapi/statements", b"--x--", content_type="multipart/mixed", **x.headers())
    assert answer.status_code == 400 and "boundary" in text(answer)


def test_a_part_over_the_size_limit_is_refused(x: Xapi, settings: Any) -> None:
    settings.KOMPETENSLYFT_LRS_ATTACHMENT_MAX_BYTES = 10
    declared, part = attachment(b"eleven byte")
    answer = x.multipart(statement(attachments=[declared]), [part])
    assert answer.status_code == 413 and "more than this LRS accepts" in text(answer)


def test_a_request_over_the_upload_limit_is_413(x: Xapi, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    declared, part = attachment(b"x" * 200)
    answer = x.multipart(statement(attachments=[declared]), [part])
    assert answer.status_code == 413 and answer["X-Experience-API-Version"]


def test_a_failing_batch_stores_neither_statements_nor_data(x: Xapi) -> None:
    good, good_part = attachment(b"good")
    bad, _bad_part = attachment(b"bad")
    answer = x.multipart([statement(attachments=[good]), statement(attachments=[bad])], [good_part])
    assert answer.status_code == 400 and "$[1].attachments[0]" in text(answer)
    assert not Statement.objects.exists() and not Attachment.objects.exists()


def test_sha384_and_sha512_hashes(x: Xapi) -> None:
    for algorithm in (hashlib.sha384, hashlib.sha512):
        data = algorithm.__name__.encode()
        sha2 = algorithm(data).hexdigest()
        declared, (headers, _d) = attachment(data, sha2=sha2)
        headers["X-Experience-API-Hash"] = sha2
        assert x.multipart(statement(attachments=[declared]), [(headers, data)]).status_code == 200
    assert Attachment.objects.count() == 2


def test_substatement_attachments_match_parts(x: Xapi) -> None:
    declared, part = attachment(b"inner")
    sub = {"objectType": "SubStatement", **statement(attachments=[declared])}
    assert x.multipart(statement(object=sub), [part]).status_code == 200
    [(_h, _d), (_p, data)] = parts_of(x.get({"attachments": "true"}))
    assert data == b"inner"


def test_head_with_attachments_has_no_body(x: Xapi) -> None:
    declared, part = attachment(b"head")
    x.multipart(statement(attachments=[declared]), [part])
    answer = x.head({"attachments": "true"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("multipart/mixed")
    assert answer.content == b""


def test_bare_line_feeds_are_read_too(x: Xapi) -> None:
    declared, (headers, data) = attachment(b"lf")
    raw, content_type = multipart_body(statement(attachments=[declared]), [(headers, data)])
    answer = x.http.post(
        "/xapi/statements", raw.replace(b"\r\n", b"\n"), content_type=content_type, **x.headers()
    )
    assert answer.status_code == 200, answer.content


def test_another_organisation_never_reads_the_data(network: Any) -> None:
    alfa, beta = Xapi(network.org_a), Xapi(network.org_b)
    declared, part = attachment(b"personal essay")
    assert alfa.multipart(statement(attachments=[declared]), [part]).status_code == 200
    # Beta declares the same hash with a fileUrl (it cannot send a part it does not have): its
    # answer holds its statement only, not Alfa's data.
    assert (
        beta.post(statement(attachments=[{**declared, "fileUrl": "https://x.example/f"}])).status_code == 200
    )
    parts = parts_of(beta.get({"attachments": "true"}))
    assert len(parts) == 1
    # Beta sending the data itself keeps its own copy.
    assert beta.multipart(statement(attachments=[declared]), [part]).status_code == 200
    assert Attachment.objects.filter(sha2=declared["sha2"]).count() == 2


def test_a_read_mine_client_gets_only_its_own_statements_data(network: Any) -> None:
    from .helpers import SCOPE_READ_MINE, SCOPE_WRITE

    writer = Xapi(network.org_a)
    mine = Xapi(network.org_a, scopes=(SCOPE_WRITE, SCOPE_READ_MINE))
    declared, part = attachment(b"the writer's")
    writer.multipart(statement(attachments=[declared]), [part])
    mine.post(statement())
    parts = parts_of(mine.get({"attachments": "true"}))
    assert len(parts) == 1 and len(orjson.loads(parts[0][1])["statements"]) == 1


def test_naming_a_hash_with_a_file_url_never_fetches_another_clients_data(network: Any) -> None:
    """A client that may read only its own statements declares, with a fileUrl, the hash of data
    another client of its organisation sent: its answer carries no data it did not send."""
    from .helpers import SCOPE_READ_MINE, SCOPE_WRITE

    writer = Xapi(network.org_a)
    prober = Xapi(network.org_a, scopes=(SCOPE_WRITE, SCOPE_READ_MINE))
    declared, part = attachment(b"another client's certificate")
    assert writer.multipart(statement(attachments=[declared]), [part]).status_code == 200
    probe = {**declared, "fileUrl": "https://x.example/guess"}
    assert prober.post(statement(attachments=[probe])).status_code == 200
    parts = parts_of(prober.get({"attachments": "true"}))
    assert len(parts) == 1 and b"certificate" not in parts[0][1]
    # Even a client that reads all gets data only where a statement came with it.
    reader = Xapi(network.org_a)
    listed = parts_of(reader.get({"attachments": "true"}))
    assert [data for _headers, data in listed[1:]] == [b"another client's certificate"]
