from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "kompetenslyft.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from kompetenslyft.learning.reports import register_evaluation_source

        from .funder import funder_evaluations

        register_evaluation_source(funder_evaluations)
