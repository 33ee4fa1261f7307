from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kompetenslyft.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from . import imports  # noqa: F401 - registers the units and people imports
