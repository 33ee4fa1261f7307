"""ADR 0019 (addendum): once people have taken part in an initiative, only its lead changes its
period and modules.

An attack found that the initiative's project leader (an owner, so it edits the initiative, but
it sees participants only as protected figures) moved the end of its initiative by a day, or
dropped a module, and read the cost page's "Unique participants" before and after: 11 → 10,
one person's attendance on one day (ADR 0004: distinct counts are not additive). Now such a
change is refused for it with a message saying why and who can (the lead); the lead still
changes them, and before anyone took part the project leader plans them freely — but may not
give an initiative, new or old, a period and modules people have already taken part in."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from kompetenslyft.core.tests.pages import EN, client_for
from kompetenslyft.costs import services as cost_services
from kompetenslyft.learning import selectors
from kompetenslyft.learning.models import Attendance, Initiative, Module
from kompetenslyft.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

LOCKED = "only a competence lead can change its period and modules"
TAKEN = "only a competence lead can give an initiative this period and these modules"


def _modules(n: Any) -> tuple[Module, Module]:
    org = n.org_a
    m1 = Module.objects.create(
        organisation=org, code="M1", name="Journal", category="c", level="basic", format="onsite", hours=2
    )
    m2 = Module.objects.create(
        organisation=org, code="M2", name="Läkemedel", category="c", level="basic", format="onsite", hours=2
    )
    return m1, m2


def _initiative(n: Any, m1: Module, m2: Module, starts_on: dt.date, ends_on: dt.date) -> Initiative:
    initiative = Initiative.objects.create(
        organisation=n.org_a, code="lyft", name="Lyft", starts_on=starts_on, ends_on=ends_on
    )
    initiative.modules.add(m1, m2)
    initiative.units.add(n.admin_a)
    initiative.owners.add(n.project_leader)
    return initiative


def _setup(n: Any) -> tuple[Initiative, Module, Module]:
    """The attack's initiative: ten men in M1 on 10 March, one woman in M2 only on 31 March
    (the initiative's last day); k = 5."""
    assert n.org_a.anonymity_threshold == 5
    m1, m2 = _modules(n)
    initiative = _initiative(n, m1, m2, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    for person in PersonFactory.create_batch(10, unit=n.unit1, gender="man"):
        Attendance.objects.create(person=person, module=m1, unit=n.unit1, date=dt.date(2026, 3, 10), hours=2)
    target = PersonFactory(unit=n.unit1, given_name="Ensam", family_name="Sistadag", gender="woman")
    Attendance.objects.create(person=target, module=m2, unit=n.unit1, date=dt.date(2026, 3, 31), hours=2)
    cost_services.cost_settings_save(
        initiative=initiative,
        hourly_cost=Decimal(300),
        travel_cost=None,
        travel_minutes=None,
        actor=n.lead.user,
    )
    return initiative, m1, m2


def _participants(client: Any, initiative: Initiative) -> int | None:
    page = client.get(reverse("costs:initiative", args=[initiative.pk]), **EN)
    assert page.status_code == 200
    found = re.search(r"<dt>Unique participants</dt><dd>([^<]*)</dd>", page.content.decode())
    assert found is not None
    text = found.group(1).strip()
    return int(text) if text.isdigit() else None


def _details(initiative: Initiative, starts_on: str, ends_on: str, name: str = "Lyft") -> dict[str, str]:
    return {
        "details-name": name,
        "details-purpose": "",
        "details-starts_on": starts_on,
        "details-ends_on": ends_on,
        "details-budget": "",
    }


def _period(initiative: Initiative) -> tuple[dt.date | None, dt.date | None]:
    fresh = Initiative.objects.get(pk=initiative.pk)
    return fresh.starts_on, fresh.ends_on


def _module_ids(initiative: Initiative) -> set[int]:
    return set(Initiative.objects.get(pk=initiative.pk).modules.values_list("pk", flat=True))


def test_the_project_leader_cannot_move_the_end_by_a_day_and_count_one_person(network: Any) -> None:
    n = network
    initiative, _m1, _m2 = _setup(n)
    pl = client_for(n.project_leader.user)
    assert _participants(pl, initiative) == 11
    response = pl.post(
        reverse("learning:initiative_details", args=[initiative.pk]),
        _details(initiative, "2026-03-01", "2026-03-30"),
        **EN,
    )
    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    assert _period(initiative) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert _participants(pl, initiative) == 11  # nothing to difference
    # clearing the period (a wider scope) is refused the same way
    cleared = pl.post(
        reverse("learning:initiative_details", args=[initiative.pk]), _details(initiative, "", ""), **EN
    )
    assert cleared.status_code == 400 and LOCKED in cleared.content.decode()
    assert _period(initiative) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def test_the_project_leader_cannot_drop_a_module_and_count_one_person(network: Any) -> None:
    n = network
    initiative, m1, m2 = _setup(n)
    pl = client_for(n.project_leader.user)
    url = reverse("learning:initiative_modules", args=[initiative.pk])
    assert _participants(pl, initiative) == 11
    response = pl.post(url, {"modules-chosen": [str(m1.pk)]}, **EN)
    assert response.status_code == 403
    assert LOCKED in response.content.decode()
    assert _module_ids(initiative) == {m1.pk, m2.pk}
    assert _participants(pl, initiative) == 11
    # the page says why and who can, and offers no form
    page = pl.get(url, **EN)
    html = page.content.decode()
    assert page.status_code == 200 and LOCKED in html
    assert 'name="modules-chosen"' not in html and "Save the modules" not in html


def test_the_project_leaders_initiative_page_says_why_and_still_changes_the_name(network: Any) -> None:
    n = network
    initiative, _m1, _m2 = _setup(n)
    pl = client_for(n.project_leader.user)
    html = pl.get(reverse("learning:initiative", args=[initiative.pk]), **EN).content.decode()
    assert LOCKED in html
    assert reverse("learning:initiative_modules", args=[initiative.pk]) not in html
    for name in ("starts_on", "ends_on"):
        field = re.search(rf'<input[^>]*name="details-{name}"[^>]*>', html)
        assert field is not None and "readonly" in field.group(0), name
    # The read-only period is sent as it is: the name, purpose and budget still change.
    response = pl.post(
        reverse("learning:initiative_details", args=[initiative.pk]),
        _details(initiative, "2026-03-01", "2026-03-31", name="Lyftet"),
    )
    assert response.status_code == 302
    assert Initiative.objects.get(pk=initiative.pk).name == "Lyftet"


def test_the_lead_still_changes_the_period_and_the_modules(network: Any) -> None:
    n = network
    initiative, m1, _m2 = _setup(n)
    lead = client_for(n.lead.user)
    html = lead.get(reverse("learning:initiative", args=[initiative.pk]), **EN).content.decode()
    assert LOCKED not in html
    assert reverse("learning:initiative_modules", args=[initiative.pk]) in html
    response = lead.post(
        reverse("learning:initiative_details", args=[initiative.pk]),
        _details(initiative, "2026-03-01", "2026-03-30"),
    )
    assert response.status_code == 302
    assert _period(initiative) == (dt.date(2026, 3, 1), dt.date(2026, 3, 30))
    assert _participants(lead, initiative) == 10  # the lead sees exact figures anyway
    response = lead.post(
        reverse("learning:initiative_modules", args=[initiative.pk]), {"modules-chosen": [m1.pk]}
    )
    assert response.status_code == 302
    assert _module_ids(initiative) == {m1.pk}


def test_before_anyone_took_part_the_project_leader_plans_the_period_and_modules(network: Any) -> None:
    n = network
    m1, m2 = _modules(n)
    initiative = _initiative(n, m1, m2, dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    # attendance of the modules outside the period is not a participation in it
    person = PersonFactory(unit=n.unit1)
    Attendance.objects.create(person=person, module=m1, unit=n.unit1, date=dt.date(2026, 3, 10), hours=2)
    assert not selectors.initiative_has_participants(initiative)
    pl = client_for(n.project_leader.user)
    html = pl.get(reverse("learning:initiative", args=[initiative.pk]), **EN).content.decode()
    assert LOCKED not in html
    response = pl.post(
        reverse("learning:initiative_details", args=[initiative.pk]),
        _details(initiative, "2026-10-01", "2027-01-31"),
    )
    assert response.status_code == 302
    assert _period(initiative) == (dt.date(2026, 10, 1), dt.date(2027, 1, 31))
    url = reverse("learning:initiative_modules", args=[initiative.pk])
    assert 'name="modules-chosen"' in pl.get(url).content.decode()
    assert pl.post(url, {"modules-chosen": [m2.pk]}).status_code == 302
    assert _module_ids(initiative) == {m2.pk}
    # once someone took part, the same change is refused
    Attendance.objects.create(person=person, module=m2, unit=n.unit1, date=dt.date(2026, 10, 5), hours=2)
    assert pl.post(url, {"modules-chosen": [m1.pk, m2.pk]}, **EN).status_code == 403
    assert _module_ids(initiative) == {m2.pk}


def test_the_project_leader_may_not_reach_back_over_earlier_participation(network: Any) -> None:
    """No participants yet, but the new period (or module) would take in people who took part:
    two initiatives of nearly the same scope would be two reads to compare."""
    n = network
    initiative, m1, m2 = _setup(n)
    later = Initiative.objects.create(
        organisation=n.org_a,
        code="senare",
        name="Senare",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    later.modules.add(m1)
    later.units.add(n.admin_a)
    later.owners.add(n.project_leader)
    pl = client_for(n.project_leader.user)
    response = pl.post(
        reverse("learning:initiative_details", args=[later.pk]),
        _details(later, "2026-03-01", "2026-12-31"),
        **EN,
    )
    assert response.status_code == 400 and TAKEN in response.content.decode()
    assert _period(later) == (dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    # the lead may
    lead = client_for(n.lead.user)
    assert (
        lead.post(
            reverse("learning:initiative_details", args=[later.pk]),
            _details(later, "2026-03-01", "2026-12-31"),
        ).status_code
        == 302
    )


def test_the_project_leader_may_not_create_an_initiative_over_earlier_participation(network: Any) -> None:
    n = network
    _initiative_, m1, m2 = _setup(n)
    pl = client_for(n.project_leader.user)
    data = {
        "code": "kopia",
        "name": "Kopia",
        "starts_on": "2026-03-01",
        "ends_on": "2026-03-30",
        "units": [n.admin_a.pk],
        "modules": [m1.pk, m2.pk],
    }
    refused = pl.post(reverse("learning:initiatives"), data, **EN)
    assert refused.status_code == 400 and TAKEN in refused.content.decode()
    assert not Initiative.objects.filter(code="kopia").exists()
    # a new initiative that starts after what was attended: its planning is the project leader's
    created = pl.post(
        reverse("learning:initiatives"), {**data, "starts_on": "2026-04-01", "ends_on": "2026-06-30"}
    )
    assert created.status_code == 302
    assert list(Initiative.objects.get(code="kopia").owners.all()) == [n.project_leader]
    # the lead creates any
    lead = client_for(n.lead.user)
    assert lead.post(reverse("learning:initiatives"), {**data, "code": "leadkopia"}).status_code == 302
