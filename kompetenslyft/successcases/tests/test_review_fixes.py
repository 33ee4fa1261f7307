"""A new user's review of the success-case page: a story recorded from a contact list's page
has that list chosen, the list's date is the local day, the groups offered for a list are those
with figures, and the words are "percentage points" and the indicators' ("nyckeltal")."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kompetenslyft.successcases.models import ContactList

from .test_effect import client_for, moved  # noqa: F401 (the fixture)


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
