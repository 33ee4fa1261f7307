"""Bad numbers and ids in query strings, forms and paths are refused (400/404) or reported on
the page, never a 500: ``?unit=²`` ("²".isdigit() is True, int("²") fails), ``?from=abc``,
``booking=abc``, ``entry=abc``, ``competence-1=²``, numbers beyond any database column, …

The test walks every URL pattern of the product, fills path ids with real objects, and sends
every parameter name any view reads, set to each bad value, by GET and by POST (once per form
``action`` the view knows), as each role of the ``network`` fixture."""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import re
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from kompetenslyft.core import params

# "²" passes str.isdigit but not int(): it stands for every non-number ("abc" fails earlier).
BAD_VALUES = ["²", "-1", "99999999999999999999", ""]
VIEW_MODULES = [
    "kompetenslyft.core.views",
    "kompetenslyft.org.views",
    "kompetenslyft.competence.views",
    "kompetenslyft.assessment.views",
    "kompetenslyft.assessment.propose_views",
    "kompetenslyft.learning.views",
    "kompetenslyft.learning.session_views",
    "kompetenslyft.learning.journey_views",
    "kompetenslyft.learning.support_views",
    "kompetenslyft.learning.initiative_views",
    "kompetenslyft.learning.manager_views",
    "kompetenslyft.evaluation.views",
    "kompetenslyft.evaluation.results_views",
    "kompetenslyft.evaluation.survey_views",
    "kompetenslyft.indicators.views",
    "kompetenslyft.indicators.value_views",
    "kompetenslyft.indicators.link_views",
    "kompetenslyft.retention.views",
    "kompetenslyft.lrs.client_views",
    "kompetenslyft.dataprotection.views",
]
FORM_MODULES = [
    "kompetenslyft.org.forms",
    "kompetenslyft.competence.forms",
    "kompetenslyft.assessment.forms",
    "kompetenslyft.learning.forms",
    "kompetenslyft.evaluation.forms",
    "kompetenslyft.indicators.forms",
    "kompetenslyft.lrs.forms",
    "kompetenslyft.dataprotection.forms",
]


def _patterns(resolver: Any = None, prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any]]:
    """(route, name, callback) of every URL pattern, includes flattened."""
    resolver = resolver or get_resolver()
    found = []
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
            found += _patterns(item, prefix + str(item.pattern), ns)
        elif isinstance(item, URLPattern):
            found.append((prefix + str(item.pattern), f"{namespace}{item.name}", item.callback))
    return found


def _names_read() -> tuple[set[str], set[str]]:
    """Every request parameter and form ``action`` the product's views read (from their source),
    and every field of the product's forms (with the prefixes the views give them)."""
    import importlib

    names: set[str] = set()
    actions: set[str] = set()
    prefixes: set[str] = set()
    for module_name in VIEW_MODULES:
        source = inspect.getsource(importlib.import_module(module_name))
        names |= set(
            re.findall(r"request\.(?:GET|POST)(?:\.get|\.getlist|\.copy\(\)\.get)?\(\s*\"([^\"]+)\"", source)
        )
        names |= set(re.findall(r"request\.(?:GET|POST)\[\s*\"([^\"]+)\"", source))
        actions |= set(re.findall(r"action == \"(\w+)\"", source))
        for group in re.findall(r"action in \(([^)]*)\)", source):
            actions |= set(re.findall(r"\"(\w+)\"", group))
        actions |= set(re.findall(r"get\(\"action\"\) == \"(\w+)\"", source))
        prefixes |= set(re.findall(r"prefix=\"(\w+)\"", source))
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module_name:
                for field in cls.base_fields:
                    names.add(field)
                    names |= {f"{prefix}-{field}" for prefix in prefixes}
    # keys with ids in their names (the questionnaire, the requirement grid)
    names |= {"competence-1", "competence-²", "competence-99999999999999999999"}
    return names, actions


