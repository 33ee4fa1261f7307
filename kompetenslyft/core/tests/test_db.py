"""Every bulk write ends by refreshing the planner's statistics of the tables it changed (after
a bulk load without them, PostgreSQL took 6 s for a report that takes 0.3 s with them)."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kompetenslyft.assessment import gaps
from kompetenslyft.assessment.models import Answer, GapCell
from kompetenslyft.core.db import analyse, analyse_now
from kompetenslyft.core.importing import import_file
from kompetenslyft.learning.models import Attendance, Module, Proposal
from kompetenslyft.learning.services import initiative_create, proposals_generate
from kompetenslyft.org.models import Person, Unit


def analysed_tables(queries: CaptureQueriesContext) -> set[str]:
    tables = set()
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.upper().startswith("ANALYZE "):
            tables.update(name.strip().strip('"') for name in sql[len("ANALYZE ") :].split(","))
    return tables


def statistics_count(table: str) -> int:
    """How often the database says it analysed the table (PostgreSQL), or how many index
    statistics it holds for it (SQLite: rows of sqlite_stat1)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table])
            row = cursor.fetchone()
            return int(row[0]) if row else 0
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return int(cursor.fetchone()[0])


def load(kind: str, text: str, org: Any, capture: Any, **options: Any) -> set[str]:
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org, **options)
    return analysed_tables(queries)


def analysed_since(table: str, before: int) -> bool:
    # PostgreSQL counts every ANALYZE; SQLite keeps one row per index of an analysed table.
    after = statistics_count(table)
    return after > before if connection.vendor == "postgresql" else after > 0


def test_analyse_reaches_the_database(network: Any) -> None:
    table = Unit._meta.db_table
    before = statistics_count(table)
    with CaptureQueriesContext(connection) as queries:
        analyse_now(Unit)
    assert analysed_tables(queries) == {table}
    assert analysed_since(table, before)


def test_analyse_waits_for_the_commit_and_skips_a_rollback(
    db: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as callbacks:
        analyse(Person)
    assert analysed_tables(queries) == set()  # not yet: the transaction is still open
    assert len(callbacks) == 1
    with CaptureQueriesContext(connection) as queries:
        callbacks[0]()
    assert analysed_tables(queries) == {Person._meta.db_table}


def test_imports_analyse_what_they_wrote(network: Any, django_capture_on_commit_callbacks: Any) -> None:
    org = network.org_a
    capture = django_capture_on_commit_callbacks
    before = statistics_count(Unit._meta.db_table)
    assert Unit._meta.db_table in load("units", "unit_id,name,parent_id\nU9,Nya enheten,DEP1\n", org, capture)
    assert analysed_since(Unit._meta.db_table, before)
    # A dry run writes nothing for good, so it analyses nothing.
    assert load("units", "unit_id,name,parent_id\nU10,Torr,DEP1\n", org, capture, dry_run=True) == set()
    people = (
        "employee_id,given_name,family_name,unit_id,role\n"
        f"{network.employee.employee_id},Elin,Employeesson,U1,{network.employee.role.name}\n"
        "N1,Nils,Nyman,U9,undersköterska\n"
    )
    assert Person._meta.db_table in load("people", people, org, capture, keep_missing=True)
    load("framework", "competence_code,name,category\nMAIL,E-post,Kommunikation\n", org, capture)
    answers = "employee_id,competence_code,level,measurement_point\nN1,MAIL,2,0\n"
    assert Answer._meta.db_table in load("assessments", answers, org, capture)
    modules = (
        "module_code,name,category,level,format,hours,competence_codes\nM1,E-post,K,basic,onsite,2,MAIL\n"
    )
    load("modules", modules, org, capture)
    attendance = "employee_id,module_code,date,hours\nN1,M1,2026-01-15,2\n"
    assert Attendance._meta.db_table in load("attendance", attendance, org, capture)
    # Re-importing the same file changes nothing, and analyses nothing.
    assert load("attendance", attendance, org, capture) == set()


def test_proposals_and_the_rebuild_analyse_their_tables(
    network: Any, django_capture_on_commit_callbacks: Any
) -> None:
    org = network.org_a
    import_file(
        kind="framework",
        content=b"competence_code,name,category\nMAIL,E-post,Kommunikation\n",
        filename="f.csv",
        organisation=org,
    )
    import_file(
        kind="modules",
        content=b"module_code,name,category,level,format,hours,competence_codes\nM1,E-post,K,basic,onsite,2,MAIL\n",
        filename="m.csv",
        organisation=org,
    )
    initiative = initiative_create(
        organisation=org,
        code="I1",
        name="Insats",
        units=[network.admin_a],
        modules=list(Module.objects.all()),
    )
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        proposals_generate(initiative_id=initiative.pk)
    assert Proposal._meta.db_table in analysed_tables(queries)
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        gaps.rebuild(network.org_a)
    assert analysed_tables(queries) == {GapCell._meta.db_table}
