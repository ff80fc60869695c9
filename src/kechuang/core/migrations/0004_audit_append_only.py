"""The audit log is append-only in the database too: triggers reject UPDATE and DELETE.

The model and queryset already refuse; the triggers also stop raw SQL, the Django shell and other
programs sharing the database. Wiping the whole database (`flush`) stays possible: PostgreSQL
flushes with TRUNCATE, which row triggers do not see, and on SQLite the project's `flush`
command lifts the triggers for the duration (kechuang.core.management.commands.flush).
"""

from django.db import migrations

from kechuang.core.audit_guard import install_guard, remove_guard


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_guard(schema_editor.connection)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    remove_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_history_kept")]

    operations = [migrations.RunPython(forwards, backwards)]
