from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kompetenslyft.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card

        from . import home, imports  # noqa: F401 - imports registers the units and people imports

        register_card("lead", home.lead_card, order=30)
