"""kompetenslyft demo [--port 8000]: migrate, load the demo network, print logins, serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kompetenslyft.core.cli import activate_cli_language
from kompetenslyft.org.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Migrate, load the demo organisations, print one login per product role and serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="load and print, do not serve")

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        from django.conf import settings

        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading the demo organisations (Solvik kommun, Fjellvik kommune)…")
        logins = load_demo()
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(f"Kompetenslyft demo at {url}")
        self.stdout.write(f"Every demo login has the password: {DEMO_PASSWORD}")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role} – {login.who}")
        self.stdout.write("")
        if not options["no_serve"]:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
