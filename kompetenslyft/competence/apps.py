from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def install_builtin(sender: Any, **kwargs: Any) -> None:
    """Reference data, installed like Django's own content types and permissions: after every
    migrate (and flush), idempotently."""
    from . import models
    from .builtin import install_builtin_frameworks

    install_builtin_frameworks(models)


class CompetenceConfig(AppConfig):
    name = "kompetenslyft.competence"
    label = "competence"
    verbose_name = _("Competence frameworks")

    def ready(self) -> None:
        from . import imports  # noqa: F401 - registers the framework and requirements imports

        post_migrate.connect(install_builtin, sender=self, dispatch_uid="kompetenslyft-builtin-frameworks")
