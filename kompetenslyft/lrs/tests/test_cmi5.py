"""cmi5 (ADR 0014): a course package is imported (and bad ones refused with what is wrong), a
person launches an AU from its journey with the launch parameters, LMS.LaunchData and the
launched statement exist before it, the fetch URL gives its auth-token once, the content is
served under the session's key in a sandbox, and the AU's completed + passed complete the module."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.learning.models import Attendance
from kompetenslyft.lrs import cmi5, emit
from kompetenslyft.lrs.models import Client as LrsClient
from kompetenslyft.lrs.models import Cmi5Course, Cmi5Launch, Document, Statement
from kompetenslyft.lrs.verbs import COMPLETED, INITIALIZED, PASSED

from .cmi5_package import package, structure

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def imported(work: Any, content: bytes) -> Any:
    upload = __import__("django.core.files.uploadedfile", fromlist=["x"]).SimpleUploadedFile(
        "course.zip", content, content_type="application/zip"
    )
    return browser(work.lead.user).post(
        reverse("cmi5:import", args=[work.mail.pk]), {"package": upload}, follow=True
    )


@pytest.fixture
def course(work: Any) -> Any:
    page = imported(work, package(structure()))
    assert page.status_code == 200
    work.course = Cmi5Course.objects.get()
    work.unit = work.course.units.get()
    return work


def test_import_reads_the_structure_and_the_module_page_offers_it(course: Any) -> None:
    unit = course.unit
    assert (course.course.course_id, course.course.title) == ("https://content.example/mail", "E-post grund")
    assert (unit.title, unit.url, unit.move_on, str(unit.mastery_score), unit.launch_parameters) == (
        "E-post i vården",
        "index.html?lang=sv",
        "CompletedAndPassed",
        "0.8000",
        "mode=quick",
    )
    assert sorted(course.course.files.values_list("path", flat=True)) == ["cmi5.xml", "index.html"]
    lead_page = (
        browser(course.lead.user).get(reverse("learning:module", args=[course.mail.pk])).content.decode()
    )
    assert f'data-cmi5-course="{course.course.pk}"' in lead_page
    journey = browser(course.employee.user).get(reverse("learning:me")).content.decode()
    assert f'data-cmi5-unit="{unit.pk}"' in journey
    # Someone without the module on the journey is offered nothing and cannot launch it.
    other = browser(course.other_employee.user)
    assert f'data-cmi5-unit="{unit.pk}"' not in other.get(reverse("learning:me")).content.decode()
    assert other.post(reverse("cmi5:launch", args=[unit.pk])).status_code == 404


BILLION = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"not a zip", "not a ZIP package"),
        (package(None), "no cmi5.xml"),
        (package(structure(prolog=BILLION)), "DTD"),
        (package("<courseStructure"), "not well-formed"),
        (package(structure(namespace="urn:other")), "not a cmi5 course structure"),
        (package(structure(units="")), "no assignable unit"),
        (package(structure(), files={}), "names no file of the package"),
        (package(structure(), files={"../evil.html": b"x", "index.html": b"x"}), "outside itself"),
        (
            package(structure().replace('moveOn="CompletedAndPassed"', 'moveOn="Sometimes"')),
            "moveOn",
        ),
        (package(structure().replace('masteryScore="0.8"', 'masteryScore="8"')), "masteryScore"),
    ],
)
def test_bad_packages_are_refused_saying_why(work: Any, content: bytes, says: str) -> None:
    page = imported(work, content)
    assert says in page.content.decode()
    assert not Cmi5Course.objects.exists()


def test_only_a_lead_of_the_module_imports(work: Any) -> None:
    response = browser(work.employee.user).post(reverse("cmi5:import", args=[work.mail.pk]), {})
    assert response.status_code == 404


def launch(course: Any) -> tuple[Cmi5Launch, dict[str, list[str]], str]:
    response = browser(course.employee.user).post(reverse("cmi5:launch", args=[course.unit.pk]))
    assert response.status_code == 303
    url = response["Location"]
    return Cmi5Launch.objects.get(), parse_qs(urlsplit(url).query), url


def test_launch_writes_launch_data_and_launched_first(course: Any) -> None:
    session, params, url = launch(course)
    assert url.startswith(f"http://testserver/cmi5/content/{session.content_key}/index.html?")
    actor = json.loads(params["actor"][0])
    assert actor == emit.actor(course.employee)
    assert params["lang"] == ["sv"]  # the AU url's own query kept (cmi5 13.1.4)
    assert params["endpoint"] == ["http://testserver/xapi/"]
    assert params["fetch"] == [f"http://testserver/cmi5/fetch/{session.fetch_token}"]
    assert params["registration"] == [session.registration]
    activity_id = params["activityId"][0]
    assert activity_id == cmi5.au_activity_id(course.unit.pk) != course.unit.publisher_id
    document = Document.objects.get(document_id="LMS.LaunchData")
    data = orjson.loads(bytes(document.content))
    assert (document.activity_id, document.registration) == (activity_id, session.registration)
    assert data["contextTemplate"]["extensions"][f"{cmi5.EXT}sessionid"] == session.session_id
    assert data["contextTemplate"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": "https://content.example/mail/au1"}
    ]
    assert (data["launchMode"], data["moveOn"], data["masteryScore"], data["launchParameters"]) == (
        "Normal",
        "CompletedAndPassed",
        0.8,
        "mode=quick",
    )
    launched = orjson.loads(Statement.objects.get(verb_id=cmi5.LAUNCHED).data)
    assert launched["context"]["registration"] == session.registration
    assert launched["context"]["extensions"][f"{cmi5.EXT}launchurl"].endswith("/index.html")
    # A second launch keeps the registration and the activity id, with a new session.
    again, params2, _url = launch_again(course)
    assert params2["registration"] == [session.registration] and params2["activityId"] == [activity_id]
    assert again.session_id != session.session_id


def launch_again(course: Any) -> tuple[Cmi5Launch, dict[str, list[str]], str]:
    response = browser(course.employee.user).post(reverse("cmi5:launch", args=[course.unit.pk]))
    url = response["Location"]
    return Cmi5Launch.objects.order_by("-pk").first(), parse_qs(urlsplit(url).query), url  # type: ignore[return-value]


def test_fetch_once_then_the_au_completes_the_module(
    course: Any, django_capture_on_commit_callbacks: Any
) -> None:
    session, params, _url = launch(course)
    anonymous = Client()
    fetch_url = urlsplit(params["fetch"][0]).path
    assert anonymous.get(fetch_url).status_code == 405
    first = anonymous.post(fetch_url)
    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    token = first.json()["auth-token"]
    second = anonymous.post(fetch_url)
    assert second.status_code == 200 and second.json()["error-code"] == "1"
    assert anonymous.post("/cmi5/fetch/nonsense").json()["error-code"] == "2"
    headers = {"HTTP_AUTHORIZATION": f"Basic {token}", "HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
    activity_id = params["activityId"][0]
    actor = json.loads(params["actor"][0])
    state = anonymous.get(
        "/xapi/activities/state",
        {
            "activityId": activity_id,
            "agent": json.dumps(actor),
            "registration": session.registration,
            "stateId": "LMS.LaunchData",
        },
        **headers,
    )
    assert state.status_code == 200 and state.json()["moveOn"] == "CompletedAndPassed"
    context = {
        "registration": session.registration,
        "contextActivities": {
            "category": [{"id": cmi5.CATEGORY_CMI5}],
            "grouping": [{"id": course.unit.publisher_id}],
        },
        "extensions": {f"{cmi5.EXT}sessionid": session.session_id},
    }

    def say(verb: str, result: dict[str, Any] | None = None) -> Any:
        body = {"actor": actor, "verb": {"id": verb}, "object": {"id": activity_id}, "context": context}
        if result:
            body["result"] = result
        with django_capture_on_commit_callbacks(execute=True):
            return anonymous.post(
                "/xapi/statements", json.dumps(body), content_type="application/json", **headers
            )

    assert say(INITIALIZED).status_code == 200
    assert say(COMPLETED, {"completion": True, "duration": "PT20M"}).status_code == 200
    assert not Attendance.objects.exists()  # moveOn CompletedAndPassed: not yet
    assert say(PASSED, {"success": True, "score": {"scaled": 0.9}, "duration": "PT10M"}).status_code == 200
    [row] = Attendance.objects.all()
    assert (row.person_id, row.module_id, row.status, row.source, str(row.hours)) == (
        course.employee.pk,
        course.mail.pk,
        "completed",
        "lrs",
        "0.50",
    )
    # The AU may not void (cmi5 6.3); its token ends with the session.
    [ident] = say(COMPLETED).json()
    void = {
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": ident},
    }
    refused = anonymous.post("/xapi/statements", json.dumps(void), content_type="application/json", **headers)
    assert refused.status_code == 400
    LrsClient.objects.filter(pk=session_client(session)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert say(INITIALIZED).status_code == 401


def session_client(session: Cmi5Launch) -> int:
    session.refresh_from_db()
    assert session.client_id is not None
    return session.client_id


def test_content_is_served_under_the_session_key_in_a_sandbox(course: Any) -> None:
    session, _params, url = launch(course)
    anonymous = Client()
    page = anonymous.get(urlsplit(url).path)
    assert page.status_code == 200 and page.content == b"<!doctype html><p>Hej</p>"
    assert page["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert anonymous.get(f"/cmi5/content/{session.content_key}/missing.html").status_code == 404
    assert anonymous.get(f"/cmi5/content/{session.content_key}/../cmi5.xml").status_code == 404
    assert anonymous.get("/cmi5/content/wrong-key/index.html").status_code == 404
    Cmi5Launch.objects.update(expires_at=timezone.now())
    assert anonymous.get(urlsplit(url).path).status_code == 404


def test_auth_token_is_basic_credentials(course: Any) -> None:
    _session, params, _url = launch(course)
    token = Client().post(urlsplit(params["fetch"][0]).path).json()["auth-token"]
    key, _sep, _secret = base64.b64decode(token).decode().partition(":")
    client = LrsClient.objects.get(key=key)
    assert client.expires_at is not None and not client.is_platform
