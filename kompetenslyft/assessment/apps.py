from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "kompetenslyft.assessment"
    label = "assessment"
    verbose_name = _("Self-assessment and gaps")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card
        from kompetenslyft.core.hooks import subscribe

        from . import home, imports, reports  # noqa: F401 - registers the assessments import and report gap
        from .services import gaps_need_rebuild

        register_card("employee", home.employee_card, order=10)
        register_card("lead", home.lead_card, order=10)
        subscribe(["units", "people", "requirements", "assessments", "framework"], gaps_need_rebuild)