@pytest.fixture
def world(network: Any, django_capture_on_commit_callbacks: Any) -> Any:
    from kompetenslyft.assessment import gaps
    from kompetenslyft.assessment.services import campaign_create, campaign_open
    from kompetenslyft.core.importing import import_file
    from kompetenslyft.learning.initiative_services import goal_create
    from kompetenslyft.learning.models import Module
    from kompetenslyft.learning.services import initiative_create, proposals_generate, session_create

    role = network.employee.role.name
    org = network.org_a
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,Kommunikation\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-MAIL,E-post grund,Kommunikation,basic,onsite,1.5,MAIL\n",
        ),
        (
            "assessments",
            "employee_id,competence_code,level,measurement_point\n"
            f"{network.employee.employee_id},MAIL,1,0\n{network.colleague.employee_id},MAIL,1,0\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        campaign = campaign_create(
            organisation=org,
            name="Baslinje",
            measurement_point=0,
            opens_on=today,
            closes_on=today + dt.timedelta(days=7),
            units=[network.admin_a],
            roles=[],
        )
        campaign_open(campaign=campaign)
    gaps.rebuild(org)
    module = Module.objects.get(code="M-MAIL")
    initiative = initiative_create(
        organisation=org, code="lyft", name="Digitalt lyft", units=[network.admin_a], modules=[module]
    )
    initiative.owners.add(network.project_leader)
    goal_create(initiative=initiative, data={"kind": "reach", "target_share": Decimal("0.8")})
    proposals_generate(initiative_id=initiative.pk)
    session = session_create(
        module=module,
        starts_at=timezone.now() + dt.timedelta(days=5),
        duration_minutes=60,
        capacity=10,
        place="Sal 1",
        trainers=[network.trainer],
    )
    network.campaign, network.initiative, network.session = campaign, initiative, session
    from kompetenslyft.evaluation.models import Survey, SurveyRequest
    from kompetenslyft.evaluation.surveys import survey_create

    survey = survey_create(
        initiative=initiative, title="Slutenkät", opens_on=today, closes_on=today + dt.timedelta(days=7)
    )
    Survey.objects.filter(pk=survey.pk).update(status=Survey.Status.SENT, sent_on=today)
    network.survey = survey
    network.survey_request = SurveyRequest.objects.create(survey=survey, person=network.employee)
    return network


