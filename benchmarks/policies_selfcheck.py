#!/usr/bin/env python
"""One enterprise's self-check through the API: p95 latency (target ≤ 50 ms).

    python benchmarks/policies_selfcheck.py [--requests 200]
    python -m kechuang.testing.postgres -- python benchmarks/policies_selfcheck.py

Two endpoints, each called --requests times after 5 warm-up calls, through Django's test client
(the full middleware, authentication, URL routing and JSON rendering; no network):
- GET /api/v1/policies/organisations/{id}/check?year=2023 with a bearer token (reads the registered
  facts of three years from the database, runs all policies, explains them);
- POST /api/v1/policies/check with the facts of docs/examples/policies-check.json (nothing stored).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from common import setup_django_on_fresh_data

TARGET_MS = 50.0
ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    setup_django_on_fresh_data()
    sys.path.insert(0, str(ROOT))
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from kechuang.core import services
    from kechuang.core.identifiers import make_uscc
    from kechuang.core.models import Industry, Organisation, Region, User
    from kechuang.policies.tests.conftest import register_facts

    org = Organisation.objects.filter(name="基准企业").first()
    if org is None:
        import datetime as dt

        org = services.create_organisation(
            None, uscc=make_uscc("91310115990000001"), name="基准企业", region=Region.objects.get(pk="310115"),
            industry=Industry.objects.get(pk="39"), founded_on=dt.date(2015, 3, 1),
        )  # fmt: skip
        register_facts(org)
    user = User.objects.filter(username="bench-enterprise").first() or services.create_user(
        None, "bench-enterprise", "bench-pass-123", User.Role.ENTERPRISE, org
    )
    _token, key = services.issue_api_token(user, "bench")
    client = Client()
    auth = {"Authorization": f"Bearer {key}"}
    body = json.loads((ROOT / "docs/examples/policies-check.json").read_text(encoding="utf-8"))
    body["year"] = 2023

    def own() -> int:
        return client.get(
            f"/api/v1/policies/organisations/{org.pk}/check", {"year": 2023}, headers=auth
        ).status_code

    def typed() -> int:
        return client.post(
            "/api/v1/policies/check", data=json.dumps(body), content_type="application/json"
        ).status_code

    ok = True
    for name, call in (
        ("GET organisations/{id}/check (registered facts)", own),
        ("POST check (typed facts)", typed),
    ):
        for _ in range(5):
            assert call() == 200
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            status = call()
            times.append((time.perf_counter() - t) * 1000)
            assert status == 200
        times.sort()
        p95 = times[int(0.95 * len(times)) - 1]
        ok &= p95 <= TARGET_MS
        print(f"{name:<50} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms   target p95 ≤ {TARGET_MS:.0f} ms "
              f"{'OK' if p95 <= TARGET_MS else 'MISSED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
