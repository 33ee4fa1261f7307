"""Two success-case stories of the demo initiative (one success, one non-success)."""

from __future__ import annotations

from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.models import Organisation

from .models import Story
from .movement import publish_movement_months


def stories_for_demo(organisation: Organisation) -> None:
    publish_movement_months()  # the closed months' gap movement, as the daily run does (ADR 0019)
    initiative = Initiative.objects.get(organisation=organisation, code="digitalt-lyft")
    Story.objects.create(
        organisation=organisation,
        initiative=initiative,
        kind=Story.Kind.SUCCESS,
        title="Avvikelser på veckans APT",
        what_was_done=(
            "Efter utbildningen går arbetslaget igenom veckans avvikelser i tio minuter på varje APT, "
            "med den digitala kompetensledaren som stöd."
        ),
        result="Avvikelserna hanteras snabbare och fler rapporteras; personalen ser att det leder till ändringar.",
        helped="Enhetschefen avsatte tid; korta pass på arbetsplatsen.",
        hindered="Vikarier har inte alltid behörighet i systemet.",
    )
    Story.objects.create(
        organisation=organisation,
        initiative=initiative,
        kind=Story.Kind.NON_SUCCESS,
        title="Teams används inte på nattpasset",
        what_was_done="Nattpersonalen gick utbildningen i Teams men har inga gemensamma möten att använda det i.",
        result="Få tillämpar det som lärdes; överlämningen sker fortfarande på papper.",
        helped="",
        hindered="Ingen gemensam mötestid och delade surfplattor saknas på natten.",
    )
