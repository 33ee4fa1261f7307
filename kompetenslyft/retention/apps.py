from __future__ import annotations

from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "kompetenslyft.retention"
    label = "retention"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from kompetenslyft.core.home import register_card

        from . import home, kinds

        kinds.register_builtin()
        register_card("lead", home.lead_card, order=90)
