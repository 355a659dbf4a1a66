"""The ``homecoming`` command: every management command under one name.

``homecoming names ...``, ``homecoming link ...`` and ``homecoming dedupe ...`` run the pure
name and linkage packages directly, without starting Django (they work on files, need no
database, and start faster). Everything else is a Django management command; a hyphen in the
command name is accepted for an underscore (``homecoming demo-data`` = ``demo_data``).
"""

from __future__ import annotations

import os
import sys

PURE_COMMANDS = {"names", "link", "dedupe"}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] in PURE_COMMANDS:
        if argv[1] == "names":
            from homecoming.names.cli import main as names_main

            return names_main(argv[2:])
        from homecoming.linkage.cli import main as linkage_main

        return linkage_main(argv[1:])
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homecoming.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
