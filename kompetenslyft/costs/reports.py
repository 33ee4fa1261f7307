"""`kompetenslyft report costs --format json [--initiative CODE]`: each initiative's cost
figures, exact (the command line is the operator's, as `report funder` is). Separate from
`report funder`, whose shape formats.md fixes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kompetenslyft.core.reporting import ReportInputError, register
from kompetenslyft.learning.models import Initiative
from kompetenslyft.org.models import Organisation

from .figures import as_json, cost_figures


def build_costs(
    *, organisation: str | None = None, initiative: str | None = None, **_options: Any
) -> dict[str, Any]:
    initiatives = Initiative.objects.select_related("organisation").order_by("organisation__code", "code")
    if organisation is not None:
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise ReportInputError(
                _("There is no organisation with the code '%(code)s'.") % {"code": organisation}
            )
        initiatives = initiatives.filter(organisation=org)
    if initiative is not None:
        initiatives = initiatives.filter(code=initiative)
        if not initiatives.exists():
            raise ReportInputError(
                _("There is no initiative with the code '%(code)s'.") % {"code": initiative}
            )
    return {
        "initiatives": [
            {"organisation": i.organisation.code, **as_json(cost_figures(i, exact=True))} for i in initiatives
        ]
    }


def costs_arguments(parser: Any) -> None:
    parser.add_argument("--initiative", help="the initiative's code")


register("costs", build=build_costs, arguments=costs_arguments)
