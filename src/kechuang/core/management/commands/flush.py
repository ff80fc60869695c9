"""Django's `flush`, able to empty the append-only audit table.

Wiping the whole database is an operator's act (tests between cases, `kechuang demo --reset`), not a
change of history. On SQLite the audit triggers would abort its DELETE, so they are lifted for the
duration and put back afterwards; PostgreSQL flushes with TRUNCATE, which the row triggers allow.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import DEFAULT_DB_ALIAS, connections

from kechuang.core.audit_guard import guard_installed, install_guard, remove_guard


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        lifted = connection.vendor == "sqlite" and guard_installed(connection)
        if lifted:
            remove_guard(connection)
        try:
            super().handle(**options)
        finally:
            if lifted:
                install_guard(connection)