def _path_values(world: Any, viewer: Any) -> dict[str, list[str]]:
    """Real ids for each kind of path id (and one beyond any column: a 404, never a 500)."""
    from kompetenslyft.competence.models import Competence, Framework
    from kompetenslyft.evaluation.views import session_value

    framework = Framework.objects.filter(organisation=world.org_a).first()
    competence = Competence.objects.filter(framework=framework).first()
    person_id = getattr(getattr(viewer, "person", None), "pk", world.lead.pk)
    huge = "99999999999999999999"
    from kompetenslyft.indicators.models import Indicator

    indicator, _created = Indicator.objects.get_or_create(
        organisation=world.org_a,
        code="bad-input",
        defaults={"name": "I", "measure": "count", "better": "higher"},
    )
    indicator.initiatives.add(world.initiative)
    return {
        "indicators:initiative_": [str(world.initiative.pk), huge],
        "indicators:": [str(indicator.pk), huge],
        "initiative_pk": [str(world.initiative.pk), huge],
        "indicator_pk": [str(indicator.pk), huge],
        "assessment": [str(world.campaign.pk), huge],
        "learning:initiative": [str(world.initiative.pk), huge],
        "learning:proposals": [str(world.initiative.pk), huge],
        "learning:proposal": [str(world.initiative.pk), huge],
        "proposal": [str(world.initiative.proposals.values_list("pk", flat=True).first() or 1), huge],
        "learning:book_assigned": [str(world.session.pk), huge],
        "learning:session": [str(world.session.pk), huge],
        "learning:job_aid_file": ["1", huge],
        "learning:job_aid": ["1", huge],
        "learning:module": [str(world.session.module_id), huge],
        "learning:support_answer": ["1", huge],
        "learning:faq_": ["1", huge],  # faq_publish, faq_unpublish (a support question)
        "competence": [str(framework.pk), huge],
        "competence_pk": [str(competence.pk), huge],
        "org:person": [str(person_id), huge],
        "kind": ["people", "nope"],
        "org:import": ["1", huge],
        "evaluation:dashboard_export": ["1", huge],
        "followup:": ["1", huge],
        "fmt": ["csv", "xlsx"],
        "evaluation:token": ["x" * 32, "²" * 32, huge],
        "evaluation:mine": ["1", huge],
        "evaluation:session": [session_value(world.session.pk), "1:forged", huge],
        "evaluation:initiative_question": [str(world.initiative.pk), huge],
        "goal": [str(world.initiative.goals.values_list("pk", flat=True).first() or 1), huge],
        "entry": [str(world.initiative.entries.values_list("pk", flat=True).first() or 1), huge],
        "evaluation:survey_manage": [str(world.initiative.pk), huge],
        "evaluation:survey_question": [str(world.initiative.pk), huge],
        "evaluation:survey_send": [str(world.initiative.pk), huge],
        "evaluation:survey_remind": [str(world.initiative.pk), huge],
        "question": [str(world.survey.questions.values_list("pk", flat=True).first() or 1), huge],
        "evaluation:survey_results": [str(world.survey.pk), huge],
        "token": [world.survey_request.token, "nope"],
        "costs:": [str(world.initiative.pk), huge],  # the costs of an initiative (pk)
        "knowledge:": [str(world.session.module_id), huge],  # a test, a try, a module's banks
        "microlearning:": ["1", huge],  # a question set, a module's switch, a team challenge
        "successcases:": [str(world.initiative.pk), huge],  # an initiative's success cases, a story
        "signin:": ["alpha", "nope", "x" * 300],
        "retention:decide": [
            str(world.colleague.pk),
            str(world.person_b.pk),
            huge,
        ],  # a person (not one who left)
        "retention:run": [
            "1",
            huge,
        ],  # a retention run  # an organisation's code (sign-in through its provider)
        "cmi5:": ["1", huge],  # a module's import, a unit's launch
        "key": ["nope", "k" * 70],  # a cmi5 session's content key
        "path": ["index.html", "a/../../cmi5.xml"],
        "lrs_clients:": ["1", huge],  # an LRS client's revocation
        "rest": ["statement", "a/b"],  # an unknown path under /xapi/
        "dataprotection:": ["1", huge],  # a person's extract, an extract, an access log entry
    }


def _fill(route: str, name: str, values: dict[str, list[str]]) -> list[str]:
    """The route with its converters filled, once per candidate value."""
    paths = ["/" + route]
    for converter, arg in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        token = f"<{converter}:{arg}>" if converter else f"<{arg}>"
        key = arg if arg in values else next(k for k in values if name.startswith(k))
        paths = [p.replace(token, v, 1) for p in paths for v in values[key]]
    return paths


@pytest.mark.django_db
def test_bad_numbers_never_give_500(world: Any, settings: Any) -> None:
    settings.DEBUG = False
    names, actions = _names_read()
    assert {"unit", "from", "booking", "present", "organisation", "at", "session"} <= names
    from kompetenslyft.competence.models import Competence
    from kompetenslyft.org.models import Role

    grid_keys = {
        f"{kind}-{role.pk}-{competence.pk}"
        for role in Role.objects.filter(organisation=world.org_a)
        for competence in Competence.objects.filter(framework__organisation=world.org_a)
        for kind in ("level", "mandatory")
    }
    patterns = [
        p for p in _patterns() if not p[0].startswith(("admin/", "accounts/")) and p[0] != "language/"
    ]
    failures: list[str] = []
    # The roles that get past each view's first checks; top management and the evaluator
    # see aggregates only (their pages are walked by the crawler test).
    viewers = [
        world.lead.user,
        world.manager.user,
        world.employee.user,
        world.trainer.user,
        world.project_leader.user,
    ]
    logging.disable(logging.CRITICAL)  # thousands of refused requests: keep the log quiet
    try:
        requests = _walk(viewers, world, patterns, names | grid_keys, actions, failures)
    finally:
        logging.disable(logging.NOTSET)
    assert requests > 1000
    assert not failures, "\n".join(failures)


