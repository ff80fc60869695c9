"""Load benchmark (issue 15): 50 locust users for 60 s against the production server on PostgreSQL
on loopback, with the demo dataset. Not a test: prints p50/p95 per page against the targets
(p95 ≤ 300 ms for pages, ≤ 500 ms for match) and the error count (target: zero).

    .venv/bin/python benchmarks/load_serve.py                 # throw-away PostgreSQL 15 + full demo load
    .venv/bin/python benchmarks/load_serve.py --database-url postgres://… --data-dir DIR   # prepared

The server runs as `kechuang serve` runs it: gunicorn, `--workers` processes (default 2, one per
core) × `--threads` (4) gthread workers, with background embedding off so the figures measure
requests, not the embedding of the demo. Needs the bench extra (`pip install -e .[bench]`).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGE_TARGET_MS, MATCH_TARGET_MS = 300, 500

FIXTURE_CODE = r"""
import json
from kechuang.core import services
from kechuang.core.models import Organisation, User
from kechuang.achievements.models import TechSupply as Supply
from kechuang.demo.accounts import PASSWORD
user = User.objects.get(username="enterprise")
_token, key = services.issue_api_token(user, "load benchmark")
orgs = list(Organisation.objects.order_by("?").values_list("pk", flat=True)[:500])
supplies = list(Supply.objects.filter(status="published").order_by("?").values_list("pk", flat=True)[:500])
contract = {"title": "高精度传感器技术转让", "contract_type": "transfer", "subtype": "transfer_patent",
    "seller_uscc": user.organisation.uscc, "buyer_uscc": "BUYER", "buyer_name": "苏州买方科技有限公司",
    "buyer_region": "320500", "signed_on": "2026-03-01", "starts_on": "2026-03-01", "ends_on": "2031-03-01",
    "total_amount": "8000000.00", "tech_amount": "7000000.00", "ancillary_amount": "500000.00",
    "ancillary_same_invoice": True, "tech_fields": ["1.2"],
    "ip_items": [{"kind": "patent", "number": "ZL201710601862.3", "title": "传感器"}],
    "instalments": [{"due_on": "2026-04-01", "amount": "100"}]}
from kechuang.core.identifiers import make_uscc
contract["buyer_uscc"] = make_uscc("91320500MA1XYW001")
print("FIXTURE" + json.dumps({"token": key, "organisations": orgs, "supplies": supplies, "username": "enterprise",
    "password": PASSWORD, "own_organisation": user.organisation_id, "contract": contract}))
