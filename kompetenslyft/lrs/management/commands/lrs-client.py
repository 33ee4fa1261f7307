"""kompetenslyft lrs-client create --organisation CODE --name NAME --scope SCOPE [--scope …]

Prints the new client's key and secret once (the secret is kept only hashed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kompetenslyft.core.cli import activate_cli_language
from kompetenslyft.lrs.models import SCOPES
from kompetenslyft.lrs.services import client_create
from kompetenslyft.org.models import Organisation


class Command(BaseCommand):
    help = "Create an LRS client (HTTP Basic key and secret for /xapi/)"

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        create = subparsers.add_parser(
            "create", called_from_command_line=getattr(parser, "called_from_command_line", None)
        )
        create.add_argument("--organisation", required=True, help="the organisation's code")
        create.add_argument("--name", required=True, help="the client's name (the tool that reports)")
        create.add_argument(
            "--scope", action="append", required=True, choices=SCOPES, help="repeat for several scopes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(
                _("No organisation has the code %(code)s.") % {"code": options["organisation"]}
            )
        try:
            client, secret = client_create(
                organisation=organisation, name=options["name"], scopes=options["scope"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("LRS client created. The secret is shown only now: keep it."))
        self.stdout.write(f"endpoint: /xapi/\nkey: {client.key}\nsecret: {secret}\nscopes: {client.scopes}")
