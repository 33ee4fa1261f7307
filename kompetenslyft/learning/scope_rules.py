"""Who may change an initiative's period and modules (ADR 0019, addendum).

Its lead and its owners (project leaders) edit an initiative. A project leader sees the
initiative's participants only as protected figures (the cost page, the funder report, the
success cases), and a distinct count is not additive: a read before and after moving the end by
a day, or dropping a module, tells who took part only on that day or only in that module (ADR
0004). So once people have taken part in an initiative's scope (its modules within its period),
only a lead of its organisation — who sees those figures exactly anyway — changes the period or
the modules; a project leader may while nobody has taken part (its planning job), and may not
give an initiative, new or old, a scope people have already taken part in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kompetenslyft.core.access import access_for

from . import selectors


def scope_locked_message() -> str:
    """Why a project leader may no longer change the period and modules, and who may."""
    return _(
        "People have taken part in this initiative, so only a competence lead can change its "
        "period and modules now. You see its participants as protected figures, and comparing "
        "them before and after such a change could tell who took part."
    )


def scope_taken_message() -> str:
    """Why a project leader may not give an initiative a period and modules people took part in."""
    return _(
        "People have already taken part in these modules within this period, so only a "
        "competence lead can give an initiative this period and these modules. Choose a period "
        "that starts later, or ask a competence lead."
    )


Scope = tuple[Any, dt.date | None, dt.date | None]  # module ids, starts on, ends on


def check_scope_change(*, organisation_id: int, actor: Any, before: Scope | None, after: Scope) -> None:
    """Refuse a change of an initiative's period or modules (``before`` → ``after``; ``before``
    None for a new initiative) by anyone but a lead of the organisation, where either scope
    holds participants (ADR 0019, addendum): a project leader sees participants as protected
    figures, and two reads over nearly the same scope would single out the few between them.
    Without an actor (commands, the demo) the change is the system's."""
    if actor is None:
        return
    if access_for(actor).is_lead_of(organisation_id):
        return
    if before is not None and selectors.scope_has_participants(organisation_id, *before):
        raise ValidationError(scope_locked_message(), code="scope_locked")
    if selectors.scope_has_participants(organisation_id, *after):
        raise ValidationError(scope_taken_message(), code="scope_taken")