def _walk(
    viewers: list[Any],
    world: Any,
    patterns: list[tuple[str, str, Any]],
    names: set[str],
    actions: set[str],
    failures: list[str],
) -> int:
    requests = 0
    huge = "99999999999999999999"
    for viewer in viewers:
        client = Client(raise_request_exception=False)
        client.force_login(viewer)
        values = _path_values(world, viewer)
        for route, name, callback in patterns:
            source = inspect.getsource(inspect.unwrap(callback))
            own_actions = sorted(a for a in actions if f'"{a}"' in source) if "action" in source else []
            for path in _fill(route, name, values):
                plain = [client.get(path).status_code, client.post(path).status_code]
                requests += 2
                failures += [f"{viewer.username} {path} (no data)" for status in plain if status >= 500]
                attempts: list[tuple[str, dict[str, str]]] = []
                # An id beyond any column (the pattern refuses it: 404); a view this role
                # cannot reach at all (404 to both) reads nothing.
                if huge not in path and plain != [404, 404]:
                    attempts = []
                    for value in BAD_VALUES:
                        data = dict.fromkeys(names, value)
                        attempts += [("get", data), ("post", data)]
                        attempts += [("post", {**data, "action": action}) for action in own_actions]
                for method, payload in attempts:
                    response = getattr(client, method)(path, payload)
                    requests += 1
                    if response.status_code >= 500:
                        value = next(iter(payload.values()), "")
                        failures.append(
                            f"{viewer.username} {method.upper()} {path} {value!r} {payload.get('action', '')}"
                        )
    return requests


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("0", 0),
        ("²", None),
        ("٣", None),
        (" 1", None),
        ("+1", None),
        ("1_0", None),
        ("-1", None),
        ("1e9", None),
        ("", None),
        ("9" * 18, 10**18 - 1),
        ("9" * 19, None),
        (None, None),
    ],
)
def test_int_or_none_takes_ascii_digits_only(value: Any, expected: int | None) -> None:
    assert params.int_or_none(value) == expected


def test_parsers_refuse_with_400() -> None:
    from django.core.exceptions import BadRequest

    for bad in ("²", "abc", "-1", "1e9", "99999999999999999999"):
        with pytest.raises(BadRequest):
            params.parse_id(bad)
        with pytest.raises(BadRequest):
            params.optional_id(bad)
    assert params.optional_id("") is None and params.optional_id(None) is None
    assert params.parse_int("", default=3, maximum=10) == 3
    assert params.parse_int("7", default=3, maximum=10) == 7
    with pytest.raises(BadRequest):
        params.parse_int("11", default=3, maximum=10)
    assert params.parse_date("2026-02-03") == dt.date(2026, 2, 3)
    for bad in ("2026-02-30", "２０２６-02-03", "abc", "99999-01-01"):
        with pytest.raises(BadRequest):
            params.parse_date(bad)
    assert params.id_list(["1", "2"]) == [1, 2]
    with pytest.raises(BadRequest):
        params.id_list(["1", "²"])


# --- every filter of every list, one by one -----------------------------------------------------

BAD_FILTER_VALUES = ["abc", "-1", "99999999999999999999", "1.5", "", "\x00"]


