from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "kompetenslyft.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card
        from kompetenslyft.evaluation.dashboard_page import register_sections
        from kompetenslyft.learning import hooks

        from . import home, imports, sections  # noqa: F401 - imports registers the indicator_values kind

        register_card("lead", home.lead_card, order=45)
        register_sections(sections.dashboard_sections)
        hooks.add_panel("initiative", home.initiative_panel)
