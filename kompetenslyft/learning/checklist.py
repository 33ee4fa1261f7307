"""The before / during / after checklist of the 40-20-40 model, as the guides give it: the
items a new initiative starts with, written in its organisation's language."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Initiative, PlanEntry

CHECKLIST = {
    PlanEntry.Phase.BEFORE: [
        _("The purpose and measurable goals are set and anchored with management"),
        _("Needs are measured: a baseline self-assessment against the requirements of each role"),
        _("Managers know their part: preparing people, freeing their time, follow-up talks"),
        _("The target group is informed of why, what, when and how (communication plan)"),
        _("Trainers and super users are chosen and prepared for each unit"),
        _("Time for learning is planned into schedules"),
    ],
    PlanEntry.Phase.DURING: [
        _("Training is given in short modules with knowledge goals, at the right level"),
        _("People who already reach the goal are exempt"),
        _("Support between sessions: job aids and someone to ask in each unit"),
        _("Attendance and progress are followed per unit; managers support those who lag behind"),
    ],
    PlanEntry.Phase.AFTER: [
        _("Every module is evaluated right after it ends"),
        _("A follow-up self-assessment shows the movement from the baseline"),
        _("Managers hold follow-up talks on using the new skills at work"),
        _("Effects are followed with the organisation's indicators"),
        _("Lessons learned are written down and shared"),
    ],
}

# The order the checklist runs in (the phases' values sort after, before, during).
PHASE_ORDER = {PlanEntry.Phase.BEFORE: 0, PlanEntry.Phase.DURING: 1, PlanEntry.Phase.AFTER: 2, "": 3}


def checklist_entries(initiative: Initiative) -> list[PlanEntry]:
    """The default items, unsaved, in the organisation's language (not the actor's)."""
    language = getattr(initiative.organisation, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return [
            PlanEntry(
                initiative=initiative,
                kind=PlanEntry.Kind.CHECKLIST,
                phase=phase,
                text=str(text),
                position=index,
            )
            for phase, texts in CHECKLIST.items()
            for index, text in enumerate(texts)
        ]
