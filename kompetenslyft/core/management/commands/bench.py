"""kompetenslyft bench seed|run — synthetic scale data and the timings each issue names."""

from __future__ import annotations

import os
import platform
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kompetenslyft.bench import sampling
from kompetenslyft.bench.runner import OPERATIONS, BenchContext, Figure, op_import, prepare


def _load() -> str:
    """The machine's load beside the figures: timings on a shared machine are read with it."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} cores"


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
        sampling.QUICK = synthetic.people < 1_000
        figures: list[Figure] = []

        def report(figure: Figure) -> None:
            figures.append(figure)
            self.stdout.write(figure.line())
            self.stdout.flush()

        self.stdout.write(
            f"database: {connection.vendor} · python {platform.python_version()} · "
            f"{synthetic.people} people, {synthetic.units} units in {directory} · {_load()}"
        )
        ctx = BenchContext(synthetic=synthetic, report=report)
        if options["action"] == "seed":
            op_import(ctx)
            self.stdout.write("seeded the organisation 'bench'")
            return
        for name, operation in OPERATIONS.items():
            if options["only"] and name not in options["only"]:
                continue
            started = time.perf_counter()
            operation(ctx)
            self.stdout.write(f"({name}: {time.perf_counter() - started:.1f} s with its setup)")
        self.stdout.write(_load())
        missed = [f for f in figures if f.met is False]
        targeted = [f for f in figures if f.met is not None]
        self.stdout.write(
            f"{len(figures)} figures, {len(targeted)} with a target: "
            f"{len(targeted) - len(missed)} met, {len(missed)} not met"
        )
        for figure in missed:
            self.stdout.write(
                f"  not met: {figure.name.strip()} {figure.value:.3f} {figure.unit} > {figure.target:g}"
            )
