"""A cmi5 launch's client is bound to the launched person (ADR 0014): attacks by an employee who
fetched its own unit's token and used it against a colleague or the platform's launch data."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from kompetenslyft.learning.models import Attendance
from kompetenslyft.lrs import emit
from kompetenslyft.lrs.models import Document
from kompetenslyft.lrs.verbs import COMPLETED, PASSED

from .test_cmi5 import (
    course,  # noqa: F401 - the fixture, asked for by name below
    launch,
)

pytestmark = pytest.mark.django_db


def _token(params: dict[str, list[str]]) -> dict[str, str]:
    token = Client().post(urlsplit(params["fetch"][0]).path).json()["auth-token"]
    return {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}


def test_a_units_token_records_nothing_about_a_colleague(
    request: Any, django_capture_on_commit_callbacks: Any
) -> None:
    work = request.getfixturevalue("course")
    _session, params, _url = launch(work)
    headers = _token(params)
    victim = work.colleague
    victim.email = "karin.kollega@alfa.example"
    victim.save()
    someone_else = {"objectType": "Agent", "mbox": f"mailto:{victim.email}"}
    for verb, obj in (
        (COMPLETED, work.teams.activity_id),
        (COMPLETED, work.mail.activity_id),
        (PASSED, work.mail.activity_id + "/pre-test"),
    ):
        body = {"actor": someone_else, "verb": {"id": verb}, "object": {"id": obj}}
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                "/xapi/statements", json.dumps(body), content_type="application/json", **headers
            )
        assert response.status_code == 400 and b"launched for" in response.content
    assert not Attendance.objects.filter(person=victim).exists()


def test_a_units_token_completes_no_module_by_naming_it(
    request: Any, django_capture_on_commit_callbacks: Any
) -> None:
    work = request.getfixturevalue("course")
    """Its own person, but another module's activity: only the work's units complete (moveOn)."""
    _session, params, _url = launch(work)
    headers = _token(params)
    body = {
        "actor": json.loads(params["actor"][0]),
        "verb": {"id": COMPLETED},
        "object": {"id": work.teams.activity_id},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/xapi/statements", json.dumps(body), content_type="application/json", **headers
        )
    assert response.status_code == 200  # stored, as any statement about its person
    assert not Attendance.objects.filter(person=work.employee, module=work.teams).exists()


def test_a_units_token_neither_rewrites_launch_data_nor_touches_a_colleagues_state(request: Any) -> None:
    work = request.getfixturevalue("course")
    session, params, _url = launch(work)
    headers = _token(params)
    own = {
        "activityId": params["activityId"][0],
        "agent": params["actor"][0],
        "registration": session.registration,
    }
    launch_data = Document.objects.get(document_id="LMS.LaunchData")
    before = (bytes(launch_data.content), launch_data.client_id)
    put = Client().put(
        "/xapi/activities/state?" + urlencode({**own, "stateId": "LMS.LaunchData"}),
        json.dumps({"moveOn": "NotApplicable"}),
        content_type="application/json",
        **headers,
    )
    assert put.status_code == 403
    delete_all = Client().delete("/xapi/activities/state?" + urlencode(own), **headers)
    assert delete_all.status_code == 403
    launch_data.refresh_from_db()
    assert (bytes(launch_data.content), launch_data.client_id) == before
    # It still reads its launch data, and keeps its own state.
    got = Client().get("/xapi/activities/state", {**own, "stateId": "LMS.LaunchData"}, **headers)
    assert got.status_code == 200
    mine = Client().put(
        "/xapi/activities/state?" + urlencode({**own, "stateId": "bookmark"}),
        json.dumps({"page": 3}),
        content_type="application/json",
        **headers,
    )
    assert mine.status_code == 204
    # A colleague's state: neither written nor read.
    colleague = {
        "activityId": params["activityId"][0],
        "agent": json.dumps(emit.actor(work.other_employee)),
    }
    written = Client().put(
        "/xapi/activities/state?" + urlencode({**colleague, "stateId": "x"}),
        json.dumps({"a": 1}),
        content_type="application/json",
        **headers,
    )
    read = Client().get("/xapi/activities/state", {**colleague, "stateId": "x"}, **headers)
    assert written.status_code == 403 and read.status_code == 403
    assert not Document.objects.filter(document_id="x").exists()
