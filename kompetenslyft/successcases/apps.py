from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuccessCasesConfig(AppConfig):
    name = "kompetenslyft.successcases"
    label = "successcases"
    verbose_name = _("Success cases")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card
        from kompetenslyft.learning import hooks
        from kompetenslyft.learning.funder_export import register_funder_sheets

        from . import export, home, panels

        hooks.add_panel("initiative", panels.initiative_panel)
        register_funder_sheets(export.funder_sheets)
        register_card("lead", home.lead_card, order=47)
