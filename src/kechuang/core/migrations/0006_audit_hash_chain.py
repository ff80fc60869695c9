"""The audit log becomes a hash chain (core/audit_chain.py): two columns, the chain's head, and
the entries already written chained in id order. The append-only triggers are lifted only while
this migration fills the new columns (on SQLite, adding columns may rebuild the table, which drops
them anyway), then put back."""

import django.utils.timezone
from django.db import migrations, models

from kechuang.core.audit_chain import FIELDS, entry_hash
from kechuang.core.audit_guard import install_guard, remove_guard


def chain_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    remove_guard(connection)
    previous, last_id, batch = "", 0, []
    with connection.cursor() as cursor:
        for entry in AuditEntry.objects.order_by("id").only("id", *FIELDS).iterator(chunk_size=2000):
            digest = entry_hash({name: getattr(entry, name) for name in FIELDS}, previous)
            batch.append((previous, digest, entry.id))
            previous, last_id = digest, entry.id
            if len(batch) >= 2000:
                cursor.executemany("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", batch)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_id": last_id, "hash": previous})
    install_guard(connection)


def unchain(apps, schema_editor):  # type: ignore[no-untyped-def]
    install_guard(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_job'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_id', models.BigIntegerField(default=0)),
                ('hash', models.CharField(blank=True, default='', max_length=64)),
            ],
            options={
                'verbose_name': 'audit chain head',
            },
        ),
        migrations.AddField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='hash'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name="previous entry's hash"),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='when'),
        ),
        migrations.RunPython(chain_existing, unchain),
    ]
