"""kompetenslyft import KIND FILE [--dry-run] [--organisation CODE] [--allow-deactivation]"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kompetenslyft.core.cli import activate_cli_language
from kompetenslyft.core.importing import IMPORTERS, TEXT_IMPORTERS, ImportRefused, ImportResult, import_file
from kompetenslyft.org.services import OrganisationChoiceError, organisation_for_command


class Command(BaseCommand):
    help = "Import a CSV or .xlsx file (units, people, framework, requirements, assessments …) as shared/formats.md defines it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", help="what the file holds: units, people, framework, requirements, assessments, gift"
        )
        parser.add_argument("file", help="path to the CSV or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
        parser.add_argument("--organisation", help="the organisation's code")
        parser.add_argument("--module", help="gift: the code of the module whose question bank it is")
        parser.add_argument("--framework", help="framework: the framework's code (default: main)")
        parser.add_argument("--framework-name", help="framework: its name, when it is created")
        parser.add_argument(
            "--keep-missing",
            action="store_true",
            help="people: do not deactivate people who are not in the file",
        )
        parser.add_argument(
            "--allow-deactivation",
            action="store_true",
            help="people: allow a file that deactivates more than a fifth of the active people",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        kind = options["kind"]
        if kind not in IMPORTERS and kind not in TEXT_IMPORTERS:
            kinds = ", ".join([*IMPORTERS, *TEXT_IMPORTERS])
            raise CommandError(f"unknown kind '{kind}'; use one of: {kinds}", returncode=2)
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file ({exc.strerror})", returncode=2) from exc
        try:
            organisation = organisation_for_command(code=options.get("organisation"))
        except OrganisationChoiceError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            extra: dict[str, Any] = {}
            if kind == "people":
                extra = {
                    "keep_missing": options["keep_missing"],
                    "allow_deactivation": options["allow_deactivation"],
                }
            if kind == "framework":
                extra = {
                    "framework_code": options.get("framework") or "main",
                    "framework_name": options.get("framework_name") or "",
                }
            if kind in TEXT_IMPORTERS:
                result = TEXT_IMPORTERS[kind](
                    content=content,
                    filename=path.name,
                    organisation=organisation,
                    actor=cli_actor(),
                    dry_run=options["dry_run"],
                    module=options.get("module") or "",
                )
            else:
                result = import_file(
                    kind=kind,
                    content=content,
                    filename=path.name,
                    organisation=organisation,
                    actor=cli_actor(),
                    dry_run=options["dry_run"],
                    **extra,
                )
        except ImportRefused as refused:
            for warning in refused.result.warnings:
                self.stderr.write(f"warning: {warning}")
            for error in refused.result.errors:
                self.stderr.write(f"{path.name}: {error}")
            if refused.result.error_count > len(refused.result.errors):
                self.stderr.write(
                    f"{path.name}: … and {refused.result.error_count - len(refused.result.errors)} more error(s)"
                )
            if "mass_deactivation" in refused.result.notices:
                self.stderr.write(
                    f"{path.name}: give --allow-deactivation to deactivate them, "
                    "or --keep-missing to keep people who are not in the file"
                )
            raise CommandError(
                f"{path.name}: refused, {refused.result.error_count} error(s); nothing was changed",
                returncode=2,
            ) from refused
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(summary_line(result, path.name))


def summary_line(result: ImportResult, name: str) -> str:
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items())) or "nothing to change"
    prefix = "dry run, nothing changed: " if result.dry_run else ""
    return f"{name}: {result.kind} into {result.organisation}: {prefix}{result.rows} rows; {counts}"


def cli_actor() -> str:
    """Who ran the command, for the audit log: the operating-system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. a container)
        user = f"uid {os.getuid()}"
    return f"{user} (command line)"
