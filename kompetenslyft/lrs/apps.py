from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LrsConfig(AppConfig):
    name = "kompetenslyft.lrs"
    label = "lrs"
    verbose_name = _("Learning record store")

    def ready(self) -> None:
        from kompetenslyft.learning import hooks

        from . import panels

        hooks.add_panel("journey", panels.journey_panel)
        hooks.add_panel("module", panels.module_panel)
