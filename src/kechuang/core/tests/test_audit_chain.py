"""The audit log as a hash chain: `kechuang audit verify` finds an entry edited or deleted with raw
SQL (after the append-only triggers are dropped, as an intruder with database rights would) and
names it; the migration chains the entries written before it; concurrent writers on PostgreSQL keep
one unbroken chain."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from kechuang.core import services
from kechuang.core.audit_chain import hash_of, verify
from kechuang.core.audit_guard import install_guard, remove_guard
from kechuang.core.models import AuditChainHead, AuditEntry, Organisation


@pytest.fixture
def log(make_org) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    org = make_org()
    for n in range(4):
        services.update_organisation(None, org, address=f"上海市浦东新区张江路 {n} 号")
    return list(AuditEntry.objects.order_by("id"))


@pytest.fixture
def unguarded() -> Iterator[None]:
    remove_guard(connection)
    try:
        yield
    finally:
        install_guard(connection)


def _verify_cli() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out)
        return 0, out.getvalue()
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()


def test_each_entry_chains_to_the_one_before(log) -> None:  # type: ignore[no-untyped-def]
    assert len(log) >= 5 and log[0].prev_hash == ""
    for before, entry in itertools.pairwise(log):
        assert entry.prev_hash == before.hash and len(entry.hash) == 64 and hash_of(entry) == entry.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_id, head.hash) == (log[-1].id, log[-1].hash)
    code, out = _verify_cli()
    assert code == 0 and f"{len(log)} entries, chain intact" in out and log[-1].hash in out


def test_an_edited_entry_is_named(log, unguarded) -> None:  # type: ignore[no-untyped-def]
    target = log[2]
    after = json.dumps(dict(target.after or {}, address="伪造的地址"), ensure_ascii=False)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET after = %s WHERE id = %s", [after, target.id])
    verdict = verify()
    assert [(p.entry_id, p.kind) for p in verdict.problems] == [(target.id, "altered")]
    code, out = _verify_cli()
    assert code == 1 and f"entry {target.id} was changed" in out


def test_an_edited_actor_or_time_is_named_too(log, unguarded) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET actor_repr = 'someone-else' WHERE id = %s", [log[1].id])
        cursor.execute("UPDATE core_auditentry SET at = %s WHERE id = %s", ["2020-01-01 00:00:00", log[3].id])
    assert [(p.entry_id, p.kind) for p in verify().problems] == [
        (log[1].id, "altered"),
        (log[3].id, "altered"),
    ]


def test_a_deleted_entry_is_named_by_its_neighbours(log, unguarded) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [log[2].id])
    verdict = verify()
    assert [(p.entry_id, p.kind) for p in verdict.problems] == [(log[3].id, "missing")]
    code, out = _verify_cli()
    assert code == 1 and f"entry {log[3].id} does not follow the entry before it (id {log[1].id})" in out


def test_deleting_the_last_entries_is_caught_by_the_head(log, unguarded) -> None:  # type: ignore[no-untyped-def]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id >= %s", [log[-2].id])
    assert [(p.entry_id, p.kind) for p in verify().problems] == [(log[-1].id, "head")]


def test_a_rolled_back_change_leaves_the_chain_intact(log) -> None:  # type: ignore[no-untyped-def]
    org = Organisation.objects.get(pk=log[0].object_id)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_organisation(None, org, address="回滚的地址")
        raise RuntimeError
    services.update_organisation(None, org, address="提交的地址")
    assert verify().ok


def test_the_migration_chains_entries_written_before_it(log, unguarded) -> None:  # type: ignore[no-untyped-def]
    import importlib

    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET prev_hash = '', hash = ''")
    AuditChainHead.objects.all().delete()
    assert not verify().ok
    migration = importlib.import_module("kechuang.core.migrations.0006_audit_hash_chain")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.chain_existing(apps, editor)
    verdict = verify()
    assert verdict.ok and verdict.entries == len(log)
    # New entries go on from there.
    services.update_organisation(None, Organisation.objects.get(pk=log[0].object_id), address="迁移之后")
    assert verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(make_org) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself (every transaction begins IMMEDIATE)")
    orgs = [make_org() for _ in range(4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(orgs))

    def write(org: Organisation) -> None:
        try:
            barrier.wait()
            for n in range(10):
                services.update_organisation(
                    None, Organisation.objects.get(pk=org.pk), address=f"并发 {n} 号"
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(o,)) for o in orgs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    verdict = verify()
    assert verdict.ok, [p.message for p in verdict.problems]
    assert AuditEntry.objects.filter(action="organisation.update").count() == 40