"""


def kechuang(*args: str, env: dict[str, str], capture: bool = False) -> str:
    done = subprocess.run([str(BIN / "kechuang"), *args], env=env, check=True, text=True,
                          capture_output=capture)  # fmt: skip
    return done.stdout if capture else ""


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server stopped while starting")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as r:
            if r.status == 200:
                return
        time.sleep(0.5)
    raise SystemExit("the server did not come up")


def server_command(bind: str, workers: int, threads: int, env: dict[str, str]) -> list[str]:
    """`kechuang serve` when this checkout has it; otherwise gunicorn with the arguments it uses."""
    has_serve = (
        subprocess.run([str(BIN / "kechuang"), "help", "serve"], env=env, capture_output=True).returncode == 0
    )
    if has_serve:
        return [str(BIN / "kechuang"), "serve", "--bind", bind, "--workers", str(workers), "--threads", str(threads),
                "--task-workers", "0"]  # fmt: skip
    return [sys.executable, "-m", "gunicorn", "kechuang.wsgi:application", "--bind", bind, "--workers", str(workers),
            "--threads", str(threads), "--worker-class", "gthread", "--timeout", "120", "--graceful-timeout", "30",
            "--no-control-socket", "--name", "kechuang",
            # Longer than a client's pause between requests: with gunicorn's default of 2 s, a client
            # reusing a connection just as the server closes it gets "connection reset".
            "--keep-alive", "75",
            # Each request's time inside the server (µs), to tell server time from queueing.
            "--access-logfile", "-", "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]  # fmt: skip


def _page_of(method: str, path: str) -> str:
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "home"
    return method + " /" + "/".join("N" if p.isdigit() else p for p in parts[:3]) + "/"


def server_times(log: Path, offset: int) -> None:
    """Time inside gunicorn per page (from its access log): what the server spent, without the
    time a request waited for a free worker thread or for the load generator's own CPU."""
    times: dict[str, list[float]] = {}
    with open(log, encoding="utf-8", errors="replace") as fh:
        fh.seek(offset)
        for line in fh:
            bits = line.split()
            if len(bits) == 4 and bits[3].isdigit():
                times.setdefault(_page_of(bits[0], bits[1]), []).append(int(bits[3]) / 1000)
    print("time inside the server (gunicorn access log):")
    for page, values in sorted(times.items(), key=lambda kv: -len(kv[1])):
        values.sort()
        p50, p95 = values[len(values) // 2], values[min(len(values) - 1, int(len(values) * 0.95))]
        print(f"  {page:40}{len(values):>6}  p50 {p50:7.0f} ms  p95 {p95:7.0f} ms")


def run(database_url: str, data_dir: Path, args: argparse.Namespace) -> int:
    env = dict(os.environ, KECHUANG_DATABASE_URL=database_url, KECHUANG_DATA_DIR=str(data_dir),
               KECHUANG_EMBED_IN_BACKGROUND="0", KECHUANG_ALLOWED_HOSTS="127.0.0.1,localhost")  # fmt: skip
    if not args.skip_load:
        t0 = time.monotonic()
        kechuang("demo", "-v", "0", env=env)
        print(f"demo loaded in {time.monotonic() - t0:.0f} s")
    out = kechuang("shell", "-c", FIXTURE_CODE, env=env, capture=True)
    fixture = json.loads(out.split("FIXTURE", 1)[1])
    fixture["policy_check"] = json.loads(
        (ROOT / "docs/examples/policies-check.json").read_text(encoding="utf-8")
    ) | {"year": 2023}
    work = Path(tempfile.mkdtemp(prefix="kechuang-load-"))
    (work / "fixture.json").write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")

    bind = f"127.0.0.1:{args.port}"
    cmd = server_command(bind, args.workers, args.threads, env)
    server = subprocess.Popen(cmd, env=env, stdout=open(work / "access.log", "wb"),  # noqa: SIM115
                              stderr=open(work / "server.log", "wb"), start_new_session=True)  # noqa: SIM115  # fmt: skip
    try:
        base = f"http://{bind}"
        wait_until_up(base + "/", server)
        with urllib.request.urlopen(base + "/", timeout=10) as r:
            server_header = r.headers.get("Server", "(none)")
        # Warm-up: every worker process loads its query model and fills its caches before the clock starts.
        warm = urllib.request.Request(base + "/api/v1/matching/match", method="POST",
                                      data=json.dumps({"text": "固态电池电解质"}).encode(),
                                      headers={"Content-Type": "application/json", "Authorization": f"Bearer {fixture['token']}"})  # fmt: skip
        for _ in range(args.workers * args.threads * 2):
            with contextlib.suppress(OSError), urllib.request.urlopen(warm, timeout=120):
                pass
        locust_env = dict(env, KECHUANG_LOAD_FIXTURE=str(work / "fixture.json"))
        started = (work / "access.log").stat().st_size  # the warm-up's lines are not counted
        subprocess.run([str(BIN / "locust"), "-f", str(ROOT / "benchmarks/locustfile.py"), "--headless",
                        "-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.seconds}s", "--host", base,
                        "--csv", str(work / "load"), "--only-summary", "--loglevel", "WARNING"],
                       env=locust_env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)

    rows = list(csv.DictReader(open(work / "load_stats.csv", encoding="utf-8")))  # noqa: SIM115
    failures = list(csv.DictReader(open(work / "load_failures.csv", encoding="utf-8")))  # noqa: SIM115
    print(f"{args.users} users, {args.seconds} s, server: {' '.join(cmd[:2] if 'serve' in cmd[1] else cmd[1:4])} "
          f"{args.workers} workers × {args.threads} threads; Server header: {server_header!r}")  # fmt: skip
    print(f"{'page':34}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}  target")
    missed = 0
    for row in rows:
        name = row["Name"]
        if name == "Aggregated":
            continue
        p95 = float(row["95%"])
        target = MATCH_TARGET_MS if "match" in name else PAGE_TARGET_MS
        ok = p95 <= target and row["Failure Count"] == "0"
        missed += not ok
        print(f"{name:34}{row['Request Count']:>9}{row['Failure Count']:>8}{row['50%']:>8}{row['95%']:>8}"
              f"{row['99%']:>8}  ≤ {target} {'ok' if ok else 'MISSED'}")  # fmt: skip
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(f"{'all':34}{total['Request Count']:>9}{total['Failure Count']:>8}{total['50%']:>8}{total['95%']:>8}"
          f"{total['99%']:>8}  {float(total['Requests/s']):.1f} requests/s")  # fmt: skip
    server_times(work / "access.log", started)
    for f in failures[:10]:
        print(f"error: {f['Method']} {f['Name']} ×{f['Occurrences']}: {f['Error'][:200]}")
    print(f"details: {work}")
    return 1 if missed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="a prepared PostgreSQL database (default: a throw-away server)"
    )
    parser.add_argument("--data-dir", type=Path, help="its data directory (with --database-url)")
    parser.add_argument("--skip-load", action="store_true", help="the database already holds the demo")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if args.database_url:
        return run(
            args.database_url, args.data_dir or Path(tempfile.mkdtemp(prefix="kechuang-load-data-")), args
        )
    sys.path.insert(0, str(ROOT / "src"))
    from kechuang.testing.postgres import temporary_server

    with temporary_server() as url:
        return run(url, Path(tempfile.mkdtemp(prefix="kechuang-load-data-")), args)


if __name__ == "__main__":
    sys.exit(main())
