from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendConfig(AppConfig):
    name = "kompetenslyft.recommend"
    label = "recommend"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from kompetenslyft.learning import hooks

        from . import panels

        hooks.add_panel("journey", panels.journey_panel)
