"""The audit log is append-only: in the model, in the queryset and in the database itself."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from kechuang.core import audit, services
from kechuang.core.audit_guard import guard_installed
from kechuang.core.models import AuditEntry, User


@pytest.fixture
def entry(own_org) -> AuditEntry:  # type: ignore[no-untyped-def]
    return AuditEntry.objects.filter(action="organisation.create").first()


def test_the_database_has_the_guard(db) -> None:  # type: ignore[no-untyped-def]
    assert guard_installed(connection)


def test_raw_update_is_rejected_by_the_database(entry: AuditEntry) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditentry SET action = %s WHERE id = %s", ["forged", entry.pk])
    entry_again = AuditEntry.objects.get(pk=entry.pk)
    assert entry_again.action == "organisation.create"


def test_raw_delete_is_rejected_by_the_database(entry: AuditEntry) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_orm_refuses_too(entry: AuditEntry) -> None:
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_deleting_a_user_keeps_their_history(make_user, own_org) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.REVIEWER, username="leaver")
    services.update_organisation(user, own_org, address="科苑路 88 号")
    entry = AuditEntry.objects.get(action="organisation.update")
    user_id = user.pk
    user.delete()  # no UPDATE of the audit row is needed, so the guard does not get in the way
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor_repr == "leaver" and entry.actor_id == user_id


def test_an_entry_records_who_what_before_after(make_user, own_org) -> None:  # type: ignore[no-untyped-def]
    user = make_user(User.Role.REVIEWER)
    before = AuditEntry.objects.count()
    row = audit.record(user, "organisation.note", own_org, {"a": 1}, {"a": 2})
    assert AuditEntry.objects.count() == before + 1
    assert (row.actor, row.actor_repr, row.object_type, row.object_id) == (
        user,
        user.username,
        "core.organisation",
        str(own_org.pk),
    )
    assert row.organisation == own_org and row.at is not None
    assert row.changes == [("a", 1, 2)]


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_keeps_the_guard(make_org) -> None:  # type: ignore[no-untyped-def]
    make_org()
    assert AuditEntry.objects.exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert guard_installed(connection)
