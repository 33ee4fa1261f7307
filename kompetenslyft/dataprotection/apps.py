from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataProtectionConfig(AppConfig):
    name = "kompetenslyft.dataprotection"
    label = "dataprotection"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card

        from . import home, retention

        register_card("employee", home.my_data_card, order=90)
        register_card("data_protection", home.access_log_card, order=10)
        retention.register()  # the access log's retention time (the retention app's rules)
