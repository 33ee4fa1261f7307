from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicrolearningConfig(AppConfig):
    name = "kompetenslyft.microlearning"
    label = "microlearning"
    verbose_name = _("Micro-learning")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card
        from kompetenslyft.learning import hooks

        from . import home, panels

        register_card("employee", home.employee_card, order=5)
        register_card("manager", home.manager_card, order=20)
        register_card("lead", home.lead_card, order=60)
        hooks.add_panel("journey", panels.journey_panel)
        hooks.add_panel("initiative", panels.initiative_panel)
