import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompetenslyft.settings")
application = get_wsgi_application()


def _settle_startup_objects() -> None:
    """The modules, settings, URL patterns and translations a server process loads stay for its
    whole life; moved out of the collector's generations (``gc.freeze``), the full collections
    that a busy process runs now and then no longer walk them, which shortens the pauses that
    land on a request."""
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 (imports every app's views and URL patterns)
    for code in ("sv", "nb", "en"):
        with translation.override(code):
            translation.gettext("Menu")  # loads the catalogue
    gc.collect()
    gc.freeze()


_settle_startup_objects()