def _filter_cases() -> list[tuple[str, str, str, str]]:
    """(who, page, parameter, kind) for every view that reads a filter from the query string.
    Kinds: ``id`` (an id: malformed 400, another organisation's 404), ``int`` (a number),
    ``date`` (YYYY-MM-DD), ``month`` (YYYY-MM), ``choice`` (one of a few words), ``code`` (a code
    or unit id: a text naming nothing is a 404, a control character a 400), ``text``."""
    lead = [
        ("org:people", ("organisation", "id"), ("unit", "id"), ("role", "id"), ("status", "choice")),
        ("org:people", ("page", "int"), ("below", "bool"), ("q", "text")),
        ("org:people_export", ("unit", "id"), ("role", "id"), ("status", "choice")),
        ("learning:sessions", ("module", "id"), ("trainer", "id"), ("initiative", "id")),
        ("learning:sessions", ("start", "date"), ("end", "date"), ("when", "choice"), ("page", "int")),
        ("learning:support_overview", ("answered", "choice"), ("topic", "text"), ("page", "int")),
        ("assessment:gaps", ("organisation", "id"), ("unit", "id"), ("role", "id"), ("point", "point")),
        ("assessment:movement", ("unit", "id"), ("from", "int"), ("to", "int")),
        ("assessment:team", ("unit", "id"), ("page", "int")),
        ("learning:funder", ("initiative", "code"), ("unit", "code"), ("role", "id"), ("module", "id")),
        ("learning:funder", ("gender", "choice"), ("from", "date"), ("to", "date"), ("format", "choice")),
        ("competence:requirements", ("framework", "id"), ("unit", "id"), ("category", "id")),
        ("evaluation:dashboard", ("organisation", "id"), ("unit", "id"), ("initiative", "id")),
        ("evaluation:dashboard", ("module", "id"), ("role", "id"), ("gender", "choice")),
        ("evaluation:dashboard", ("from", "month"), ("to", "month")),
        ("evaluation:results", ("initiative", "id"), ("module", "id"), ("unit", "id"), ("role", "id")),
        ("evaluation:results", ("gender", "choice"), ("from", "month"), ("to", "month")),
        ("search:search", ("q", "text"), ("page", "int")),
        ("indicators:list", ("archived", "choice")),
        ("retention:overview", ("organisation", "id")),
    ]
    manager = [
        ("learning:team", ("unit", "id"), ("role", "id"), ("status", "choice"), ("page", "int")),
        ("learning:sessions", ("module", "id"), ("when", "choice")),
        ("followup:list", ("page", "int"), ("status", "choice"), ("unit", "id"), ("module", "id")),
    ]
    cases = []
    for who, views in (("lead", lead), ("manager", manager)):
        for name, *parameters in views:
            cases += [(who, name, parameter, kind) for parameter, kind in parameters]
    return cases


def _expected(kind: str, value: str) -> set[int]:
    if value == "":
        return {200}  # an empty filter is no filter
    if kind == "text":
        return {400} if value == "\x00" else {200}
    if kind == "bool":
        return {200}  # a checkbox: anything sent is "ticked" (as a browser sends it)
    if kind == "code":
        return {400} if value == "\x00" else {404}
    if kind == "point" and value == "-1":
        return {200}  # the choice "each person's latest answer"
    if kind == "point" and value == "abc" or kind in ("int", "date", "month", "choice"):
        return {400}
    if kind == "point":
        return {400, 404}
    # an id: malformed is a 400
    return {400}


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "name", "parameter", "kind"), _filter_cases())
def test_each_filter_refuses_bad_values(
    world: Any, settings: Any, who: str, name: str, parameter: str, kind: str
) -> None:
    """A bad value is a 400 whose page names the parameter, an id outside the viewer's scope a
    404: never a 500, never the page as if the filter were not there."""
    from django.urls import reverse

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(getattr(world, who).user)
    url = reverse(name)
    assert client.get(url).status_code == 200, url
    logging.disable(logging.CRITICAL)
    try:
        for value in BAD_FILTER_VALUES:
            response = client.get(url, {parameter: value}, HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code in _expected(kind, value), (url, parameter, repr(value))
            if response.status_code == 400:
                assert f"{parameter}:" in response.content.decode(), (url, parameter, repr(value))
        if kind == "id":
            # Another organisation's object (or none at all): 404, as if it did not exist.
            other = _other_organisations_id(world, parameter)
            response = client.get(url, {parameter: str(other)})
            assert response.status_code == 404, (url, parameter, other)
    finally:
        logging.disable(logging.NOTSET)


def _other_organisations_id(world: Any, parameter: str) -> int:
    from kompetenslyft.org.tests.factories import PersonFactory, RoleFactory

    org_b = world.org_b
    if parameter == "unit":
        return int(world.unit_b.pk)
    if parameter == "role":
        return int(RoleFactory(organisation=org_b, name="sjuksköterska-b").pk)
    if parameter == "organisation":
        return int(org_b.pk)
    if parameter == "trainer":
        return int(PersonFactory(unit=world.unit_b).pk)
    return 987654321  # a module, initiative, framework, category no one has
