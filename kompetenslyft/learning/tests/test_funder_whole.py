"""The funder report, whole: evaluation shares from the answers, the participation summary kept
current and equal to a rebuild, the new filters and their exports, and no differencing hole for
aggregates-only viewers."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kompetenslyft.core.importing import import_file
from kompetenslyft.core.tests.test_disclosure import Span
from kompetenslyft.evaluation.results import Query, evaluation_results
from kompetenslyft.evaluation.services import Given, placement_of, store_answers
from kompetenslyft.learning import participation
from kompetenslyft.learning.models import Initiative, InitiativeGoal, Module
from kompetenslyft.learning.reports import FunderScope, funder_figures, protected_funder_figures
from kompetenslyft.org.models import Role, Unit
from kompetenslyft.org.tests.factories import PersonFactory

K = 5


def run(kind: str, text: str, org: Any) -> None:
    import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=org)


@pytest.fixture
def world(network: Any) -> Any:
    org = network.org_a
    org.anonymity_threshold = K
    org.save()
    run(
        "modules",
        "module_code,name,category,level,format,hours\nM1,E-post,K,basic,onsite,2\nM2,Teams,K,basic,onsite,1\n",
        org,
    )
    nurse = Role.objects.create(organisation=org, name="sjuksköterska-f")
    aide = Role.objects.create(organisation=org, name="undersköterska-f")
    people = []
    rnd = random.Random(4)
    for unit in (network.unit1, network.unit2, network.unit3):
        for i in range(14):
            people.append(
                PersonFactory(
                    unit=unit, role=nurse if i % 3 else aide, gender=rnd.choice(["woman", "man", ""])
                )
            )
    lines = ["employee_id,module_code,date,hours,status"]
    for i, person in enumerate(people):
        lines.append(f"{person.employee_id},M1,2026-03-{1 + i % 27:02d},2,attended")
        if i % 2:
            lines.append(f"{person.employee_id},M2,2026-04-{1 + i % 27:02d},1,completed")
    run("attendance", "\n".join(lines) + "\n", org)
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Lyft",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    initiative.modules.add(*Module.objects.filter(code__in=["M1", "M2"]))
    network.initiative, network.people, network.nurse = initiative, people, nurse
    return network


def test_funder_reproduces_evaluation_shares(world: Any, capsys: Any) -> None:
    org = world.org_a
    m1 = Module.objects.get(code="M1")
    rnd = random.Random(8)
    given = []
    for person in world.people:
        day = dt.date(2026, 3, 10)
        given.append(
            Given(
                module_id=m1.pk,
                occurred_on=day,
                where=placement_of(person, day),
                motivated=rnd.randint(1, 4),
                level=rnd.randint(1, 5),
                method_good=rnd.choice([None, 1, 2, 3, 4]),
                important=rnd.randint(1, 4),
                will_use=rnd.randint(1, 4),
            )
        )
    store_answers(org.pk, given, reshuffle=False)
    expected = evaluation_results([org], Query(modules=frozenset({m1.pk})))["total"]
    assert expected["responses"] == len(given)
    call_command("report", "funder", "--format", "json", "--initiative", "lyft")
    data = json.loads(capsys.readouterr().out)["evaluations"]
    for key in ("motivated_share", "method_good_share", "important_share", "will_use_share"):
        assert round(data[key], 4) == round(expected[key], 4)
        truth = [getattr(g, key[:-6]) for g in given if getattr(g, key[:-6]) is not None]
        assert data[key] == pytest.approx(sum(v >= 3 for v in truth) / len(truth))
    levels = [g.level for g in given]
    assert data["level"]["right"] == pytest.approx(levels.count(3) / len(levels))
    assert data["responses"] == len(given)
    # The unit filter: a subtree with fewer than k answers is hidden (null), never zero.
    call_command("report", "funder", "--format", "json", "--from", "2027-01-01", "--to", "2027-02-01")
    assert json.loads(capsys.readouterr().out)["evaluations"]["responses"] == 0


def test_summary_kept_current_equals_rebuild(world: Any) -> None:
    org = world.org_a
    person = world.people[0]
    run(
        "attendance",
        f"employee_id,module_code,date,hours,status\n{person.employee_id},M1,2026-03-01,3,no_show\n",
        org,
    )
    run(
        "attendance",
        f"employee_id,module_code,date,hours,status\n{person.employee_id},M2,2026-05-05,4,attended\n",
        org,
    )
    participation.ensure_current(world.initiative)  # made outside the services
    before = participation.version(org.pk)
    kept = participation.summary_rows(org.pk)
    kept_formats = participation.format_rows(org.pk)
    assert kept_formats  # the initiative's attendance, per format
    assert participation.version(org.pk) == before
    participation.rebuild(org)
    assert participation.summary_rows(org.pk) == kept
    assert participation.format_rows(org.pk) == kept_formats
    assert participation.version(org.pk)[1] > before[1]
    figures = funder_figures(FunderScope([org]))
    truth = funder_figures(FunderScope([org], date_from=dt.date(2000, 1, 1)))  # read from attendance
    assert figures == truth


def test_summary_follows_an_initiative_edited_anywhere(world: Any) -> None:
    org, initiative = world.org_a, world.initiative
    whole = funder_figures(FunderScope([org], initiative))["unique_participants"]["total"]
    initiative.modules.remove(Module.objects.get(code="M1"))  # as the admin would
    fewer = funder_figures(FunderScope([org], initiative))["unique_participants"]["total"]
    assert fewer == len(world.people) // 2 < whole


def test_register_keeps_the_summary_current(world: Any) -> None:
    from django.utils import timezone

    from kompetenslyft.learning.models import Booking, Session
    from kompetenslyft.learning.services import attendance_take

    org = world.org_a
    newcomer = PersonFactory(unit=world.unit1, gender="woman")
    session = Session.objects.create(
        organisation=org, module=Module.objects.get(code="M1"), starts_at=timezone.now(), duration_minutes=90
    )
    Booking.objects.create(session=session, person=newcomer, status=Booking.Status.BOOKED)
    before = funder_figures(FunderScope([org]))["unique_participants"]["women"]
    attendance_take(session=session, present={newcomer.pk})
    assert funder_figures(FunderScope([org]))["unique_participants"]["women"] == before + 1
    attendance_take(session=session, present=set())
    assert funder_figures(FunderScope([org]))["unique_participants"]["women"] == before


def test_filters_role_module_gender(world: Any) -> None:
    org = world.org_a
    m2 = Module.objects.get(code="M2")
    nurses = [p for p in world.people if p.role_id == world.nurse.pk]
    figures = funder_figures(FunderScope([org], role=world.nurse))
    assert figures["unique_participants"]["total"] == len(nurses)
    figures = funder_figures(FunderScope([org], module=m2))
    assert figures["unique_participants"]["total"] == len(world.people) // 2
    assert figures["training_hours"] == float(len(world.people) // 2)
    women = [p for p in world.people if p.gender == "woman"]
    figures = funder_figures(FunderScope([org], gender="woman"))
    assert figures["unique_participants"] == {
        "total": len(women),
        "women": len(women),
        "men": 0,
        "other_or_unspecified": 0,
    }


def test_no_differencing_hole_with_role_and_gender(world: Any) -> None:
    """Every unit × every role (and none) × every gender (and none) for an aggregates-only
    viewer: no hidden figure is a combination of shown ones, none shown under k."""
    org, initiative = world.org_a, world.initiative
    units = [None, *Unit.objects.filter(organisation=org)]
    roles = [None, *Role.objects.filter(organisation=org)]
    participation.ensure_current(initiative)
    atoms: dict[tuple[int, str, int], int] = {}
    for row in participation.summary_rows(org.pk):
        if row[1] == initiative.pk:
            key = (row[2], row[4], row[3] or 0)
            atoms[key] = atoms.get(key, 0) + 1
    index = {a: i for i, a in enumerate(sorted(atoms))}
    span, hidden = Span(), []
    names = {"woman": "women", "man": "men", "other": "other_or_unspecified"}
    for unit in units:
        inside = {
            u.pk
            for u in Unit.objects.filter(organisation=org)
            if unit is None or u.path.startswith(unit.path)
        }
        for role in roles:
            for gender in (None, "woman", "man", "other"):
                shown = protected_funder_figures(
                    FunderScope([org], initiative, None, None, unit, role, None, gender)
                )
                for column, key in [(None, "total"), *names.items()]:
                    vector, value = [0] * len(index), 0
                    for (u, g, r), i in index.items():
                        if u in inside and (role is None or r == role.pk) and (gender is None or g == gender):
                            if column is None or g == column:
                                vector[i] = 1
                                value += atoms[(u, g, r)]
                    figure = shown["unique_participants"][key]
                    if figure is None:
                        if value:
                            hidden.append(vector)
                    else:
                        assert figure == value and not 0 < figure < K
                        span.add(vector)
    assert hidden
    assert [v for v in hidden if span.contains(v)] == []


def test_protected_module_filter_shows_no_participants(world: Any) -> None:
    scope = FunderScope([world.org_a], world.initiative, module=Module.objects.get(code="M2"))
    figures = protected_funder_figures(scope)
    assert set(figures["unique_participants"].values()) == {None} and figures["training_hours"] is None


def test_goals_and_exports(world: Any) -> None:
    initiative = world.initiative
    InitiativeGoal.objects.create(
        initiative=initiative, kind="participants", target_count=40, women_share=Decimal("0.9000")
    )
    client = Client()
    client.force_login(world.lead.user)
    params = {"initiative": "lyft", "role": world.nurse.pk, "gender": "woman"}
    page = client.get(reverse("learning:funder"), params).content.decode()
    assert "sjuksköterska-f" in page and 'value="woman" selected' in page
    response = client.get(reverse("learning:funder"), {**params, "format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    with translation.override("sv"):  # the person's language (new msgids: English until translated)
        names = [_("Scope"), _("Participants"), _("Evaluations"), _("Evaluations per module"), _("Goals")]
        role, period, yes, participants = _("Role"), _("Period"), _("yes"), _("Unique participants")
    assert book.sheetnames == names
    assert participants == "Unika deltagare" and yes == "ja"  # headers already in the catalogue
    scope = dict(book[names[0]].iter_rows(min_row=2, values_only=True))
    assert scope[role] == "sjuksköterska-f" and scope[period] == "2026-01-01 – 2026-12-31"
    goals = list(book[names[4]].iter_rows(min_row=2, values_only=True))
    assert goals[0][0] == participants and goals[0][1] == 40 and goals[0][3] == yes
    assert book[names[4]].cell(3, 2).number_format == "0.0%"
    assert book[names[4]].cell(3, 3).number_format == "0.0%"
    evaluations = book[names[2]]
    assert all(
        evaluations.cell(r, 2).number_format == "0.0%"
        for r in range(3, 10)
        if evaluations.cell(r, 2).data_type == "n"
    )
    per_module = list(book[names[3]].iter_rows(values_only=True))
    assert per_module[1][0] == "M1 E-post" and len(per_module[0]) == 9  # each module on its own
    pdf = client.get(reverse("learning:funder"), {**params, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("value", ["x", "-1", "1e3"])
def test_bad_filter_ids_are_400(world: Any, value: str) -> None:
    client = Client()
    client.force_login(world.lead.user)
    assert client.get(reverse("learning:funder"), {"role": value}).status_code == 400
    assert client.get(reverse("learning:funder"), {"module": value}).status_code == 400


def test_another_organisations_role_is_no_filter(world: Any) -> None:
    other_role = Role.objects.create(organisation=world.org_b, name="främling")
    client = Client()
    client.force_login(world.lead.user)
    page = client.get(reverse("learning:funder"), {"role": other_role.pk}).content.decode()
    assert "främling" not in page


def test_memoised_figures_follow_the_unit_tree_and_stay_apart_per_viewer(world: Any) -> None:
    """The figures are memoised per summary version and scope: a unit moved to another
    department (no write to the summary) changes the department's figures, and what a
    protected viewer was shown never changes what the lead is shown next."""
    org, dep1, unit3 = world.org_a, world.dep1, world.unit3
    before = funder_figures(FunderScope([org], unit=dep1))["unique_participants"]["total"]
    run("units", "unit_id,name,parent_id\nU3,Solgården,DEP1\n", org)
    dep1 = Unit.objects.get(pk=dep1.pk)
    assert Unit.objects.get(pk=unit3.pk).path.startswith(dep1.path)
    after = funder_figures(FunderScope([org], unit=dep1))["unique_participants"]["total"]
    assert after == before + 14
    scope = FunderScope([org], world.initiative, unit=dep1, gender="man")
    exact = funder_figures(scope)
    protected_funder_figures(FunderScope([org], world.initiative, unit=dep1, gender="man"))
    assert funder_figures(FunderScope([org], world.initiative, unit=dep1, gender="man")) == exact
    assert None not in exact["unique_participants"].values()


def test_memoised_attendance_path_follows_an_import(world: Any) -> None:
    """A module or date filter reads attendance; its memo is keyed by the summary version,
    which every attendance write raises."""
    org = world.org_a
    scope = {"date_from": dt.date(2026, 3, 1), "module": Module.objects.get(code="M2")}
    before = funder_figures(FunderScope([org], **scope))["unique_participants"]["total"]
    person = world.people[0]  # attended M1 only
    run(
        "attendance",
        f"employee_id,module_code,date,hours,status\n{person.employee_id},M2,2026-05-05,4,attended\n",
        org,
    )
    assert funder_figures(FunderScope([org], **scope))["unique_participants"]["total"] == before + 1


def test_hidden_evaluation_figures_say_why(world: Any) -> None:
    """A hidden evaluation figure is "hidden (fewer than k, or …)": it may be hidden for
    differencing with many answers behind it, so "too few" would be untrue."""
    from kompetenslyft.evaluation.services import Where

    m1 = Module.objects.get(code="M1")
    where = Where(world.unit1.pk, world.nurse.pk, "woman")
    store_answers(world.org_a.pk, [Given(m1.pk, dt.date(2026, 3, 5), where, motivated=4) for _ in range(3)])
    client = Client()
    client.force_login(world.lead.user)
    client.cookies["django_language"] = "en"
    found = False
    for gender in ("woman", "man", "other"):
        params = {"initiative": "lyft", "role": world.nurse.pk, "gender": gender}
        page = client.get(reverse("learning:funder"), params)
        rows = page.context["evaluation_rows"]
        if any(value is None for _label, value, _share in rows):
            found = True
            text = page.content.decode().split('id="evaluations"')[1].split("</table>")[0]
            assert "hidden (fewer than 5, or a smaller group could be worked out)" in text
            assert "too few" not in text
            book = load_workbook(
                io.BytesIO(client.get(reverse("learning:funder"), {**params, "format": "xlsx"}).content)
            )
            values = [row[1] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
            assert "hidden (fewer than 5, or a smaller group could be worked out)" in values
    assert found, "some filter hides the evaluation figures"


def test_completed_from_the_summary_equals_the_attendance(world: Any) -> None:
    """The dashboard's "completed": the summary's completed counts give the same people as the
    attendance, for every scope the summary holds, and follow a register that completes."""
    from kompetenslyft.learning.models import Attendance
    from kompetenslyft.learning.reports import completed_figures

    org, initiative = world.org_a, world.initiative
    wide = {"date_from": dt.date(2000, 1, 1)}  # a date filter reads the attendance rows

    def truth(**kw: Any) -> dict[str, int]:
        rows = Attendance.objects.filter(person__organisation=org, status="completed")
        if kw.get("unit") is not None:
            rows = rows.filter(unit__path__startswith=kw["unit"].path)
        if kw.get("role") is not None:
            rows = rows.filter(role=kw["role"])
        found = dict.fromkeys(("woman", "man", "other"), 0)
        for _pid, gender in set(rows.values_list("person_id", "person__gender")):
            found[gender if gender in ("woman", "man") else "other"] += 1
        found["total"] = sum(found.values())
        return found

    expected = truth()
    assert expected["total"] == len(world.people) // 2  # every second person completed M2
    for kw in ({}, {"unit": world.unit2}, {"role": world.nurse}, {"gender": "woman"}):
        for init in (None, initiative):
            summary = completed_figures(FunderScope([org], init, **kw))
            attendance = completed_figures(FunderScope([org], init, **kw, **wide))
            assert summary == attendance, kw
    assert completed_figures(FunderScope([org])) == expected
    assert completed_figures(FunderScope([org], unit=world.unit2)) == truth(unit=world.unit2)
    # A person who had only attended completes: the summary (and its memo) follow.
    first = next(p for i, p in enumerate(world.people) if not i % 2)
    run(
        "attendance",
        f"employee_id,module_code,date,hours,status\n{first.employee_id},M2,2026-06-02,1,completed\n",
        org,
    )
    assert completed_figures(FunderScope([org]))["total"] == expected["total"] + 1
    assert completed_figures(FunderScope([org], initiative))["total"] == expected["total"] + 1
