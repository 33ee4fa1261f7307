from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kompetenslyft.core"
    label = "core"
    verbose_name = _("Accounts and access")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_started

        # A new session starts its idle clock at log-in (saved with the log-in itself).
        user_logged_in.connect(session_started, dispatch_uid="kompetenslyft.core.session_started")

        from django.urls import register_converter

        from .params import IdConverter

        # ``<id:pk>`` in every app's URL patterns (registered before any URLconf is read).
        register_converter(IdConverter, "id")
