from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CostsConfig(AppConfig):
    name = "kompetenslyft.costs"
    label = "costs"
    verbose_name = _("Costs")

    def ready(self) -> None:
        from kompetenslyft.evaluation.dashboard_page import register_sections
        from kompetenslyft.learning import hooks
        from kompetenslyft.learning.funder_export import register_funder_sheets

        from . import dashboard, export, panels, reports  # noqa: F401 - reports registers itself

        hooks.add_panel("initiative", panels.initiative_panel)
        register_sections(dashboard.cost_sections)
        register_funder_sheets(export.funder_sheets)
