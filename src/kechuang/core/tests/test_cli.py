"""The `kechuang` command: import / export / check through call_command, and once for real."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.core.management.commands import sanitycheck
from kechuang.core.models import AuditEntry, Organisation, User

EXAMPLES = Path(__file__).resolve().parents[4] / "docs" / "examples"
REPO = Path(__file__).resolve().parents[4]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_import_reports_and_exits_non_zero_on_bad_rows(db) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        "import_data", "organisations", str(EXAMPLES / "organisations-bad.csv"), "--lang", "en"
    )
    assert code == 1
    assert "Line 2, uscc: The check character" in out and "Nothing was imported" in out
    assert not Organisation.objects.exists()
    code, out, _ = run("import_data", "organisations", str(EXAMPLES / "organisations-bad.csv"))
    assert code == 1 and "第 2 行" in out


def test_import_options(db) -> None:  # type: ignore[no-untyped-def]
    bad = str(EXAMPLES / "organisations-bad.csv")
    code, out, _ = run("import_data", "organisations", bad, "--json", "--lang", "en")
    report = json.loads(out)
    assert code == 1 and report["bad_lines"] == [2, 3, 4, 5] and report["committed"] is False
    assert run("import_data", "organisations", bad, "--partial")[0] == 1
    assert Organisation.objects.count() == 1  # the one good row
    code, _, _ = run("import_data", "organisations", str(EXAMPLES / "organisations.csv"), "--dry-run")
    assert code == 0 and Organisation.objects.count() == 1


def test_import_with_an_actor(db, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(User.Role.ADMIN, username="ops-admin")
    assert (
        run("import_data", "organisations", str(EXAMPLES / "organisations.csv"), "--actor", "ops-admin")[0]
        == 0
    )
    assert AuditEntry.objects.filter(action="organisation.create", actor=admin).count() == 4
    with pytest.raises(CommandError):
        call_command("import_data", "organisations", str(EXAMPLES / "organisations.csv"), "--actor", "nobody")


def test_unreadable_file_is_a_command_error(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError) as exc:
        call_command("import_data", "organisations", str(tmp_path / "missing.csv"))
    assert exc.value.returncode == 2


def test_export_to_stdout_and_to_a_file(db, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run("import_data", "organisations", str(EXAMPLES / "organisations.csv"))
    code, out, err = run("export_data", "organisations")
    assert code == 0 and out.splitlines()[0].startswith("uscc,name") and len(out.splitlines()) == 5
    assert "4 organisations exported" in err
    target = tmp_path / "orgs.xlsx"
    assert run("export_data", "organisations", "-o", str(target))[0] == 0
    assert target.exists() and not (tmp_path / "orgs.xlsx.part").exists()
    with pytest.raises(CommandError):
        call_command("export_data", "organisations", "--format", "xlsx")  # binary needs a file


def test_check_passes_on_a_sound_database(db) -> None:  # type: ignore[no-untyped-def]
    run("import_data", "organisations", str(EXAMPLES / "organisations.csv"))
    findings = {f.code: f for f in sanitycheck.run_checks()}
    for code in ("database", "reference_tables", "audit_guard", "uscc", "orcid", "facts", "user_organisations",
                 "data_dir", "static_assets", "audit_gaps"):  # fmt: skip
        assert findings[code].level == "ok", (code, findings[code].render())


def test_check_finds_bad_data(db, make_org, make_user) -> None:  # type: ignore[no-untyped-def]
    org = make_org()
    # Written around the service layer on purpose, as a careless script would.
    Organisation.objects.filter(pk=org.pk).update(uscc="91310115MA1K4XYA09")
    User.objects.create(username="orphan", role=User.Role.ENTERPRISE)
    code, out, _ = run("sanitycheck", "--json", "--lang", "en")
    report = json.loads(out)
    levels = {c["code"]: c["level"] for c in report["checks"]}
    assert code == 1 and report["ok"] is False
    assert levels["uscc"] == "error" and levels["user_organisations"] == "error"
    assert levels["audit_coverage"] == "warning"  # the orphan user has no audit entry
    message = next(c["message"] for c in report["checks"] if c["code"] == "uscc")
    assert "91310115MA1K4XYA09" in message


def test_check_reports_and_repairs_a_missing_audit_guard(db) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    from kechuang.core.audit_guard import guard_installed, remove_guard

    remove_guard(connection)
    assert sanitycheck.check_audit_guard().level == "error"
    _code, out, _ = run("sanitycheck", "--json", "--repair-audit-guard")
    assert guard_installed(connection)
    assert {c["code"]: c["level"] for c in json.loads(out)["checks"]}["audit_guard"] == "ok"


def test_check_finds_inconsistent_facts(db, make_org) -> None:  # type: ignore[no-untyped-def]
    from kechuang.core import services
    from kechuang.core.models import EnterpriseFacts

    org = make_org()
    services.record_enterprise_facts(
        None, org, 2022, staff=10, rd_staff=5, rd_expense=100, rd_expense_domestic=50
    )
    assert sanitycheck.check_facts().level == "ok"
    EnterpriseFacts.objects.filter(organisation=org).update(rd_staff=50)
    assert sanitycheck.check_facts().level == "error"


def test_check_warns_about_the_default_secret_key(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.SECRET_KEY = "kechuang-development-key-not-for-production-use"
    assert sanitycheck.check_secret_key().level == "warning"
    settings.SECRET_KEY = "x" * 50
    assert sanitycheck.check_secret_key().level == "ok"


def test_check_finds_uncompiled_catalogues(tmp_path) -> None:  # type: ignore[no-untyped-def]
    po = tmp_path / "app" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text("", encoding="utf-8")
    assert sanitycheck.check_translations(tmp_path).level == "error"
    po.with_suffix(".mo").write_bytes(b"")
    assert sanitycheck.check_translations(tmp_path).level == "ok"


def test_the_kechuang_entry_point_runs_in_a_subprocess(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The installed console script, for real, on a fresh data directory: `check` maps to the
    platform's sanity check, speaks JSON and fails (exit 1) because nothing is migrated yet."""
    exe = Path(sys.executable).with_name("kechuang")
    env = {k: v for k, v in os.environ.items() if k != "KECHUANG_DATABASE_URL"}
    env["KECHUANG_DATA_DIR"] = str(tmp_path / "var")
    done = subprocess.run([str(exe), "check", "--json", "--lang", "en"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    report = json.loads(done.stdout)
    levels = {c["code"]: c["level"] for c in report["checks"]}
    assert done.returncode == 1 and levels["database"] == "ok" and levels["migrations"] == "error"
    assert (tmp_path / "var").is_dir()
