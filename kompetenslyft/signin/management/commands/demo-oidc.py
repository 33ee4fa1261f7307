"""kompetenslyft demo-oidc [--port 8000] [--provider-port 9000]: the demo, with Solvik kommun
signing in through a local OpenID Connect provider (tests/oidc-provider) whose accounts are
the demo logins (same user names and password)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from kompetenslyft.core.cli import activate_cli_language
from kompetenslyft.core.models import Grant, ProductRole
from kompetenslyft.org.demo import DEMO_PASSWORD, load_demo
from kompetenslyft.org.management.commands.demo import demo_settings
from kompetenslyft.org.models import Organisation, Person

from ...local_provider import running_provider
from ...models import SignInSettings

LEADS_GROUP = "kompetenslyft-leads"


def provider_accounts(organisation: Organisation) -> list[dict[str, Any]]:
    """The organisation's people with a demo login, and one stranger the product does not know."""
    leads = set(
        Grant.objects.filter(organisation=organisation, role=ProductRole.LEAD).values_list(
            "user_id", flat=True
        )
    )
    accounts = [
        {
            "sub": person.user.username,  # type: ignore[union-attr]
            "password": DEMO_PASSWORD,
            "email": person.email,
            "employee_id": person.employee_id,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "groups": [LEADS_GROUP] if person.user_id in leads else [],
        }
        for person in Person.objects.filter(organisation=organisation, user__isnull=False, is_active=True)
        .select_related("user")
        .exclude(email="")
    ]
    accounts.append(
        {"sub": "stranger", "password": DEMO_PASSWORD, "email": "stranger@example.org", "groups": []}
    )
    return accounts


class Command(BaseCommand):
    help = "The demo with Solvik kommun signing in through a local OpenID Connect provider."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--provider-port", type=int, default=9000)
        parser.add_argument("--no-serve", action="store_true", help="load, start and stop, do not serve")

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        url = demo_settings(host=options["host"], port=options["port"])
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Loading the demo organisations (Solvik kommun, Fjellvik kommune)…")
        logins = {login.username for login in load_demo()}
        solvik = Organisation.objects.get(code="solvik")
        accounts = provider_accounts(solvik)
        self.stdout.write("Starting the local OpenID Connect provider (npm ci the first time)…")
        with running_provider(
            accounts=accounts,
            redirect_uris=[f"{url}oidc/callback/"],
            post_logout_redirect_uris=[f"{url}accounts/login/"],
            port=options["provider_port"],
            quiet=False,
        ) as provider:
            SignInSettings.objects.update_or_create(
                organisation=solvik,
                defaults={
                    "provider_name": "Solvik kommun (lokal testleverantör)",
                    "issuer": provider.issuer,
                    "client_id": provider.client_id,
                    "client_secret": provider.client_secret,
                    "scopes": "openid email profile groups employee",
                    "person_claim": "email",
                    "claim_name": "email",
                    "groups_claim": "groups",
                    "role_map": {LEADS_GROUP: ProductRole.LEAD},
                },
            )
            self.stdout.write("")
            self.stdout.write(f"Kompetenslyft demo at {url} — Solvik kommun signs in at {provider.issuer}")
            self.stdout.write(
                f"On the log-in page choose 'Sign in with …'; at the provider use a Solvik demo login "
                f"and the password {DEMO_PASSWORD}:"
            )
            shown = [account for account in accounts if account["sub"] in logins]
            for account in shown:
                self.stdout.write(f"  {account['sub']}  {account.get('email', '')}")
            others = len(accounts) - len(shown) - 1
            if others > 0:
                self.stdout.write(
                    f"  … and {others} more Solvik people with accounts (user name = their e-mail)"
                )
            self.stdout.write("  ('stranger' is known to the provider only: the product refuses it.)")
            self.stdout.write("")
            if not options["no_serve"]:
                call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
