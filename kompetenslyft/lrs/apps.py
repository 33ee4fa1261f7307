from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LrsConfig(AppConfig):
    name = "kompetenslyft.lrs"
    label = "lrs"
    verbose_name = _("Learning record store")
