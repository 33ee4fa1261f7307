"""kompetenslyft report NAME --format json [--organisation CODE] [report options]"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kompetenslyft.core.cli import activate_cli_language
from kompetenslyft.core.reporting import REPORTS, ReportInputError


class Command(BaseCommand):
    help = "Print a report as JSON (shared/formats.md): gap, funder, evaluation"
    requires_system_checks: list[str] = []  # read-only; the checks cost a good part of a report's time

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="report", required=True, parser_class=type(parser))
        for name, report in sorted(REPORTS.items()):
            sub = subparsers.add_parser(
                name, called_from_command_line=getattr(parser, "called_from_command_line", None)
            )
            sub.add_argument("--format", choices=["json"], default="json")
            sub.add_argument("--organisation", help="the organisation's code (default: every organisation)")
            report.arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        activate_cli_language()
        report = REPORTS[options["report"]]
        try:
            data = report.build(**options)
        except ReportInputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
