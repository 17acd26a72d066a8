"""The `gongzhi` console script: Django's management commands with the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings.dev")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    # Django names commands after their modules (train_classifier); people type train-classifier.
    if args and not args[0].startswith("-") and "-" in args[0]:
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["gongzhi", *args])


if __name__ == "__main__":
    main()
