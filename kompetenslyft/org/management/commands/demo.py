"""kompetenslyft demo [--port 8000]: migrate, load the demo network, print logins, serve."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kompetenslyft.core.cli import activate_cli_language
from kompetenslyft.org.demo import DEMO_PASSWORD, load_demo


def demo_settings(*, host: str, port: int) -> str:
    """Run as a newcomer would meet the product: DEBUG off (the product's own error pages, no
    URL listings), static files through WhiteNoise, and links in e-mails pointing at the port
    the demo serves on (unless KOMPETENSLYFT_BASE_URL says otherwise). Returns the address."""
    public_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    url = f"http://{public_host}:{port}"
    settings.DEBUG = False
    hosts = list(settings.ALLOWED_HOSTS)
    settings.ALLOWED_HOSTS = hosts + [h for h in (public_host, "127.0.0.1", "localhost") if h not in hosts]
    if not os.environ.get("KOMPETENSLYFT_BASE_URL"):
        settings.KOMPETENSLYFT_BASE_URL = url
    return url + "/"


class Command(BaseCommand):
    help = "Migrate, load the demo organisations, print one login per product role and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="load and print, do not serve")

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        url = demo_settings(host=options["host"], port=options["port"])
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading the demo organisations (Solvik kommun, Fjellvik kommune)…")
        logins = load_demo()
        self.stdout.write("")
        self.stdout.write(f"Kompetenslyft demo at {url}")
        self.stdout.write(f"Every demo login has the password: {DEMO_PASSWORD}")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role} – {login.who}")
        self.stdout.write("")
        if not options["no_serve"]:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
