"""The costs of the demo initiative "Digitalt lyft": trainers' hours, production, licences and
travel, the participants' hourly cost (and a nurse's own), travel saved by remote formats."""

from __future__ import annotations

from decimal import Decimal

from kompetenslyft.learning.models import Initiative, Module
from kompetenslyft.org.models import Organisation, Role

from .models import CostEntry, CostSettings, RoleHourlyCost


def costs_for_demo(organisation: Organisation) -> None:
    initiative = Initiative.objects.get(organisation=organisation, code="digitalt-lyft")
    modules = {m.code: m for m in Module.objects.filter(organisation=organisation)}
    CostSettings.objects.create(
        initiative=initiative, hourly_cost=Decimal(310), travel_cost=Decimal(120), travel_minutes=40
    )
    nurse = Role.objects.filter(organisation=organisation, name="sjuksköterska").first()
    if nurse is not None:
        RoleHourlyCost.objects.create(initiative=initiative, role=nurse, hourly_cost=Decimal(420))
    for kind, module, extra in (
        (
            "trainer",
            "M-AVVIK",
            {"hours": Decimal(24), "rate": Decimal(950), "description": "Kursledare, avvikelser"},
        ),
        (
            "trainer",
            "M-TEAMS",
            {"hours": Decimal(12), "rate": Decimal(850), "description": "Digitala kompetensledare"},
        ),
        ("production", "M-LON", {"amount": Decimal(45000), "description": "E-kurs lön och ledighet"}),
        ("licence", None, {"amount": Decimal(28000), "description": "Lärplattform, ett år"}),
        ("travel", "M-AVVIK", {"amount": Decimal(6500), "description": "Resor till utbildningslokalen"}),
    ):
        CostEntry.objects.create(
            organisation=organisation,
            initiative=initiative,
            kind=kind,
            module=modules.get(module) if module else None,
            **extra,
        )
