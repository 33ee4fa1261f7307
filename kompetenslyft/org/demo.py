"""The demo network: Solvik kommun (a Swedish municipality modelled on the source reports)
and Fjellvik kommune (a small Norwegian one). Built through the real import path."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker

from kompetenslyft.core.db import analyse_now
from kompetenslyft.core.models import ProductRole

from .imports import PEOPLE_HEADER, UNIT_HEADER, import_file
from .models import Organisation, Person
from .services import account_for_person, grant_add, organisation_create

STAFF_SCALE = 1.33  # brings Solvik to about 1,300 people
DEMO_PASSWORD = "kompetens-2026"  # noqa: S105 - printed for the local demo only

# unit_id, name, parent_id, [(role, count)]
SOLVIK_UNITS: list[tuple[str, str, str, list[tuple[str, int]]]] = [
    ("KLK", "Kommunledningskontoret", "", [("kommundirektör", 1)]),
    ("KLK-HR", "HR-avdelningen", "KLK", [("HR-konsult", 6), ("kompetensutvecklare", 2)]),
    ("KLK-DIG", "Digitaliseringsenheten", "KLK", [("digitaliseringsstrateg", 4), ("projektledare", 2)]),
    ("VOF", "Vård- och omsorgsförvaltningen", "", [("förvaltningschef", 1), ("utvecklingsledare", 2)]),
    ("VOF-HT", "Hemtjänst", "VOF", [("verksamhetschef", 1), ("samordnare", 2)]),
    ("VOF-HT-N", "Hemtjänst Norra", "VOF-HT", [("undersköterska", 48), ("vårdbiträde", 14)]),
    ("VOF-HT-S", "Hemtjänst Södra", "VOF-HT", [("undersköterska", 52), ("vårdbiträde", 12)]),
    ("VOF-HT-C", "Hemtjänst Centrum", "VOF-HT", [("undersköterska", 44), ("vårdbiträde", 10)]),
    ("VOF-HT-NP", "Nattpatrullen", "VOF-HT", [("undersköterska", 18)]),
    ("VOF-SB", "Särskilt boende", "VOF", [("verksamhetschef", 1)]),
    (
        "VOF-SB-SOL",
        "Solgårdens vård- och omsorgsboende",
        "VOF-SB",
        [("undersköterska", 70), ("vårdbiträde", 16)],
    ),
    (
        "VOF-SB-EKB",
        "Ekbackens vård- och omsorgsboende",
        "VOF-SB",
        [("undersköterska", 62), ("vårdbiträde", 14)],
    ),
    ("VOF-SB-LIN", "Lindgårdens demensboende", "VOF-SB", [("undersköterska", 48), ("vårdbiträde", 10)]),
    ("VOF-FS", "Funktionsstöd (LSS)", "VOF", [("verksamhetschef", 1)]),
    ("VOF-FS-BJO", "Gruppbostad Björken", "VOF-FS", [("stödassistent", 22), ("stödpedagog", 3)]),
    ("VOF-FS-TAL", "Gruppbostad Tallen", "VOF-FS", [("stödassistent", 20), ("stödpedagog", 2)]),
    ("VOF-FS-DV", "Daglig verksamhet Verkstan", "VOF-FS", [("stödpedagog", 12), ("stödassistent", 8)]),
    ("VOF-FS-PA", "Personlig assistans", "VOF-FS", [("personlig assistent", 64)]),
    (
        "VOF-HSL",
        "Hälso- och sjukvård",
        "VOF",
        [("sjuksköterska", 34), ("arbetsterapeut", 9), ("fysioterapeut", 7)],
    ),
    ("VOF-MYN", "Myndighetsutövning", "VOF", [("biståndshandläggare", 16), ("LSS-handläggare", 6)]),
    ("BUF", "Barn- och utbildningsförvaltningen", "", [("förvaltningschef", 1), ("utvecklingsledare", 2)]),
    ("BUF-FSK", "Förskola", "BUF", [("verksamhetschef", 1)]),
    ("BUF-FSK-SOL", "Förskolan Solrosen", "BUF-FSK", [("förskollärare", 26), ("barnskötare", 22)]),
    ("BUF-FSK-MYR", "Förskolan Myran", "BUF-FSK", [("förskollärare", 22), ("barnskötare", 20)]),
    ("BUF-FSK-LAR", "Förskolan Lärkan", "BUF-FSK", [("förskollärare", 18), ("barnskötare", 16)]),
    ("BUF-GR", "Grundskola", "BUF", [("verksamhetschef", 1)]),
    (
        "BUF-GR-SOL",
        "Solviksskolan F–6",
        "BUF-GR",
        [("lärare", 64), ("fritidspedagog", 14), ("elevassistent", 12)],
    ),
    (
        "BUF-GR-EKS",
        "Ekskolan 7–9",
        "BUF-GR",
        [("lärare", 70), ("elevassistent", 10), ("studie- och yrkesvägledare", 2)],
    ),
    (
        "BUF-EH",
        "Elevhälsan",
        "BUF",
        [("skolsköterska", 6), ("kurator", 5), ("specialpedagog", 8), ("skolpsykolog", 2)],
    ),
]
# The manager's role in each kind of unit (the person is added to the unit).
MANAGER_ROLE = {0: "förvaltningschef", 1: "verksamhetschef", 2: "enhetschef"}
SCHOOL_HEADS = {
    "BUF-GR-SOL": "rektor",
    "BUF-GR-EKS": "rektor",
    "BUF-FSK-SOL": "förskolechef",
    "BUF-FSK-MYR": "förskolechef",
    "BUF-FSK-LAR": "förskolechef",
}
WOMEN_SHARE = {
    "lärare": 0.72,
    "fysioterapeut": 0.6,
    "digitaliseringsstrateg": 0.45,
    "kommundirektör": 0.0,
    "fritidspedagog": 0.6,
    "personlig assistent": 0.7,
}

FJELLVIK_UNITS: list[tuple[str, str, str, list[tuple[str, int]]]] = [
    ("HO", "Helse og omsorg", "", [("kommunalsjef", 1)]),
    ("HO-HJT", "Hjemmetjenesten", "HO", [("helsefagarbeider", 18), ("sykepleier", 6)]),
    ("HO-SYK", "Fjellvik sykehjem", "HO", [("helsefagarbeider", 22), ("sykepleier", 8)]),
]


@dataclass
class DemoLogin:
    role: str
    username: str
    who: str


def _rows_for(
    units: list[tuple[str, str, str, list[tuple[str, int]]]],
    faker: Faker,
    rnd: random.Random,
    prefix: str,
    language: str,
) -> tuple[str, str, dict[str, str]]:
    """Units CSV, people CSV and the employee id of each unit's manager."""
    depth: dict[str, int] = {}
    for unit_id, _name, parent, _staff in units:
        depth[unit_id] = depth[parent] + 1 if parent else 0
    people: list[list[str]] = []
    managers: dict[str, str] = {}
    number = 1000

    def add(unit_id: str, role: str) -> str:
        nonlocal number
        number += 1
        woman = rnd.random() < WOMEN_SHARE.get(role, 0.85)
        given = faker.first_name_female() if woman else faker.first_name_male()
        family = faker.last_name()
        employee_id = f"{prefix}{number}"
        email = f"{given}.{family}.{number}@{'solvik.se' if prefix == 'S' else 'fjellvik.kommune.no'}"
        email = email.lower().translate(str.maketrans("åäöøæé ", "aaooaee"))
        start = dt.date(2026, 1, 1) - dt.timedelta(days=rnd.randint(30, 30 * 365))
        gender = "woman" if woman else "man"
        if rnd.random() < 0.02:
            gender = "" if rnd.random() < 0.5 else "other"
        people.append([employee_id, given, family, unit_id, role, email, gender, language, start.isoformat()])
        return employee_id

    for unit_id, _name, _parent, staff in units:
        manager_role = SCHOOL_HEADS.get(unit_id) or (
            "kommunalsjef"
            if prefix == "F" and depth[unit_id] == 0
            else "virksomhetsleder"
            if prefix == "F"
            else MANAGER_ROLE[min(depth[unit_id], 2)]
        )
        if unit_id == "KLK":
            managers[unit_id] = add(unit_id, "kommundirektör")
            staff = []
        elif staff and staff[0][0] in {"förvaltningschef", "verksamhetschef", "kommunalsjef"}:
            managers[unit_id] = add(unit_id, staff[0][0])
            staff = staff[1:]
        else:
            managers[unit_id] = add(unit_id, manager_role)
        for role, count in staff:
            for _ in range(round(count * STAFF_SCALE) if count > 3 else count):
                add(unit_id, role)

    units_csv = io.StringIO()
    writer = csv.writer(units_csv)
    writer.writerow(UNIT_HEADER)
    for unit_id, name, parent, _staff in units:
        writer.writerow([unit_id, name, parent, managers[unit_id]])
    people_csv = io.StringIO()
    writer = csv.writer(people_csv, delimiter=";")
    writer.writerow(PEOPLE_HEADER)
    writer.writerows(people)
    return units_csv.getvalue(), people_csv.getvalue(), managers


