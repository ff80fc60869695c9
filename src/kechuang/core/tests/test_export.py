"""Exports: every kind in every format, stable, and importing an export gives back the same data."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kechuang.core import services
from kechuang.core.exporters import columns_of, export
from kechuang.core.importers import import_file
from kechuang.core.models import (
    Affiliation,
    ApiToken,
    AuditEntry,
    Carrier,
    EnterpriseFacts,
    Notification,
    Organisation,
    Person,
    User,
)

EXAMPLES = Path(__file__).resolve().parents[4] / "docs" / "examples"
ORDER = (("organisations", "organisations.csv"), ("facts", "facts.csv"), ("people", "people.jsonl"),
         ("carriers", "carriers.csv"), ("users", "users.csv"))  # fmt: skip
KINDS = [k for k, _ in ORDER]


@pytest.fixture
def registries(db) -> None:  # type: ignore[no-untyped-def]
    for kind, name in ORDER:
        assert import_file(kind, EXAMPLES / name).committed


def _export(kind: str, fmt: str, path: Path) -> Path:
    target = path / f"{kind}.{fmt}"
    if fmt == "xlsx":
        with target.open("wb") as fh:
            export(kind, fh, fmt)
    else:
        with target.open("w", encoding="utf-8", newline="") as fh:
            export(kind, fh, fmt)
    return target


def _wipe() -> None:
    """Remove every registry row (the audit log stays: it is append-only)."""
    ApiToken.objects.all().delete()
    Notification.objects.all().delete()
    User.objects.all().delete()
    Affiliation.objects.all().delete()
    Person.objects.all().delete()
    Carrier.objects.all().delete()
    EnterpriseFacts.objects.all().delete()
    Organisation.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_round_trip_into_an_empty_registry(registries, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a").mkdir()
    first = {kind: _export(kind, fmt, tmp_path / "a") for kind in KINDS}
    _wipe()
    for kind in KINDS:
        report = import_file(kind, first[kind])
        assert report.ok and report.committed, report.lines("en")
    (tmp_path / "b").mkdir()
    for kind in KINDS:
        second = _export(kind, fmt, tmp_path / "b")
        if fmt == "xlsx":
            rows = [list(load_workbook(p).active.values) for p in (first[kind], second)]
            assert rows[0] == rows[1], kind
        else:
            assert first[kind].read_text(encoding="utf-8") == second.read_text(encoding="utf-8"), kind


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx"])
def test_reimporting_an_export_changes_nothing(registries, tmp_path, fmt) -> None:  # type: ignore[no-untyped-def]
    audit_before = AuditEntry.objects.count()
    for kind in KINDS:
        report = import_file(kind, _export(kind, fmt, tmp_path))
        assert report.ok and report.created == report.updated == 0, (kind, report.lines("en"))
    assert AuditEntry.objects.count() == audit_before


def test_values_are_written_as_the_importer_reads_them(registries) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    export("facts", out, "jsonl")
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    full = next(r for r in rows if r["uscc"] == "91310115MA1K4XYA08")
    assert (
        full["revenue"] == "48000000.00"
        and full["staff"] == 120
        and full["hnte_cert_valid_until"] == "2024-12-31"
    )
    partial = next(r for r in rows if r["uscc"] == "91310104MA1FL5AB24")
    assert partial["revenue"] is None  # missing stays missing
    out = io.StringIO()
    export("organisations", out, "csv")
    header, first = out.getvalue().splitlines()[:2]
    assert header.split(",") == columns_of("organisations")
    assert first.startswith("12100000425006117P,示例大学")  # ordered by credit code


def test_users_export_has_no_password(registries) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    export("users", out, "csv")
    assert "password" not in out.getvalue() and "pbkdf2" not in out.getvalue()


def test_audit_export(registries, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(User.Role.ADMIN)
    services.update_organisation(admin, Organisation.objects.first(), address="新地址")
    out = io.StringIO()
    export("audit", out, "jsonl")
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == AuditEntry.objects.count()
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    last = rows[-1]
    assert last["actor"] == admin.username and last["action"] == "organisation.update"
    assert last["after"]["address"] == "新地址"
