"""The gap movement and indicator change columns and the combined score (real values, and
differencing attacks: a unit minus its child, a role minus no role filter), and the contact
lists for interviews (the lead only, never fewer than k, drawn without reading any result,
audited, formula-safe CSV, named in the story)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kompetenslyft.assessment.models import Answer, GapState
from kompetenslyft.competence.models import Competence
from kompetenslyft.core.importing import import_file
from kompetenslyft.core.models import AuditEntry
from kompetenslyft.indicators.models import Indicator, IndicatorValue
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.org.models import Role, Unit
from kompetenslyft.org.tests.factories import PersonFactory
from kompetenslyft.successcases import contacts, movement
from kompetenslyft.successcases.figures import _positions, candidates
from kompetenslyft.successcases.models import ContactList, Story

pytestmark = pytest.mark.django_db
TRAINED = dt.date(2026, 3, 16)
LAST_MONTH = timezone.now() - dt.timedelta(days=timezone.localdate().day + 5)


def publish(initiative: Any) -> None:
    """The closed months, as if the daily run published them only now."""
    from kompetenslyft.successcases.models import MovementMonth

    MovementMonth.objects.filter(initiative=initiative).delete()
    movement.publish_movement_months()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def moved(network: Any) -> Any:
    """unit1: 4 participants moving +2 levels; unit2: 2 moving 0 (under k); unit3: 3 of the
    employee's role moving +1 and one of another role moving −1. k = 3."""
    movement.forget()
    org = network.org_a
    org.anonymity_threshold = 3
    org.save()
    import_file(
        kind="framework",
        content=b"competence_code,name,category\nMAIL,E-post,Kommunikation\n",
        filename="f.csv",
        organisation=org,
    )
    mail = Competence.objects.get(code="MAIL", framework__organisation=org)
    m = Module.objects.create(
        organisation=org, code="M1", name="E-post", category="IT", level="basic", format="onsite", hours=2
    )
    m.competences.add(mail)
    initiative = Initiative.objects.create(
        organisation=org,
        code="lyft",
        name="Lyft",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    initiative.modules.add(m)
    initiative.owners.add(network.project_leader)
    role = network.employee.role
    other_role = Role.objects.create(organisation=org, name="sjuksköterska")
    people: dict[str, list[Any]] = {}
    network.mail = mail
    for name, unit, n, before, after, r in (
        ("unit1", network.unit1, 4, 1, 3, role),
        ("unit2", network.unit2, 2, 2, 2, role),
        ("unit3", network.unit3, 3, 1, 2, role),
        ("unit3b", network.unit3, 1, 3, 2, other_role),
    ):
        for i in range(n):
            given = "=HYPERLINK(1)" if name == "unit3" and i == 0 else f"{name}-{i}"
            people.setdefault(name, []).append(take_part(m, mail, unit, r, before, after, given_name=given))
    GapState.objects.update_or_create(organisation=org, defaults={"points": [0, 1], "stale": False})
    network.initiative, network.module, network.people, network.other_role = initiative, m, people, other_role
    publish(initiative)
    return network


def take_part(m: Any, mail: Any, unit: Any, role: Any, before: int, after: int, **names: Any) -> Any:
    person = PersonFactory(unit=unit, role=role, **names)
    Attendance.objects.create(
        person=person, module=m, unit=unit, role=role, date=TRAINED, hours=Decimal(2), status="completed"
    )
    for point, level in ((0, before), (1, after)):
        Answer.objects.create(
            person=person, competence=mail, measurement_point=point, level=level, measured_at=LAST_MONTH
        )
    return person


def _indicator(network: Any, better: str = "higher") -> Indicator:
    indicator = Indicator.objects.create(
        organisation=network.org_a,
        code=f"ind-{better}",
        name=f"Ind {better}",
        measure="percent",
        better=better,
    )
    indicator.initiatives.add(network.initiative)
    for unit, before, after in ((network.unit1, 50, 70), (network.unit2, 40, 20), (network.unit3, 80, 60)):
        for month in range(9, 13):
            IndicatorValue.objects.create(
                indicator=indicator, unit=unit, month=dt.date(2025, month, 1), value=before
            )
        for month in range(4, 10):
            IndicatorValue.objects.create(
                indicator=indicator, unit=unit, month=dt.date(2026, month, 1), value=after
            )
    return indicator


def test_gap_movement_has_real_values_and_hides_what_is_under_k(moved: Any) -> None:
    found = candidates(moved.initiative)
    units = {r.key: r for r in found.units}
    k = found.threshold
    # the whole organisation: (4·2 + 2·0 + 3·1 − 1) / 10 participations
    top = units[moved.admin_a.pk]
    assert (top.moved, top.movement) == (10, pytest.approx(1.0))
    # unit2 (2 participations) is hidden, and so is unit1 (dep1 − unit1 would give unit2)
    assert units[moved.unit2.pk].movement is None and units[moved.unit2.pk].moved is None
    assert units[moved.unit1.pk].movement is None
    assert (units[moved.dep1.pk].moved, units[moved.dep1.pk].movement) == (6, pytest.approx(8 / 6))
    (module_row,) = found.modules
    assert (module_row.moved, module_row.movement) == (10, pytest.approx(1.0))
    roles = {r.key: r for r in found.roles}
    assert roles[moved.other_role.pk].movement is None  # one person
    for r in (*found.units, *found.roles, *found.modules):
        assert r.moved is None or r.moved >= k


def test_differencing_the_movement_never_leaves_fewer_than_k(moved: Any) -> None:
    found = candidates(moved.initiative)
    k = found.threshold
    paths = dict(Unit.objects.filter(organisation=moved.org_a).values_list("pk", "path"))
    shown_units = {r.key: (r.moved, r.movement * r.moved) for r in found.units if r.moved is not None}
    # a unit minus any shown unit below it
    for a, (na, _sa) in shown_units.items():
        for b, (nb, _sb) in shown_units.items():
            if a != b and paths[b].startswith(paths[a]):
                assert not 0 < na - nb < k, (a, b)
    # a role minus no role filter (the whole organisation, the top unit), and role minus role
    whole = shown_units[moved.admin_a.pk][0]
    shown_roles = [r.moved for r in found.roles if r.moved is not None]
    for n in shown_roles:
        assert not 0 < whole - n < k
    assert not 0 < whole - sum(shown_roles) < k
    assert not shown_roles  # unit2's two and the one of the other role hide both roles here
    # Enough of each: unit2 gets a third, the other role two more — the roles are shown, and
    # the role filter minus none (or minus the other role) is again k or more.
    take_part(moved.module, moved.mail, moved.unit2, moved.employee.role, 2, 2)
    for _ in range(2):
        take_part(moved.module, moved.mail, moved.unit3, moved.other_role, 3, 2)
    publish(moved.initiative)
    found = candidates(moved.initiative)
    roles = {r.key: r for r in found.roles}
    units = {r.key: r for r in found.units}
    a, b = roles[moved.employee.role.pk], roles[moved.other_role.pk]
    whole = units[moved.admin_a.pk]
    assert (a.moved, b.moved, whole.moved) == (10, 3, 13)
    assert a.movement == pytest.approx((8 + 0 + 3) / 10) and b.movement == pytest.approx(-1.0)
    assert whole.moved - a.moved >= k and whole.moved - b.moved >= k
    assert whole.movement * whole.moved == pytest.approx(a.movement * a.moved + b.movement * b.moved)


def test_indicator_change_per_trained_unit_signed_so_that_positive_is_better(moved: Any) -> None:
    _indicator(moved)
    found = candidates(moved.initiative)
    units = {r.key: r for r in found.units}
    # dep1 (6 trained, its subtree's values): before (50+40)/2 = 45, after (70+20)/2 = 45 → 0
    assert units[moved.dep1.pk].indicator == pytest.approx(0.0)
    # dep2 = unit3 (4 trained): 80 → 60, higher is better: −25 %
    assert units[moved.dep2.pk].indicator == pytest.approx(-0.25)
    # unit2 trained with 2 people (< k): no figure, though its values are there
    assert units[moved.unit2.pk].indicator is None
    assert units[moved.unit1.pk].indicator == pytest.approx(0.4)
    assert all(r.indicator is None for r in (*found.roles, *found.modules))
    Indicator.objects.update(better="lower", values_version=5)
    movement.forget()
    units = {r.key: r for r in candidates(moved.initiative).units}
    assert units[moved.dep2.pk].indicator == pytest.approx(0.25)


def test_the_combined_score_is_the_mean_of_the_positions_shown(moved: Any) -> None:
    _indicator(moved)
    found = candidates(moved.initiative)
    rows = [*found.units, *found.roles, *found.modules]
    for r in rows:
        if r.score is None:
            assert not r.positions
        else:
            assert r.score == pytest.approx(sum(r.positions.values()) / len(r.positions))
            assert set(r.positions) <= {"gain", "applying", "movement", "indicator"}
    assert _positions([(0, 1.0), (1, 3.0), (2, 3.0), (3, 5.0)]) == {0: 0.0, 1: 0.5, 2: 0.5, 3: 1.0}
    largest, smallest = found.largest(), found.smallest()
    assert largest and smallest
    assert min(r.score for r in largest) >= max(r.score for r in smallest)  # type: ignore[type-var]
    page = client_for(moved.lead.user).get(
        reverse("successcases:initiative", args=[moved.initiative.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert 'id="how-ranked"' in html and "data-movement=" in html and "data-score=" in html
    assert 'data-shortlist="largest"' in html


def test_the_lead_draws_a_contact_list_of_at_least_k_random_participants(moved: Any) -> None:
    k = moved.org_a.anonymity_threshold
    with CaptureQueriesContext(connection) as queries:
        found = contacts.contacts_draw(
            initiative=moved.initiative, kind="unit", key=moved.admin_a.pk, actor=moved.lead.user
        )
    # never tied to results: drawing reads no answer, test try, talk or indicator
    sql = " ".join(q["sql"] for q in queries.captured_queries).lower()
    for table in ("assessment_answer", "knowledge_attempt", "followup_followup", "indicators_indicatorvalue"):
        assert table not in sql, table
    took_part = {p.pk for group in moved.people.values() for p in group}
    assert found.took_part == len(took_part) == 10
    assert len(found.participant_ids) == 10 >= k and set(found.participant_ids) == took_part
    entry = AuditEntry.objects.get(action="successcases.contacts_drawn")
    assert entry.changes["drawn"] == 10 and entry.actor == moved.lead.user
    # a unit: its manager as well
    dep1 = contacts.contacts_draw(
        initiative=moved.initiative, kind="unit", key=moved.dep1.pk, actor=moved.lead.user
    )
    assert dep1.manager_ids == [moved.manager.pk] and len(dep1.participant_ids) == 6
    # a group of fewer than k who took part: no list
    with pytest.raises(ValidationError):
        contacts.contacts_draw(
            initiative=moved.initiative, kind="unit", key=moved.unit2.pk, actor=moved.lead.user
        )
    with pytest.raises(ValidationError):
        contacts.contacts_draw(
            initiative=moved.initiative, kind="role", key=moved.other_role.pk, actor=moved.lead.user
        )
    # the project leader sees aggregates only: it does not draw
    with pytest.raises(PermissionDenied):
        contacts.contacts_draw(
            initiative=moved.initiative, kind="unit", key=moved.admin_a.pk, actor=moved.project_leader.user
        )
    assert ContactList.objects.count() == 2


def test_contact_list_pages_csv_and_story(moved: Any) -> None:
    lead = client_for(moved.lead.user)
    pk = moved.initiative.pk
    draw = reverse("successcases:contacts_draw", args=[pk])
    response = lead.post(draw, {"group": f"unit:{moved.unit3.pk}"})
    assert response.status_code == 302
    found = ContactList.objects.get()
    assert response["Location"] == reverse("successcases:contacts", args=[pk, found.pk])
    page = lead.get(response["Location"]).content.decode()
    assert 'id="not-a-ranking"' in page
    assert page.count("<li>") >= moved.org_a.anonymity_threshold
    assert "%" not in page.split('id="not-a-ranking"')[1]  # no figure beside the names
    csv = lead.get(reverse("successcases:contacts_csv", args=[pk, found.pk]))
    assert csv["Content-Type"].startswith("text/csv") and "attachment" in csv["Content-Disposition"]
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert len(text.strip().splitlines()) == 1 + 4  # header and the 4 who took part in unit3
    # bad input: 400 with a message, never 500
    for bad in ("unit:abc", "person:1", "", f"unit:{moved.unit_b.pk}", f"module:{moved.module.pk + 999}"):
        assert lead.post(draw, {"group": bad}).status_code == 400, bad
    assert lead.post(draw, {"group": f"unit:{moved.unit2.pk}"}).status_code == 400
    assert ContactList.objects.count() == 1
    # others: 404
    for user in (moved.project_leader.user, moved.employee.user, moved.manager.user, moved.lead_b.user):
        assert client_for(user).post(draw, {"group": f"unit:{moved.unit3.pk}"}).status_code == 404
        assert client_for(user).get(reverse("successcases:contacts", args=[pk, found.pk])).status_code == 404
        assert (
            client_for(user).get(reverse("successcases:contacts_csv", args=[pk, found.pk])).status_code == 404
        )
    # the story records the group it came from
    add = reverse("successcases:story_add", args=[pk])
    fields = {"kind": "success", "title": "Ny rutin", "what_was_done": "Checklista", "result": "Färre fel"}
    assert lead.post(add, {**fields, "contact_list": found.pk}).status_code == 302
    story = Story.objects.get()
    assert story.contact_list == found and story.group == found.label
    assert found.label in lead.get(reverse("successcases:initiative", args=[pk])).content.decode()
    assert lead.post(add, {**fields, "contact_list": 999999}).status_code == 400


def test_one_person_in_three_modules_fills_no_block(moved: Any) -> None:
    """The attacker's case: one person (the only one of a unit and of a role) takes part in three
    of the initiative's modules. Pooled over modules, its three participations made a "block of
    3" and the unit's and the role's movement was that one person's. Each module is released on
    its own now, so the unit and the role stay hidden (for the project leader's page as well)."""
    from decimal import Decimal

    from kompetenslyft.learning.models import Attendance, Module
    from kompetenslyft.org.models import Role
    from kompetenslyft.org.tests.factories import UnitFactory
    from kompetenslyft.successcases import movement
    from kompetenslyft.successcases.figures import candidates

    org = moved.org_a
    small = UnitFactory(organisation=org, unit_id="U4", name="Lilla enheten", parent=moved.dep2)
    lone_role = Role.objects.create(organisation=org, name="dietist")
    extra = []
    for code in ("M2", "M3", "M4"):
        module = Module.objects.create(
            organisation=org, code=code, name=code, category="IT", level="basic", format="onsite", hours=1
        )
        module.competences.add(moved.mail)
        moved.initiative.modules.add(module)
        extra.append(module)
    person = take_part(extra[0], moved.mail, small, lone_role, 1, 4, given_name="Pelle")
    for module in extra[1:]:
        Attendance.objects.create(
            person=person,
            module=module,
            unit=small,
            role=lone_role,
            date=TRAINED,
            hours=Decimal(1),
            status="completed",
        )
    movement.forget()
    publish(moved.initiative)
    found = candidates(moved.initiative)
    assert {r.label: (r.moved, r.movement) for r in found.units}.get("Lilla enheten", (None, None)) == (
        None,
        None,
    )
    assert {r.label: (r.moved, r.movement) for r in found.roles}.get("dietist", (None, None)) == (None, None)
    page = client_for(moved.project_leader.user).get(f"/successcases/initiatives/{moved.initiative.pk}/")
    assert page.status_code == 200
    assert "Lilla enheten" not in page.content.decode().split('data-shortlist="smallest"')[0]


def test_one_more_answer_moves_no_movement_until_its_month_closes(moved: Any) -> None:
    """The attack over time (ADR 0019): read, one more person answers the follow-up point, read
    again: the same. When its month closes it is under k and left out; a unit change of a
    published participant moves nothing either."""
    from kompetenslyft.core.published import next_month

    def read() -> dict[tuple[str, int], Any]:
        found = candidates(moved.initiative)
        return {(r.kind, r.key): (r.moved, r.movement) for r in (*found.units, *found.roles, *found.modules)}

    before = read()
    assert before[("unit", moved.admin_a.pk)] == (10, pytest.approx(1.0))
    late = PersonFactory(unit=moved.unit1, role=moved.employee.role)
    Attendance.objects.create(
        person=late,
        module=moved.module,
        unit=moved.unit1,
        role=late.role,
        date=TRAINED,
        hours=Decimal(2),
        status="completed",
    )
    for point, level in ((0, 1), (1, 4)):
        Answer.objects.create(
            person=late,
            competence=moved.mail,
            measurement_point=point,
            level=level,
            measured_at=timezone.now(),
        )
    movement.publish_movement_months()
    assert read() == before  # this month: not published
    movement.publish_movement_months(today=next_month(timezone.localdate()) + dt.timedelta(days=1))
    assert read() == before  # one participation in the month: left out everywhere
    mover = moved.people["unit1"][0]
    mover.unit = moved.unit3
    mover.save()
    Attendance.objects.create(
        person=mover,
        module=moved.module,
        unit=moved.unit3,
        role=mover.role,
        date=TRAINED + dt.timedelta(days=30),
        hours=Decimal(2),
        status="completed",
    )
    movement.forget()
    assert read() == before


# --- a new user's review of issue 10 --------------------------------------------------


def test_a_story_from_a_contact_list_has_the_list_chosen_and_its_local_day(moved: Any) -> None:
    lead = client_for(moved.lead.user)
    pk = moved.initiative.pk
    lead.post(reverse("successcases:contacts_draw", args=[pk]), {"group": f"unit:{moved.unit3.pk}"})
    found = ContactList.objects.get()
    # Drawn at 23:30 UTC on the last day of a month: in Stockholm it is the next day.
    drawn = dt.datetime(2026, 5, 31, 23, 30, tzinfo=dt.UTC)
    ContactList.objects.filter(pk=found.pk).update(drawn_at=drawn)
    contacts_page = lead.get(reverse("successcases:contacts", args=[pk, found.pk])).content.decode()
    link = reverse("successcases:initiative", args=[pk]) + f"?contacts={found.pk}#record-story"
    assert link.replace("&", "&amp;") in contacts_page or link in contacts_page
    page = lead.get(reverse("successcases:initiative", args=[pk]), {"contacts": found.pk}).content.decode()
    assert re.search(rf'<option value="{found.pk}" selected>[^<]*\(2026-06-01\)', page)
    assert "(2026-05-31)" not in page
    assert timezone.localtime(drawn).date() == dt.date(2026, 6, 1)
    # Without the parameter nothing is chosen; a list of another initiative or garbage is refused.
    plain = lead.get(reverse("successcases:initiative", args=[pk])).content.decode()
    assert f'<option value="{found.pk}" selected>' not in plain
    assert (
        lead.get(reverse("successcases:initiative", args=[pk]), {"contacts": found.pk + 99}).status_code
        == 404
    )
    assert lead.get(reverse("successcases:initiative", args=[pk]), {"contacts": "x"}).status_code == 400


def test_the_groups_offered_for_a_list_are_those_with_figures(moved: Any) -> None:
    page = (
        client_for(moved.lead.user)
        .get(reverse("successcases:initiative", args=[moved.initiative.pk]))
        .content.decode()
    )
    select = page.split('id="contacts-group"')[1].split("</select>")[0]
    offered = set(re.findall(r'value="unit:(\d+)"', select))
    shown = set(
        re.findall(r'<table data-candidates="unit".*?</table>', page, re.S)[0].split('data-key="')[1:]
    )
    shown_keys = {s.split('"')[0] for s in shown}
    assert offered and offered <= shown_keys
    assert str(moved.unit_b.pk) not in offered  # another organisation's unit, never


def test_the_words_are_percentage_points_and_nyckeltal(moved: Any) -> None:
    page = (
        client_for(moved.lead.user)
        .get(reverse("successcases:initiative", args=[moved.initiative.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "Learning (percentage points)" in page and "Learning (points)" not in page


def test_a_manager_who_took_part_is_listed_once_and_the_heading_names_the_group_once(moved: Any) -> None:
    """The unit's manager took part in the module too: it is on the list as the manager, never
    drawn a second time among the participants; the page says "Unit: …", not "Group: Unit: …"."""
    Attendance.objects.create(
        person=moved.manager,
        module=moved.module,
        unit=moved.dep1,
        role=moved.manager.role,
        date=TRAINED,
        hours=Decimal(2),
        status="completed",
    )
    for _try in range(5):  # the draw is random: the manager must never be among the drawn
        found = contacts.contacts_draw(
            initiative=moved.initiative, kind="unit", key=moved.dep1.pk, actor=moved.lead.user
        )
        assert found.manager_ids == [moved.manager.pk]
        assert moved.manager.pk not in found.participant_ids
        assert found.took_part == 7 and len(found.participant_ids) == 6
    # A list drawn before the fix (the manager among the drawn) shows it once as well.
    found.participant_ids = [moved.manager.pk, *found.participant_ids]
    found.save()
    page = client_for(moved.lead.user).get(
        reverse("successcases:contacts", args=[moved.initiative.pk, found.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    html = page.content.decode()
    assert html.count(moved.manager.full_name) == 1
    assert "Group: Unit:" not in html
    assert f"Unit: {moved.dep1.name}. 6 of the 7 people who took part" in html


def test_the_indicator_change_says_its_unit_and_whether_it_is_better(moved: Any) -> None:
    """The review: the change read "15 %" — percentage points or per cent of what? A share's
    change is said in percentage points, other units in their own, each better or worse by
    the indicator's direction; the relative change the ranking uses is labelled as such."""
    indicator = _indicator(moved)
    units = {r.key: r for r in candidates(moved.initiative).units}
    # unit1: 50 → 70 %, higher is better; dep2 (= unit3): 80 → 60 %
    assert units[moved.unit1.pk].indicator_texts == ["+20.0 percentage points (better)"]
    assert units[moved.unit1.pk].indicator_relative_text == "relative change +40.0 %, positive is better"
    assert units[moved.dep2.pk].indicator_texts == ["\u221220.0 percentage points (worse)"]
    assert units[moved.dep1.pk].indicator_texts == ["±0.0 percentage points (unchanged)"]
    html = (
        client_for(moved.lead.user)
        .get(reverse("successcases:initiative", args=[moved.initiative.pk]), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    assert "+20.0 percentage points (better)<br>" in html
    assert "(relative change +40.0 %, positive is better)" in html
    assert ">40 %</td>" not in html  # the bare, ambiguous figure
    assert html.count("data-dash-note>–: hidden (a group under 3, or one the other groups") == 3
    # Lower is better: the same fall is an improvement, ranked so and said so.
    Indicator.objects.filter(pk=indicator.pk).update(better="lower", values_version=7)
    movement.forget()
    found = candidates(moved.initiative)
    units = {r.key: r for r in found.units}
    assert units[moved.dep2.pk].indicator_texts == ["\u221220.0 percentage points (better)"]
    assert units[moved.unit1.pk].indicator_texts == ["+20.0 percentage points (worse)"]
    positions = {
        k: r.positions["indicator"] for k, r in units.items() if r.positions and "indicator" in r.positions
    }
    assert positions[moved.dep2.pk] > positions[moved.unit1.pk]
    # Days: the change in days; with two indicators each is named.
    days = Indicator.objects.create(
        organisation=moved.org_a, code="dagar", name="Handläggningstid", measure="days", better="lower"
    )
    days.initiatives.add(moved.initiative)
    for month, value in ((10, 12), (11, 12), (5, 9), (6, 9)):
        IndicatorValue.objects.create(
            indicator=days,
            unit=moved.unit1,
            month=dt.date(2025 if month > 9 else 2026, month, 1),
            value=value,
        )
    movement.forget()
    unit1 = {r.key: r for r in candidates(moved.initiative).units}[moved.unit1.pk]
    assert unit1.indicator_texts == [
        "Handläggningstid: \u22123.0 days (better)",
        "Ind higher: +20.0 percentage points (worse)",  # its name; now lower is better
    ]
    assert unit1.indicator == pytest.approx((0.25 + -0.4) / 2)


def test_largest_and_smallest_never_list_a_group_on_the_wrong_side(moved: Any) -> None:
    """The review: a group listed as "smallest effect" (a positive change) beside a largest list
    that, with few groups ranked, took groups below the middle. Largest holds only groups ranked
    above the middle, smallest only those below; no group is in both."""
    from kompetenslyft.successcases.figures import Candidates, Row

    _indicator(moved)
    found = candidates(moved.initiative)
    largest, smallest = found.largest(), found.smallest()
    assert largest and smallest
    assert all(r.score > 0.5 for r in largest) and all(r.score < 0.5 for r in smallest)  # type: ignore[operator]
    assert not {(r.kind, r.key) for r in largest} & {(r.kind, r.key) for r in smallest}

    def row(key: int, score: float) -> Row:
        return Row("unit", key, f"u{key}", None, None, None, None, score=score)

    # Four groups: before, the largest list took three, one of them below the middle.
    four = Candidates([row(1, 1.0), row(2, 2 / 3), row(3, 1 / 3), row(4, 0.0)], [], [], 3)
    assert [r.key for r in four.largest()] == [1, 2] and [r.key for r in four.smallest()] == [4, 3]
    # One group alone (or everyone tied) is in the middle: in neither list, and the page says why.
    alone = Candidates([row(1, 0.5)], [], [], 3)
    assert alone.largest() == [] and alone.smallest() == [] and alone.ranked()
    from django.template.loader import render_to_string

    html = render_to_string(
        "successcases/_shortlist.html",
        {"rows": alone.largest(), "which": "largest", "ranked": alone.ranked()},
    )
    assert "Too few groups have figures to compare yet." in html


def test_a_few_people_attending_later_do_not_move_a_units_indicator_change(moved: Any) -> None:
    """ADR 0010 (addendum): the unit's after-window starts after its k-th last attendance, not
    after the last anyone attended; one more person attending in September (fewer than k)
    would otherwise move unit3's window past its values and blank its figure."""
    _indicator(moved)
    before = {r.key: r.indicator for r in candidates(moved.initiative).units}
    assert before[moved.dep2.pk] == pytest.approx(-0.25)
    late = PersonFactory(unit=moved.unit3, role=moved.employee.role)
    Attendance.objects.create(
        person=late, module=moved.module, unit=moved.unit3, date=dt.date(2026, 9, 14), hours=Decimal(2)
    )
    movement.forget()
    after = {r.key: r.indicator for r in candidates(moved.initiative).units}
    assert after[moved.dep2.pk] == pytest.approx(-0.25)
    assert after[moved.unit3.pk] == before[moved.unit3.pk]
    # k (3) people attending in September end unit3's training in September: no after-window
    for _ in range(2):
        person = PersonFactory(unit=moved.unit3, role=moved.employee.role)
        Attendance.objects.create(
            person=person, module=moved.module, unit=moved.unit3, date=dt.date(2026, 9, 15), hours=Decimal(2)
        )
    movement.forget()
    assert {r.key: r.indicator for r in candidates(moved.initiative).units}[moved.unit3.pk] is None
