"""Shared set-up of the LRS tests and the npm clients' browser test: two modules on a
confirmed proposal."""

from __future__ import annotations

from typing import Any

from kompetenslyft.core.importing import import_file
from kompetenslyft.learning import proposal_services
from kompetenslyft.learning.models import Module, Proposal
from kompetenslyft.learning.services import initiative_create, proposals_generate


def prepare(network: Any) -> Any:
    """Two modules (M-MAIL e-learning, M-TEAMS on site) on Alfa's employee's confirmed proposal."""
    role = network.employee.role.name
    for kind, text in (
        ("framework", "competence_code,name,category\nMAIL,E-post,K\nTEAMS,Teams,K\n"),
        ("requirements", f"role,competence_code,required_level\n{role},MAIL,3\n{role},TEAMS,2\n"),
        (
            "modules",
            "module_code,name,category,level,format,hours,competence_codes\n"
            "M-MAIL,E-post grund,K,basic,elearning,1.5,MAIL\n"
            "M-TEAMS,Teams grund,K,basic,onsite,2,TEAMS\n",
        ),
    ):
        import_file(kind=kind, content=text.encode(), filename="f.csv", organisation=network.org_a)
    network.mail, network.teams = (Module.objects.get(code=c) for c in ("M-MAIL", "M-TEAMS"))
    network.initiative = initiative_create(
        organisation=network.org_a,
        code="lyft",
        name="Digitalt lyft",
        units=[network.admin_a],
        modules=[network.mail, network.teams],
    )
    proposals_generate(initiative_id=network.initiative.pk)
    proposal_services.proposal_confirm(
        proposal=Proposal.objects.get(person=network.employee), actor=network.manager.user
    )
    return network
