"""The `kechuang` command: Django's manage.py plus the platform's own verbs.

kechuang demo [--serve]          set up the demo database and (optionally) serve it
kechuang import KIND FILE        all-or-nothing import of CSV/JSONL/XLSX with a bad-row report
kechuang export KIND [-o FILE]   export a registry
kechuang check                   configuration and data sanity
kechuang <app> <verb> ...        app commands (e.g. `kechuang policies check`)
kechuang <django command> ...    anything manage.py does (migrate, createsuperuser, runserver…)
"""

from __future__ import annotations

import os
import sys

# Our verbs whose names clash with Python keywords or Django's own commands.
ALIASES = {"import": "import_data", "export": "export_data", "check": "sanitycheck"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    elif len(argv) > 1 and argv[1] == "django-check":
        argv[1] = "check"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
