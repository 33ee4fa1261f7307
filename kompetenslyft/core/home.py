"""The start page's cards: what each role should do next, with counts and links.

Core does not import the apps: each app registers its card providers in its
``AppConfig.ready`` (``register_card("employee", my_card, order=10)``). A provider is a
function ``(access, person) → Card | None`` (``person`` is the viewer's own Person or None)
that reads through its app's own selectors; it must stay cheap — a few aggregate queries,
whatever the size of the organisation (the start page answers in ≤ 150 ms at 50,000 people).

The page shows one group per product role the viewer holds, in :data:`ROLES` order, each with
the cards its providers returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .access import Access

ROLES = (
    "employee",
    "manager",
    "trainer",
    "lead",
    "project_leader",
    "top_management",
    "evaluator",
    "data_protection",
)


@dataclass(frozen=True)
class Item:
    """One line of a card: a label, optionally a count, a link and a muted detail."""

    label: str
    url: str = ""
    count: int | None = None
    detail: str = ""


@dataclass
class Card:
    key: str  # unique on the page (the heading's id)
    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""  # shown when there are no items
    links: list[Item] = field(default_factory=list)  # "see all" links under the items


CardProvider = Callable[[Access, Any], "Card | None"]

_providers: dict[str, list[tuple[int, CardProvider]]] = {}


def register_card(role: str, provider: CardProvider, *, order: int = 50) -> None:
    """Add a card to a role's start page; registering twice is harmless."""
    if role not in ROLES:
        raise ValueError(f"no role {role!r}")
    entries = _providers.setdefault(role, [])
    if all(existing is not provider for _order, existing in entries):
        entries.append((order, provider))
        entries.sort(key=lambda entry: entry[0])


def roles_of(access: Access) -> list[str]:
    """The roles whose cards this account sees, in page order."""
    held = set(access.product_roles)
    if access.is_superuser:
        held.add("lead")
    return [role for role in ROLES if role in held]


@dataclass
class RoleCards:
    role: str
    cards: list[Card]


def cards_for(access: Access, person: Any) -> list[RoleCards]:
    groups = []
    for role in roles_of(access):
        cards = [card for _order, provider in _providers.get(role, []) if (card := provider(access, person))]
        if cards:
            groups.append(RoleCards(role, cards))
    return groups
