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
