from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kompetenslyft.learning"
    label = "learning"
    verbose_name = _("Initiatives and training")

    def ready(self) -> None:
        from kompetenslyft.core.hooks import subscribe

        from . import imports, reports  # noqa: F401 - registers the modules and attendance imports, report funder
        from .module_services import people_changed
        from .participation import genders_changed

        subscribe(["people"], genders_changed)
        subscribe(["people"], people_changed)

        from kompetenslyft.core.home import register_card

        from . import home

        register_card("employee", home.employee_card, order=30)
        register_card("manager", home.manager_card, order=10)
        register_card("trainer", home.trainer_card, order=10)
        register_card("lead", home.lead_card, order=20)
        register_card("lead", home.lead_questions_card, order=40)
        register_card("project_leader", home.project_leader_card, order=10)
        register_card("top_management", home.top_management_card, order=10)
        register_card("evaluator", home.evaluator_card, order=10)
