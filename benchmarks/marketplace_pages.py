"""Server time of the marketplace pages and endpoints on the demo dataset, beside the targets.

    KECHUANG_DATA_DIR=/path/with/demo .venv/bin/python benchmarks/marketplace_pages.py [--repeat 20]

Run it after `kechuang demo` (at least `core`, `accounts` and `marketplace`). Every request goes
through Django's test client (middleware, auth, templates, database, the matching engine; no
network). Prints the median and 95th percentile per page in milliseconds, and the time to post a
demand (matching, leads and notifications included). The engine runs on whatever the index holds:
lexical only until `kechuang embed` has run (then each query is also embedded, which the issue
reports separately).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from common import PROBLEM_QUERIES

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from kechuang.achievements.models import TechSupply  # noqa: E402
from kechuang.core.models import User  # noqa: E402
from kechuang.matching import services  # noqa: E402
from kechuang.matching.engine import get_engine  # noqa: E402
from kechuang.matching.models import Demand, ExpertProfile, MatchLead, OpenCall  # noqa: E402

PAGE_MS = 300  # a page a user waits for
API_MS = 250  # the end-to-end API target (p95)
FRAGMENT_MS = 250  # instant matches while typing: one API-like round trip

QUERIES = PROBLEM_QUERIES


def pct(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def timed(call, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    call(0)  # warm caches, the template loader and the index readers
    samples = []
    for i in range(repeat):
        start = time.perf_counter()
        response = call(i)
        samples.append((time.perf_counter() - start) * 1000)
        if response is not None:
            assert response.status_code in (200, 201), response.status_code
    return pct(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    enterprise = User.objects.filter(username="enterprise").first()
    admin = User.objects.filter(username="admin").first()
    if enterprise is None or admin is None or not Demand.objects.exists():
        print("Load the demo first: kechuang demo --only core accounts marketplace", file=sys.stderr)
        return 2
    stats = get_engine().stats()
    print(f"data: {TechSupply.objects.count():,} supplies, {Demand.objects.count():,} demands, "
          f"{ExpertProfile.objects.count():,} experts, {MatchLead.objects.count():,} leads; index {stats.documents}, "
          f"embedded {stats.embedded}")  # fmt: skip
    visitor, signed_in, staff = Client(), Client(), Client()
    signed_in.force_login(enterprise)
    staff.force_login(admin)
    supply = TechSupply.objects.filter(status="published", kind="result").order_by("pk").first()
    demand = (
        Demand.objects.filter(organisation=enterprise.organisation).order_by("pk").first()
        or Demand.objects.first()
    )
    expert = ExpertProfile.objects.filter(project_count__gt=0).order_by("pk").first()
    call = OpenCall.objects.order_by("pk").first()
    q = lambda i: QUERIES[i % len(QUERIES)]  # noqa: E731
    rows = [
        (
            "API POST /match (supply)",
            lambda i: visitor.post("/api/v1/matching/match", {"text": q(i)}, content_type="application/json"),
            API_MS,
        ),
        (
            "API POST /match (expert)",
            lambda i: visitor.post(
                "/api/v1/matching/match", {"text": q(i), "kind": "expert"}, content_type="application/json"
            ),
            API_MS,
        ),
        ("API GET supplies?q=", lambda i: visitor.get("/api/v1/achievements/supplies", {"q": q(i)}), API_MS),
        (
            "instant matches (htmx fragment)",
            lambda i: signed_in.post("/matching/preview/", {"summary": q(i)}, headers={"HX-Request": "true"}),
            FRAGMENT_MS,
        ),
        (
            "supply list, search + filters",
            lambda i: visitor.get("/achievements/", {"q": q(i), "trl_min": 4}),
            PAGE_MS,
        ),
        ("supply list, page 200", lambda i: visitor.get("/achievements/", {"page": 200}), PAGE_MS),
        ("supply detail + similar items", lambda i: visitor.get(f"/achievements/{supply.pk}/"), PAGE_MS),
        ("demand list", lambda i: visitor.get("/matching/"), PAGE_MS),
        (
            "demand detail (poster: matches + funnel)",
            lambda i: signed_in.get(f"/matching/demands/{demand.pk}/"),
            PAGE_MS,
        ),
        ("expert search", lambda i: visitor.get("/matching/experts/", {"q": q(i)}), PAGE_MS),
        ("expert detail", lambda i: visitor.get(f"/matching/experts/{expert.pk}/"), PAGE_MS),
        ("open call detail", lambda i: visitor.get(f"/matching/calls/{call.pk}/"), PAGE_MS),
        ("my leads", lambda i: signed_in.get("/matching/leads/"), PAGE_MS),
        ("city-wide funnel (staff)", lambda i: staff.get("/matching/funnel/"), PAGE_MS),
    ]
    print(f"{'page':48} {'median ms':>10} {'p95 ms':>10}  target")
    for name, fn, target in rows:
        med, p95 = timed(fn, args.repeat)
        print(f"{name:48} {med:10.1f} {p95:10.1f}  < {target} {'ok' if p95 < target else 'MISSED'}")

    # Posting a demand: validation, audit, matching, up to 10 leads and 5 notifications, then rolled back.
    samples = []
    for i in range(min(args.repeat, 10)):
        start = time.perf_counter()
        with transaction.atomic():
            services.post_demand(enterprise, enterprise.organisation, title="基准测试需求", summary=q(i))
            samples.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
    med, p95 = pct(samples)
    print(f"{'post a demand (service: match + leads + push)':48} {med:10.1f} {p95:10.1f}  < {PAGE_MS} "
          f"{'ok' if p95 < PAGE_MS else 'MISSED'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
