from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "kompetenslyft.learning"
    label = "learning"
    verbose_name = _("Initiatives and training")

    def ready(self) -> None:
        from . import imports, reports  # noqa: F401 - registers the modules and attendance imports, report funder
