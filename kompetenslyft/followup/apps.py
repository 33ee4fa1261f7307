from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "kompetenslyft.followup"
    label = "followup"
    verbose_name = _("Follow-up at work")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card
        from kompetenslyft.evaluation.dashboard_page import register_sections
        from kompetenslyft.learning import hooks

        from . import dashboard, home, panels

        register_card("manager", home.manager_card, order=15)
        register_card("lead", home.lead_card, order=46)
        hooks.add_panel("journey", panels.journey_panel)
        register_sections(dashboard.sections)
