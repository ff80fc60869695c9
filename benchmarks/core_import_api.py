#!/usr/bin/env python
"""Core registries: import / export throughput, `kechuang check`, and API latency, beside targets.

    .venv/bin/python benchmarks/core_import_api.py [--rows 5000] [--repeat 30]
    python -m kechuang.testing.postgres -- .venv/bin/python benchmarks/core_import_api.py   # PostgreSQL

Uses a throw-away SQLite data directory unless KECHUANG_DATABASE_URL is set. Generates N synthetic
organisations (valid credit codes) and one facts row each as CSV, then times:
- `import organisations` and `import facts` (every row through services.py: validated and audited),
- the same imports again (every row matched, nothing changed),
- a dry run with one bad row at the end (all-or-nothing: the whole file is checked, nothing kept),
- exports in CSV, JSON Lines and XLSX,
- `kechuang check` (configuration and data sanity over the whole registry),
- API calls through Django's test client with a bearer token (no network).

Targets are ours (the issues name none for these): imports at least 200 rows/s on this machine, so
a district's 10,000 enterprises load in under a minute; exports at least 5,000 rows/s; the sanity
check under 10 s; API p95 under 250 ms (issue 3's API target).
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import setup_django_on_fresh_data

IMPORT_TARGET = 200.0  # rows/s
EXPORT_TARGET = 5000.0  # rows/s
CHECK_TARGET_S = 10.0
API_TARGET_MS = 250.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    setup_django_on_fresh_data()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kechuang.core import services
    from kechuang.core.exporters import export
    from kechuang.core.identifiers import make_uscc
    from kechuang.core.importers import import_file
    from kechuang.core.management.commands.sanitycheck import run_checks
    from kechuang.core.models import Organisation, User

    call_command("migrate", verbosity=0)
    work = Path(tempfile.mkdtemp(prefix="kechuang-bench-files-"))
    rng = random.Random(2022)
    districts = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310115"]
    orgs, facts = (
        ["uscc,name,kind,region,industry,tech_fields,founded_on"],
        ["uscc,year,revenue,rd_expense,rd_expense_domestic,staff,st_staff,rd_staff,innovation_score"],
    )
    for i in range(args.rows):
        uscc = make_uscc(f"91310000{i:09d}")
        orgs.append(
            f"{uscc},基准测试企业{i:06d}有限公司,enterprise,{rng.choice(districts)},39,1.2;8,2015-06-01"
        )
        staff = rng.randint(10, 500)
        rd = rng.randint(100_000, 9_000_000)
        facts.append(f"{uscc},2022,{rng.randint(1_000_000, 90_000_000)}.00,{rd}.00,{rd}.00,{staff},"
                     f"{staff // 3},{staff // 4},{rng.randint(40, 95)}")  # fmt: skip
    (work / "orgs.csv").write_text("\n".join(orgs) + "\n", encoding="utf-8")
    (work / "facts.csv").write_text("\n".join(facts) + "\n", encoding="utf-8")
    (work / "facts-bad.csv").write_text("\n".join([*facts, f"{make_uscc('91310000999999999')},2022"]) + "\n",
                                        encoding="utf-8")  # fmt: skip

    print(f"database: {connection.vendor}; rows: {args.rows}")
    rows: list[tuple[str, str, str]] = []

    def timed_import(label: str, kind: str, name: str, **kw: object) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        report = import_file(kind, work / name, **kw)  # type: ignore[arg-type]
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        rate = report.rows / took
        ok = "ok" if rate >= IMPORT_TARGET else "**missed**"
        # CPU time too: on a shared machine the wall clock mostly measures the neighbours.
        rows.append((label, f"{took:.1f} s, {rate:,.0f} rows/s (CPU {report.rows / cpu:,.0f} rows/s)",
                     f"≥ {IMPORT_TARGET:.0f} rows/s {ok}"))  # fmt: skip
        assert report.committed or kw.get("dry_run") or not report.ok, report.lines("en")[-3:]

    timed_import("import organisations (new)", "organisations", "orgs.csv")
    timed_import("import facts (new)", "facts", "facts.csv")
    timed_import("import organisations again (unchanged)", "organisations", "orgs.csv")
    timed_import("import facts again (unchanged)", "facts", "facts.csv")
    timed_import("facts with one bad last row (all checked, none kept)", "facts", "facts-bad.csv")

    for kind in ("organisations", "facts"):
        for fmt in ("csv", "jsonl", "xlsx"):
            out: io.StringIO | io.BytesIO = io.BytesIO() if fmt == "xlsx" else io.StringIO()
            start = time.perf_counter()
            n = export(kind, out, fmt)
            took = time.perf_counter() - start
            ok = "ok" if n / took >= EXPORT_TARGET else "**missed**"
            rows.append((f"export {kind} {fmt}", f"{took:.2f} s, {n / took:,.0f} rows/s",
                         f"≥ {EXPORT_TARGET:,.0f} rows/s {ok}"))  # fmt: skip

    start = time.perf_counter()
    findings = run_checks()
    took = time.perf_counter() - start
    rows.append(("kechuang check (all checks)", f"{took:.2f} s", f"< {CHECK_TARGET_S:.0f} s "
                 + ("ok" if took < CHECK_TARGET_S else "**missed**")))  # fmt: skip
    assert not [f for f in findings if f.level == "error" and f.code not in {"migrations", "translations"}]

    org = Organisation.objects.order_by("uscc").first()
    assert org is not None
    user = services.create_user(None, "bench-enterprise", None, User.Role.ENTERPRISE, org)
    _token, key = services.issue_api_token(user, "bench")
    client = Client()
    headers = {"Authorization": f"Bearer {key}"}
    calls = [
        ("API GET /core/organisations (page 1)", "/api/v1/core/organisations"),
        (
            "API GET /core/organisations?page=50",
            f"/api/v1/core/organisations?page={max(1, args.rows // 100)}",
        ),
        ("API GET /core/organisations?q=基准测试企业0042", "/api/v1/core/organisations?q=基准测试企业0042"),
        ("API GET /core/organisations/{id}", f"/api/v1/core/organisations/{org.pk}"),
        ("API GET /core/organisations/{id}/facts/2022", f"/api/v1/core/organisations/{org.pk}/facts/2022"),
        ("API GET /core/me", "/api/v1/core/me"),
    ]
    for label, url in calls:
        client.get(url, headers=headers)
        samples = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        samples.sort()
        p95 = samples[int(0.95 * (len(samples) - 1))]
        rows.append((label, f"median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms",
                     f"p95 < {API_TARGET_MS:.0f} ms " + ("ok" if p95 < API_TARGET_MS else "**missed**")))  # fmt: skip
    start = time.perf_counter()
    response = client.put(f"/api/v1/core/organisations/{org.pk}/facts/2023", data={"staff": 10},
                          content_type="application/json", headers=headers)  # fmt: skip
    took = (time.perf_counter() - start) * 1000
    assert response.status_code == 200
    rows.append(("API PUT /core/organisations/{id}/facts/2023 (one write, audited)", f"{took:.1f} ms",
                 f"< {API_TARGET_MS:.0f} ms " + ("ok" if took < API_TARGET_MS else "**missed**")))  # fmt: skip

    width = max(len(r[0]) for r in rows)
    for label, figure, target in rows:
        print(f"{label:<{width}}  {figure:<48}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
