"""The ``kompetenslyft`` console script: Django's management commands under our settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompetenslyft.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "kompetenslyft"
    if len(args) > 1 and args[1] in ("demo", "demo-oidc"):
        # The demo is one process: background tasks (invitations, gap updates) run inline.
        os.environ.setdefault(
            "KOMPETENSLYFT_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
