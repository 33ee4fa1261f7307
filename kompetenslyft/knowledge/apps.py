from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class KnowledgeConfig(AppConfig):
    name = "kompetenslyft.knowledge"
    label = "knowledge"
    verbose_name = gettext_lazy("Knowledge tests")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card
        from kompetenslyft.core.importing import register_text_kind
        from kompetenslyft.evaluation.dashboard_page import register_sections
        from kompetenslyft.learning import hooks
        from kompetenslyft.learning.services import register_exemption_source

        from . import home, panels, results, selectors, services

        register_exemption_source(selectors.passed_pre_tests)
        register_text_kind("gift", services.gift_import_command)
        hooks.add_panel("journey", panels.journey_panel)
        hooks.add_panel("module", panels.module_panel)
        register_sections(results.dashboard_sections)
        register_card("employee", home.employee_card, order=25)
        register_card("trainer", home.trainer_card, order=20)