def _login(person: Person, username: str) -> None:
    account_for_person(person=person, username=username, password=DEMO_PASSWORD)


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo network if it is not there; (re)set the demo logins; return them."""
    # each app's own demo data (the apps build on org, so they are imported here, not above)
    from kompetenslyft.assessment.demo import assessments_for_demo
    from kompetenslyft.competence.demo import DEMO_REQUIREMENTS, FJELLVIK_REQUIREMENTS, frameworks_for_demo
    from kompetenslyft.evaluation.demo import evaluations_for_demo
    from kompetenslyft.learning.demo import learning_for_demo, shared_session_for_demo

    user_model = get_user_model()
    solvik = Organisation.objects.filter(code="solvik").first()
    if solvik is None:
        solvik = organisation_create(code="solvik", name="Solvik kommun")
        faker = Faker("sv_SE")
        faker.seed_instance(2026)
        units_csv, people_csv, _managers = _rows_for(SOLVIK_UNITS, faker, random.Random(2026), "S", "sv")
        import_file(kind="units", content=units_csv.encode(), filename="enheter.csv", organisation=solvik)
        import_file(
            kind="people",
            content=("\ufeff" + people_csv).encode(),
            filename="personal.csv",
            organisation=solvik,
        )
        frameworks_for_demo(solvik, "systems", DEMO_REQUIREMENTS)
        assessments_for_demo(solvik)
        learning_for_demo(solvik, evaluations=evaluations_for_demo)
        # issue 10: the effect — knowledge tests, follow-up talks, an indicator, costs, stories
        from kompetenslyft.costs.demo import costs_for_demo
        from kompetenslyft.followup.demo import followups_for_demo
        from kompetenslyft.indicators.demo import indicators_for_demo
        from kompetenslyft.knowledge.demo import knowledge_for_demo
        from kompetenslyft.lrs.demo import elearning_for_demo
        from kompetenslyft.successcases.demo import stories_for_demo

        elearning_for_demo(solvik)
        knowledge_for_demo(solvik)
        followups_for_demo(solvik)
        indicators_for_demo(solvik)
        costs_for_demo(solvik)
        stories_for_demo(solvik)
        # issue 12: leavers past the retention time (and one not yet), for the dry run and the nightly run
        from kompetenslyft.retention.demo import leavers_for_demo

        leavers_for_demo(solvik)
    fjellvik = Organisation.objects.filter(code="fjellvik").first()
    if fjellvik is None:
        fjellvik = organisation_create(code="fjellvik", name="Fjellvik kommune", language="nb")
        faker = Faker("no_NO")
        faker.seed_instance(2026)
        units_csv, people_csv, _managers = _rows_for(FJELLVIK_UNITS, faker, random.Random(47), "F", "nb")
        import_file(kind="units", content=units_csv.encode(), filename="enheter.csv", organisation=fjellvik)
        import_file(kind="people", content=people_csv.encode(), filename="ansatte.csv", organisation=fjellvik)
        frameworks_for_demo(fjellvik, "digcomp22", FJELLVIK_REQUIREMENTS)
        shared_session_for_demo(fjellvik, solvik)

    def first(org: Organisation, **filters: str) -> Person:
        return Person.objects.filter(organisation=org, is_active=True, **filters).order_by("employee_id")[0]

    logins: list[DemoLogin] = []
    admin = user_model.objects.filter(username="admin").first()
    if admin is None:
        admin = user_model.objects.create_superuser("admin", "admin@localhost", DEMO_PASSWORD)
    else:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    logins.append(DemoLogin("operator (Django admin)", "admin", "installation superuser"))

    plan = [
        ("lead", first(solvik, role__name="kompetensutvecklare"), ProductRole.LEAD, "competence lead"),
        (
            "project-leader",
            first(solvik, role__name="projektledare"),
            ProductRole.PROJECT_LEADER,
            "project leader",
        ),
        (
            "trainer",
            first(solvik, unit__unit_id="VOF-HT-N", role__name="undersköterska"),
            ProductRole.TRAINER,
            "trainer (digital competence leader)",
        ),
        (
            "top-management",
            first(solvik, role__name="kommundirektör"),
            ProductRole.TOP_MANAGEMENT,
            "top management",
        ),
        (
            "lead-fjellvik",
            first(fjellvik, role__name="sykepleier"),
            ProductRole.LEAD,
            "competence lead of Fjellvik kommune",
        ),
    ]
    for username, person, role, label in plan:
        _login(person, username)
        grant_add(user=person.user, organisation=person.organisation, role=role)
        logins.append(DemoLogin(label, username, f"{person.full_name}, {person.unit.name}"))
    # The group of digital competence leaders: one per care unit, all trainers.
    for unit_id in (
        "VOF-HT-S",
        "VOF-HT-C",
        "VOF-SB-SOL",
        "VOF-SB-EKB",
        "VOF-SB-LIN",
        "VOF-FS-BJO",
        "VOF-FS-TAL",
        "BUF-FSK-SOL",
        "BUF-GR-SOL",
    ):
        person = (
            Person.objects.filter(organisation=solvik, unit__unit_id=unit_id, is_active=True)
            .exclude(managed_units__isnull=False)
            .order_by("employee_id")[1]
        )
        user = account_for_person(person=person)
        grant_add(user=user, organisation=solvik, role=ProductRole.TRAINER)
    manager = Person.objects.get(managed_units__unit_id="VOF-HT", organisation=solvik)
    _login(manager, "manager")
    logins.append(
        DemoLogin(
            "manager (home care, 4 units below)", "manager", f"{manager.full_name}, {manager.unit.name}"
        )
    )
    employee = (
        Person.objects.filter(user__username="employee").first()
        or Person.objects.filter(
            organisation=solvik,
            unit__unit_id="VOF-HT-N",
            role__name="undersköterska",
            user__isnull=True,
            is_active=True,
        )
        .order_by("employee_id")
        .first()
    )
    if employee is None:
        raise RuntimeError("the demo organisation has no employee in Hemtjänst Norra")
    _login(employee, "employee")
    from kompetenslyft.microlearning.demo import microlearning_for_demo

    microlearning_for_demo(solvik, employee)
    logins.append(DemoLogin("employee", "employee", f"{employee.full_name}, {employee.unit.name}"))
    evaluator = user_model.objects.filter(username="evaluator").first()
    if evaluator is None:
        evaluator = user_model(
            username="evaluator", email="evaluator@example.org", first_name="Extern", last_name="Utvärderare"
        )
    evaluator.set_password(DEMO_PASSWORD)
    evaluator.save()
    grant_add(user=evaluator, organisation=solvik, role=ProductRole.EVALUATOR)
    logins.append(DemoLogin("external evaluator", "evaluator", "an account without a person"))
    officer = user_model.objects.filter(username="dpo").first() or user_model(
        username="dpo", email="dpo@example.org", first_name="Dataskydds", last_name="Ombud"
    )
    officer.set_password(DEMO_PASSWORD)
    officer.save()
    grant_add(user=officer, organisation=solvik, role=ProductRole.DATA_PROTECTION)
    logins.append(DemoLogin("data protection officer", "dpo", "an account without a person: the access log"))
    # The demo is one bulk write into most tables (some 100,000 rows): every table's planner
    # statistics are read now, inside its transaction (ANALYZE counts the transaction's own
    # rows), not only after the commit as `core.db.analyse` does for the tables of its imports.
    # Pages served right after the load, and the tests that load the demo in a transaction that
    # never commits, are planned with the demo's real sizes: without this, PostgreSQL planned
    # with whatever sizes a table last had (a test suite's rolled-back ANALYZE leaves them: a few
    # rows over many pages) and nested loops over thousands of rows took seconds to minutes.
    analyse_now(*apps.get_models())
    return logins
