"""kompetenslyft bench seed|run — synthetic scale data and the timings each issue names."""

from __future__ import annotations

import platform
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kompetenslyft.bench.runner import OPERATIONS, BenchContext, Figure, op_import, prepare


class Command(BaseCommand):
    help = "Build a synthetic organisation (seed) and print timings of the named operations (run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["seed", "run"])
        parser.add_argument("--people", type=int, default=50_000)
        parser.add_argument("--units", type=int, default=3_000)
        parser.add_argument("--only", nargs="*", choices=sorted(OPERATIONS), help="run these operations only")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < options["units"]:
            raise CommandError("--people must be at least --units (every unit has a manager)", returncode=2)
        call_command("migrate", interactive=False, verbosity=0)
        directory = settings.VAR_DIR / "bench"
        synthetic = prepare(directory, options["people"], options["units"])
        figures: list[Figure] = []

        def report(figure: Figure) -> None:
            figures.append(figure)
            self.stdout.write(figure.line())
            self.stdout.flush()

        self.stdout.write(
            f"database: {connection.vendor} · python {platform.python_version()} · "
            f"{synthetic.people} people, {synthetic.units} units in {directory}"
        )
        ctx = BenchContext(synthetic=synthetic, report=report)
        if options["action"] == "seed":
            op_import(ctx)
            self.stdout.write("seeded the organisation 'bench'")
            return
        for name, operation in OPERATIONS.items():
            if options["only"] and name not in options["only"]:
                continue
            operation(ctx)
        missed = [f for f in figures if f.met is False]
        self.stdout.write(f"{len(figures)} figures, {len(missed)} missed")
