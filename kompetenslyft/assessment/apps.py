from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "kompetenslyft.assessment"
    label = "assessment"
    verbose_name = _("Self-assessment and gaps")

    def ready(self) -> None:
        from kompetenslyft.core.hooks import subscribe

        from . import imports, reports  # noqa: F401 - registers the assessments import and report gap
        from .services import gaps_need_rebuild

        subscribe(["units", "people", "requirements", "assessments", "framework"], gaps_need_rebuild)
