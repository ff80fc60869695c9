"""Database triggers that make the audit table append-only, per database vendor.

Used by migration 0004, by the SQLite `flush` override and by `kechuang check`.

Beware on SQLite: a later migration that alters AuditEntry makes Django rebuild the table, which
drops its triggers. Such a migration must end with a RunPython calling install_guard (the check
command reports the guard missing otherwise).
"""

from __future__ import annotations

from typing import Any

TABLE = "core_auditentry"
MESSAGE = "The audit log is append-only."
SQLITE_TRIGGERS = ("core_auditentry_no_update", "core_auditentry_no_delete")
POSTGRES_FUNCTION = "core_auditentry_append_only"
POSTGRES_TRIGGER = "core_auditentry_append_only"


def _sqlite_sql() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {SQLITE_TRIGGERS[0]} BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {SQLITE_TRIGGERS[1]} BEFORE DELETE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]


def _postgres_sql() -> list[str]:
    return [
        f"CREATE OR REPLACE FUNCTION {POSTGRES_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
        f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON {TABLE}",
        f"CREATE TRIGGER {POSTGRES_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {POSTGRES_FUNCTION}()",
    ]


def install_guard(connection: Any) -> None:
    if connection.vendor == "sqlite":
        statements = _sqlite_sql()
    elif connection.vendor == "postgresql":
        statements = _postgres_sql()
    else:  # other databases: the model-level refusal still applies
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove_guard(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON {TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION}()")


def guard_installed(connection: Any) -> bool:
    """True when the database itself refuses UPDATE and DELETE on the audit table."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            return set(SQLITE_TRIGGERS) <= {row[0] for row in cursor.fetchall()}
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass AND NOT tgisinternal",
                [POSTGRES_TRIGGER, TABLE],
            )
            return cursor.fetchone() is not None
    return False
