"""kechuang check [--json] [--lang zh|en]: configuration and data sanity. Exit status 1 on errors.

(`kechuang check` maps here; Django's own system check stays available as `kechuang django-check`.)
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import BigIntegerField, Count, F, Max, Min, Q
from django.db.models.functions import Cast
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ERROR, WARNING, OK = "error", "warning", "ok"
DEFAULT_SECRET_KEYS = {"kechuang-development-key-not-for-production-use"}
VENDOR_ASSETS = ("vendor/htmx.min.js", "vendor/chart.umd.min.js")
PACKAGE_DIR = Path(__file__).resolve().parents[3]  # src/kechuang
SAMPLE = 5  # how many offending records a finding names


@dataclass
class Finding:
    level: str
    code: str
    message: Any
    params: dict[str, Any] | None = None

    def render(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


def _sample(values: list[Any]) -> str:
    shown = ", ".join(str(v) for v in values[:SAMPLE])
    return shown + (" …" if len(values) > SAMPLE else "")


# --- configuration ---------------------------------------------------------------------------


def check_secret_key() -> Finding:
    if not settings.DEBUG and (settings.SECRET_KEY in DEFAULT_SECRET_KEYS or len(settings.SECRET_KEY) < 32):
        return Finding(WARNING, "secret_key", _("DEBUG is off but the secret key is the development default "
                                                "or short: set KECHUANG_SECRET_KEY."))  # fmt: skip
    return Finding(OK, "secret_key", _("The secret key is set."))


def check_data_dir() -> Finding:
    data_dir = Path(settings.DATA_DIR)
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".check-"):
            pass
    except OSError:
        return Finding(
            ERROR, "data_dir", _("The data directory %(path)s is not writable."), {"path": data_dir}
        )
    return Finding(OK, "data_dir", _("The data directory %(path)s is writable."), {"path": data_dir})


def check_database() -> Finding:
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        return Finding(ERROR, "database", _("The database cannot be reached: %(detail)s"), {"detail": exc})
    return Finding(
        OK, "database", _("The database (%(vendor)s) is reachable."), {"vendor": connection.vendor}
    )


def _pending_migrations() -> list[Any]:
    executor = MigrationExecutor(connection)
    return [m for m, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def check_migrations() -> Finding:
    plan = _pending_migrations()
    if plan:
        names = [f"{m.app_label}.{m.name}" for m in plan]
        return Finding(ERROR, "migrations", _("%(n)s migrations are not applied (%(names)s): run `kechuang migrate`."),
                       {"n": len(plan), "names": _sample(names)})  # fmt: skip
    return Finding(OK, "migrations", _("All migrations are applied."))


def check_reference_tables() -> Finding:
    from kechuang.core.models import Industry, Region, TechField
    from kechuang.core.reference import _rows

    short = []
    for model, name in ((Region, "regions"), (Industry, "industries"), (TechField, "tech_fields")):
        expected = {r["code"] for r in _rows(name)}
        present = set(model.objects.filter(pk__in=expected).values_list("pk", flat=True))
        if present != expected:
            short.append(f"{name} ({len(present)}/{len(expected)})")
    if short:
        return Finding(ERROR, "reference_tables", _("Reference tables are incomplete: %(tables)s. Run `kechuang migrate`."),
                       {"tables": ", ".join(short)})  # fmt: skip
    return Finding(
        OK, "reference_tables", _("The reference tables (regions, industries, technology fields) are loaded.")
    )


def check_static_assets() -> Finding:
    missing = [a for a in VENDOR_ASSETS if not finders.find(a)]
    if missing:
        return Finding(ERROR, "static_assets", _("Front-end assets are missing: %(files)s. Run `npm ci` (make setup)."),
                       {"files": ", ".join(missing)})  # fmt: skip
    return Finding(OK, "static_assets", _("The front-end assets (htmx, Chart.js) are present."))


def check_translations(package_dir: Path = PACKAGE_DIR) -> Finding:
    missing, stale = [], []
    for po in sorted(package_dir.glob("**/locale/*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        rel = str(po.relative_to(package_dir))
        if not mo.exists():
            missing.append(rel)
        elif mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(rel)
    if missing:
        return Finding(ERROR, "translations", _("Catalogues are not compiled: %(files)s. Run "
                                                "`python scripts/messages.py update`."),
                       {"files": _sample(missing)})  # fmt: skip
    if stale:
        return Finding(WARNING, "translations", _("Compiled catalogues are older than their sources: %(files)s."),
                       {"files": _sample(stale)})  # fmt: skip
    return Finding(OK, "translations", _("The translations are compiled."))


# --- data ------------------------------------------------------------------------------------


def check_audit_guard() -> Finding:
    from kechuang.core.audit_guard import guard_installed

    if connection.vendor in {"sqlite", "postgresql"} and not guard_installed(connection):
        return Finding(ERROR, "audit_guard", _("The database does not protect the audit log (triggers missing): "
                                               "run `kechuang check --repair-audit-guard`."))  # fmt: skip
    return Finding(OK, "audit_guard", _("The database refuses changes to the audit log."))


def check_audit_chain() -> Finding:
    from kechuang.core.audit_chain import verify

    verdict = verify()
    if not verdict.ok:
        return Finding(ERROR, "audit_chain", _("The audit log's hash chain is broken (%(n)s problems), first: %(first)s. "
                                               "Run `kechuang audit verify` for the list."),
                       {"n": len(verdict.problems), "first": verdict.problems[0].message})  # fmt: skip
    return Finding(
        OK, "audit_chain", _("The audit log's hash chain is intact (%(n)s entries)."), {"n": verdict.entries}
    )


def check_credit_codes() -> Finding:
    from kechuang.core.identifiers import uscc_problem
    from kechuang.core.models import Organisation

    bad = [
        f"{pk}:{code}"
        for pk, code in Organisation.objects.values_list("pk", "uscc").iterator()
        if uscc_problem(code)
    ]
    if bad:
        return Finding(ERROR, "uscc", _("%(n)s organisations have an invalid credit code: %(sample)s."),
                       {"n": len(bad), "sample": _sample(bad)})  # fmt: skip
    return Finding(OK, "uscc", _("Every stored credit code is valid."))


def check_orcids() -> Finding:
    from kechuang.core.identifiers import orcid_problem
    from kechuang.core.models import Person

    rows = Person.objects.exclude(orcid="").values_list("pk", "orcid").iterator()
    bad = [f"{pk}:{orcid}" for pk, orcid in rows if orcid_problem(orcid)]
    if bad:
        return Finding(ERROR, "orcid", _("%(n)s people have an invalid ORCID iD: %(sample)s."),
                       {"n": len(bad), "sample": _sample(bad)})  # fmt: skip
    return Finding(OK, "orcid", _("Every stored ORCID iD is valid."))


def check_facts() -> Finding:
    from kechuang.core.models import EnterpriseFacts
    from kechuang.core.services import MAX_FACT_YEAR, MIN_FACT_YEAR

    inconsistent = (
        Q(staff__isnull=False, st_staff__gt=F("staff"))
        | Q(staff__isnull=False, rd_staff__gt=F("staff"))
        | Q(rd_expense__isnull=False, rd_expense_domestic__gt=F("rd_expense"))
        | Q(innovation_score__gt=100)
        | Q(year__lt=MIN_FACT_YEAR)
        | Q(year__gt=MAX_FACT_YEAR)
        | Q(revenue__lt=0)
        | Q(rd_expense__lt=0)
        | Q(total_assets__lt=0)
    )
    bad = list(EnterpriseFacts.objects.filter(inconsistent).values_list("organisation_id", "year")[:100])
    if bad:
        return Finding(ERROR, "facts", _("%(n)s annual facts rows contradict themselves (organisation:year): %(sample)s."),
                       {"n": len(bad), "sample": _sample([f"{o}:{y}" for o, y in bad])})  # fmt: skip
    return Finding(OK, "facts", _("The annual facts are internally consistent."))


def check_user_organisations() -> Finding:
    from kechuang.core.models import User

    bad = list(User.objects.filter(role__in=User.ORGANISATION_ROLES, organisation__isnull=True)
               .values_list("username", flat=True))  # fmt: skip
    if bad:
        return Finding(ERROR, "user_organisations", _("%(n)s users act for an organisation but have none: %(sample)s."),
                       {"n": len(bad), "sample": _sample(bad)})  # fmt: skip
    return Finding(OK, "user_organisations", _("Every organisation user has an organisation."))


def check_audit_gaps() -> list[Finding]:
    from kechuang.core.models import AuditEntry, Carrier, EnterpriseFacts, Organisation, Person, User

    findings = []
    # Entries are never deleted, and SQLite never reuses or skips an id (a rolled-back insert
    # rolls its counter back too), so a hole in the ids means rows were removed behind the
    # application's back. PostgreSQL sequences skip on rollback, so the test is SQLite's only.
    if connection.vendor == "sqlite":
        stats = AuditEntry.objects.aggregate(n=Count("id"), lo=Min("id"), hi=Max("id"))
        if stats["n"] and stats["hi"] - stats["lo"] + 1 != stats["n"]:
            findings.append(Finding(ERROR, "audit_gaps", _("%(n)s audit entries are missing between id %(lo)s and id %(hi)s."),
                                    {"n": stats["hi"] - stats["lo"] + 1 - stats["n"], "lo": stats["lo"], "hi": stats["hi"]}))  # fmt: skip
    unaudited = []
    for model in (Organisation, EnterpriseFacts, Person, Carrier, User):
        label = model._meta.label_lower
        audited = (AuditEntry.objects.filter(object_type=label)
                   .annotate(oid=Cast("object_id", BigIntegerField())).values("oid"))  # fmt: skip
        n = model.objects.exclude(pk__in=audited).count()
        if n:
            unaudited.append(f"{label} ({n})")
    if unaudited:
        findings.append(Finding(WARNING, "audit_coverage", _("Records with no audit entry (written around the service "
                                                             "layer): %(sample)s."),
                                {"sample": ", ".join(unaudited)}))  # fmt: skip
    if not findings:
        findings.append(Finding(OK, "audit_gaps", _("The audit log has no gaps and covers every record.")))
    return findings


def check_upload_leftovers() -> Finding:
    from kechuang.core.uploads import leftover_bytes, leftovers

    found = leftovers()
    if found:
        return Finding(WARNING, "upload_leftovers", _("%(n)s temporary upload folders or files of killed server processes "
                                                      "(%(size)s bytes) are in %(path)s: a server start removes them."),
                       {"n": len(found), "size": leftover_bytes(found), "path": settings.FILE_UPLOAD_TEMP_DIR})  # fmt: skip
    return Finding(OK, "upload_leftovers", _("No temporary uploads were left by killed server processes."))


def check_app_files() -> list[Finding]:
    """Leftovers that other apps know how to find (the search index's), through Django's check
    registry (tag "kechuang_files"): core imports no app above it."""
    from django.core import checks

    messages = checks.run_checks(tags=["kechuang_files"], include_deployment_checks=True)
    if not messages:
        return [Finding(OK, "index_leftovers", _("No files were left by a killed reindex."))]
    return [Finding(ERROR if m.is_serious() else WARNING, m.id or "files", m.msg) for m in messages]


def run_checks() -> list[Finding]:
    findings = [check_secret_key(), check_data_dir(), check_database()]
    if findings[-1].level == ERROR:
        return findings  # nothing else can be checked without the database
    findings += [check_migrations(), check_static_assets(), check_translations(), check_upload_leftovers(),
                 *check_app_files()]  # fmt: skip
    if any(m.app_label == "core" for m in _pending_migrations()):
        return findings  # the core tables may be missing: the data checks would only crash
    findings += [check_reference_tables(), check_audit_guard(), check_audit_chain(), check_credit_codes(), check_orcids(), check_facts(),
                 check_user_organisations(), *check_audit_gaps()]  # fmt: skip
    return findings


class Command(BaseCommand):
    help = "Check the configuration and the data; exit status 1 when there are errors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh")
        parser.add_argument(
            "--repair-audit-guard", action="store_true",
            help="reinstall the database triggers that keep the audit log append-only, then check",
        )  # fmt: skip

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["repair_audit_guard"]:
            from kechuang.core.audit_guard import install_guard

            install_guard(connection)
        findings = run_checks()
        errors = sum(f.level == ERROR for f in findings)
        warnings = sum(f.level == WARNING for f in findings)
        with translation.override("en" if opts["lang"] == "en" else "zh-hans"):
            if opts["json"]:
                out = {"ok": errors == 0, "errors": errors, "warnings": warnings,
                       "checks": [{"level": f.level, "code": f.code, "message": f.render()} for f in findings]}  # fmt: skip
                self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str))
            else:
                styles = {ERROR: self.style.ERROR, WARNING: self.style.WARNING, OK: self.style.SUCCESS}
                for f in findings:
                    self.stdout.write(styles[f.level](f"{f.level.upper():8}") + f"{f.code:20}{f.render()}")
                self.stdout.write(str(_("%(errors)s errors, %(warnings)s warnings.")) % {"errors": errors,
                                                                                          "warnings": warnings})  # fmt: skip
        if errors:
            raise SystemExit(1)
