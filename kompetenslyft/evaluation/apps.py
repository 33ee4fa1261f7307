from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "kompetenslyft.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card
        from kompetenslyft.learning import hooks
        from kompetenslyft.learning.reports import register_evaluation_source

        from . import asking, home, imports, panels, reports  # noqa: F401 - imports and reports register themselves
        from .funder import funder_evaluations
        from .selectors import checklist_evaluation

        register_card("employee", home.employee_card, order=20)
        register_evaluation_source(funder_evaluations)
        hooks.provide("checklist_evaluation", checklist_evaluation)
        # Asked when the register is taken; blocks on the session, journey and initiative pages.
        hooks.on_attendance(asking.requests_for_register)
        hooks.add_panel("session", panels.session_panel)
        hooks.add_panel("journey", panels.journey_panel)
        hooks.add_panel("initiative", panels.initiative_panel)
