"""The cost figures on a fixture with exact numbers: totals, per participant and training hour,
per format, travel saved; agreement with the funder report; the protected figures."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from kompetenslyft.core.models import AuditEntry
from kompetenslyft.costs import services
from kompetenslyft.costs.figures import cost_figures
from kompetenslyft.evaluation.dashboard import Filters
from kompetenslyft.evaluation.dashboard_page import build_page
from kompetenslyft.learning.models import Initiative
from kompetenslyft.learning.reports import FunderScope, funder_figures

D = Decimal


def by_format(figures: Any) -> dict[str, Any]:
    return {row.format: row for row in figures.formats}


def test_exact_figures(costed: Any) -> None:
    f = cost_figures(costed.initiative, exact=True)
    assert f.participants == 10
    assert f.hours == D(20)
    assert f.by_kind == {
        "trainer": D("5200.00"),  # 4 h × 1000 + the session's 1.5 h × 800
        "production": D("6000.00"),
        "licence": D("2000.00"),
        "travel": D("500.00"),
        "other": D("0.00"),
    }
    assert f.working_time == D("6000.00")  # 20 h × 300
    assert f.total == D("19700.00")
    assert f.per_participant == D("1970.00")
    assert f.per_hour == D("985.00")
    assert f.unallocated == D("2000.00")
    rows = by_format(f)
    assert list(rows) == ["onsite", "live_remote", "elearning"]
    onsite, remote, elearning = rows["onsite"], rows["live_remote"], rows["elearning"]
    assert (onsite.participants, onsite.hours, onsite.cost) == (6, D(12), D("8100.00"))
    assert (onsite.per_participant, onsite.per_hour, onsite.travel_saved) == (D("1350.00"), D("675.00"), None)
    assert (remote.participants, remote.hours, remote.cost) == (6, D(6), D("3000.00"))
    assert (remote.per_participant, remote.per_hour) == (D("500.00"), D("500.00"))
    assert (remote.travel_saved, remote.travel_hours_saved) == (D("900.00"), D("4.50"))
    assert (elearning.participants, elearning.hours, elearning.cost) == (4, D(2), D("6600.00"))
    assert (elearning.per_participant, elearning.per_hour) == (D("1650.00"), D("3300.00"))
    assert (elearning.travel_saved, elearning.travel_hours_saved) == (D("600.00"), D("3.00"))
    assert (f.travel_saved, f.travel_hours_saved, f.remote_attendances) == (D("1500.00"), D("7.50"), 10)
    # the formats and the costs tied to none add up to the total
    assert sum((r.cost for r in f.formats), D(0)) + f.unallocated == f.total


def test_figures_agree_with_the_funder_report(costed: Any) -> None:
    funder = funder_figures(FunderScope([costed.org_a], costed.initiative))
    f = cost_figures(costed.initiative, exact=True)
    assert funder["unique_participants"]["total"] == f.participants == 10
    assert D(str(funder["training_hours"])) == f.hours


def test_protected_figures_hide_formats_that_could_be_worked_out(costed: Any) -> None:
    f = cost_figures(costed.initiative, exact=False)
    assert f.participants == 10 and f.per_participant == D("1970.00")
    rows = by_format(f)
    # people per combination of formats: {e-learning, onsite} 4, {live remote} 4, {live remote,
    # onsite} 2 — the 2 pool with the first block, so onsite (6) is whole blocks; live remote
    # (4 + 2) and e-learning (4 of a block of 6) are not
    assert rows["onsite"].participants == 6 and rows["onsite"].per_participant == D("1350.00")
    for fmt in ("live_remote", "elearning"):
        assert rows[fmt].participants is None
        assert rows[fmt].hours is None and rows[fmt].cost is None and rows[fmt].per_participant is None
        assert rows[fmt].direct is not None  # the entries' money is no one's data
    assert f.travel_saved is None  # it counts the remote attendance
    # no shown figure minus another leaves a group under k
    k = costed.org_a.anonymity_threshold
    shown = [f.participants] + [r.participants for r in f.formats if r.participants is not None]
    for a in shown:
        for b in shown:
            assert not 0 < a - b < k


def test_protected_figures_hide_everything_under_k(costed: Any) -> None:
    small = Initiative.objects.create(organisation=costed.org_a, code="liten", name="Liten")
    small.modules.add(costed.m3)  # 4 people
    costed.org_a.anonymity_threshold = 5
    costed.org_a.save()
    services.cost_settings_save(
        initiative=small, hourly_cost=D(100), travel_cost=None, travel_minutes=None, actor=costed.lead.user
    )
    services.cost_entry_create(initiative=small, kind="other", amount=D(1000), actor=costed.lead.user)
    hidden = cost_figures(small, exact=False)
    assert hidden.participants is None and hidden.per_participant is None and hidden.per_hour is None
    assert hidden.total is None  # it would tell the hours
    assert hidden.direct == D("1000.00")
    exact = cost_figures(small, exact=True)
    assert (exact.participants, exact.total, exact.per_participant) == (4, D("1200.00"), D("300.00"))


def test_services_check_the_actor_and_are_audited(costed: Any) -> None:
    for outsider in (costed.employee.user, costed.manager.user, costed.top.user, costed.lead_b.user):
        with pytest.raises(PermissionDenied):
            services.cost_entry_create(
                initiative=costed.initiative, kind="other", amount=D(1), actor=outsider
            )
    entry = services.cost_entry_create(
        initiative=costed.initiative, kind="other", amount=D(10), actor=costed.project_leader.user
    )
    services.cost_entry_update(entry=entry, kind="other", amount=D(20), actor=costed.project_leader.user)
    pk = entry.pk
    services.cost_entry_remove(entry=entry, actor=costed.project_leader.user)
    actions = list(
        AuditEntry.objects.filter(target_type="costs.CostEntry", target_id=str(pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["cost_entry.create", "cost_entry.remove", "cost_entry.update"]
    assert AuditEntry.objects.get(action="cost_entry.update", target_id=str(pk)).changes == {
        "amount": ["10", "20"]
    }


def test_services_refuse_bad_values(costed: Any) -> None:
    actor = costed.lead.user
    with pytest.raises(ValidationError) as error:
        services.cost_entry_create(initiative=costed.initiative, kind="other", amount=D(-1), actor=actor)
    assert "amount" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.cost_entry_create(initiative=costed.initiative, kind="trainer", actor=actor)
    assert set(error.value.message_dict) == {"rate", "hours"}
    other = Initiative.objects.create(organisation=costed.org_a, code="annan", name="Annan")
    with pytest.raises(ValidationError) as error:
        services.cost_entry_create(initiative=other, kind="trainer", module=costed.m1, rate=D(1), actor=actor)
    assert "module" in error.value.message_dict


def test_dashboard_section(costed: Any) -> None:
    page = build_page(Filters(costed.org_a, initiative=costed.initiative), exact=True)
    section = next(s for s in page.sections if s.ident == "costs")
    first = section.table.rows[0]
    assert [v.value for v in first[1:6]] == [10, 20.0, 19700.0, 1970.0, 985.0]
    protected = build_page(Filters(costed.org_a, initiative=costed.initiative), exact=False)
    rows = {r[0].value: r for r in next(s for s in protected.sections if s.ident == "costs").table.rows}
    assert rows["live remote"][1].hidden and rows["on site"][1].value == 6
    assert not [s for s in build_page(Filters(costed.org_a), exact=True).sections if s.ident == "costs"]


@pytest.mark.parametrize("option", ["--initiative", "--organisation"])
@pytest.mark.parametrize("code", ["", "nosuch"])
def test_report_costs_refuses_an_empty_or_unknown_code(costed: Any, option: str, code: str) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("report", "costs", "--format", "json", option, code)
    assert raised.value.returncode == 2
    assert f"'{code}'" in str(raised.value)


def test_report_costs_json(costed: Any, capsys: Any) -> None:
    call_command("report", "costs", "--format", "json", "--initiative", "lyft")
    data = json.loads(capsys.readouterr().out)
    [row] = data["initiatives"]
    assert row["total_cost"] == 19700.0 and row["cost_per_participant"] == 1970.0
    assert row["cost_per_training_hour"] == 985.0 and row["currency"] == "SEK"
    assert row["formats"]["live_remote"]["cost_per_participant"] == 500.0
    assert row["travel_saved"] == {"remote_attendances": 10, "cost": 1500.0, "hours": 7.5}
    call_command("report", "funder", "--format", "json", "--initiative", "lyft")
    funder = json.loads(capsys.readouterr().out)
    assert set(funder) == {"unique_participants", "training_hours", "evaluations"}


def test_a_roles_own_hourly_cost_counts_its_hours_and_the_rest_at_the_default(costed: Any) -> None:
    from kompetenslyft.learning import participation
    from kompetenslyft.learning.models import Attendance
    from kompetenslyft.org.models import Role

    lead = costed.lead.user
    nurse = Role.objects.create(organisation=costed.org_a, name="sjuksköterska")
    # person 0 (M1 2 h and M3 0.5 h) alone in its role: under k = 3
    Attendance.objects.filter(person=costed.people[0]).update(role=nurse)
    # written past the services: the summary the figures read is refreshed as they would
    participation.refresh_people(costed.org_a.pk, [costed.people[0].pk])
    services.role_hourly_cost_save(initiative=costed.initiative, role=nurse, hourly_cost=D(500), actor=lead)
    exact = cost_figures(costed.initiative, exact=True)
    assert exact.role_costs and exact.working_time == D("6500.00")  # 6000 + 2.5 h × (500 − 300)
    assert by_format(exact)["onsite"].working_time == D("4000.00")  # 10 h × 300 + 2 h × 500
    # An aggregates-only viewer: one person's hours would be told by the difference — the default.
    protected = cost_figures(costed.initiative, exact=False)
    assert not protected.role_costs and protected.working_time == D("6000.00")
    # Five people (13 h) in the costed role and five others: both groups of k or more.
    Attendance.objects.filter(person__in=costed.people[:5]).update(role=nurse)
    participation.refresh_people(costed.org_a.pk, [p.pk for p in costed.people[:5]])
    services.role_hourly_cost_save(initiative=costed.initiative, role=nurse, hourly_cost=D(400), actor=lead)
    protected = cost_figures(costed.initiative, exact=False)
    assert protected.role_costs and protected.working_time == D("7300.00")  # 13 × 400 + 7 × 300
    # its format rows at the mean hourly cost (365), never a role within a format
    assert by_format(protected)["onsite"].working_time == D("4380.00")
    assert by_format(cost_figures(costed.initiative, exact=True))["onsite"].working_time == D("4600.00")
    # Removing the role's cost goes back to the default; another organisation's role is refused.
    services.role_hourly_cost_save(initiative=costed.initiative, role=nurse, hourly_cost=None, actor=lead)
    assert cost_figures(costed.initiative, exact=True).working_time == D("6000.00")
    foreign = Role.objects.create(organisation=costed.org_b, name="sykepleier")
    with pytest.raises(ValidationError):
        services.role_hourly_cost_save(
            initiative=costed.initiative, role=foreign, hourly_cost=D(1), actor=lead
        )
    with pytest.raises(PermissionDenied):
        services.role_hourly_cost_save(
            initiative=costed.initiative, role=nurse, hourly_cost=D(1), actor=costed.employee.user
        )
    assert AuditEntry.objects.filter(action="cost_settings.role_hourly_cost").count() == 3
