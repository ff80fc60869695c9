#!/usr/bin/env python
"""Tech-market statistics over 1,000,000 registered technology contracts (target: ≤ 5 s).

    python benchmarks/contracts_stats.py [--rows 1000000]                  # SQLite, throw-away data dir
    python -m kechuang.testing.postgres -- python benchmarks/contracts_stats.py   # PostgreSQL

Half the rows are registered in 2022 and half in 2021, so every statistic with its year-on-year
comparison reads all of them. "Statistics" is what the public page computes: the year totals and the
breakdowns by type, field, district, seller type, buyer location and month.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

from common import setup_django_on_fresh_data

TARGET_S = 5.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django_on_fresh_data()
    from django.core.management import call_command
    from django.db import connection, transaction

    from kechuang.contracts import queries
    from kechuang.contracts.models import Contract
    from kechuang.core.identifiers import make_uscc
    from kechuang.core.models import Organisation, Region

    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(
        uscc=make_uscc("91310115000000001"), name="基准卖方", region_id="310115"
    )
    districts = list(
        Region.objects.filter(code__startswith="31").exclude(code="310000").values_list("code", flat=True)
    )
    rng = random.Random(7)
    types = ["development", "transfer", "licence", "consulting", "service"]
    kinds = ["enterprise", "university", "institute", "other"]
    locations = [("shanghai", "310115"), ("yrd", "320500"), ("china", "110000"), ("abroad", "990000")]
    table = Contract._meta.db_table
    columns = [
        "organisation_id", "number", "title", "contract_type", "subtype", "seller_uscc", "seller_name",
        "seller_kind", "seller_region_id", "buyer_uscc", "buyer_name", "buyer_region_id", "buyer_location",
        "signed_on", "starts_on", "ends_on", "total_amount", "tech_amount", "ancillary_amount",
        "ancillary_same_invoice", "primary_field_id", "pdf_path", "pdf_name", "pdf_sha256", "status", "rules_code",
        "returned_reasons", "refusal_reason", "registration_number", "registered_on", "year", "month", "client_key",
        "is_synthetic", "created_at", "updated_at",
    ]  # fmt: skip
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    now = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    batch = []
    with transaction.atomic(), connection.cursor() as cur:
        for i in range(args.rows):
            year = 2022 if i % 2 else 2021
            month = rng.randint(1, 12)
            day = dt.date(year, month, rng.randint(1, 28))
            loc, region = rng.choice(locations)
            amount = round(rng.lognormvariate(13, 1.5), 2)
            batch.append((
                org.pk, f"B{i}", "t", rng.choice(types), "consulting", org.uscc, org.name, rng.choice(kinds),
                rng.choice(districts), "", "b", region, loc, day, day, day, amount, round(amount * 0.8, 2), 0,
                False, str(rng.randint(1, 8)), "", "", "", "registered", "2000", "{}", "", f"R{i}", day, year, month,
                "", True, now, now,
            ))  # fmt: skip
            if len(batch) == 20_000:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")
    load_s = time.perf_counter() - t0
    n = Contract.objects.filter(status="registered").count()
    # Bulk loads bypass registration, so the tallies are rebuilt once (in the database).
    t = time.perf_counter()
    cells = queries.rebuild_statistics()
    rebuild_s = time.perf_counter() - t

    timings: list[tuple[str, float]] = []
    t_all = time.perf_counter()
    t = time.perf_counter()
    summary = queries.year_summary(2022)
    timings.append(("year totals", time.perf_counter() - t))
    for by in queries.DIMENSIONS:
        t = time.perf_counter()
        rows = queries.breakdown(2022, by)
        timings.append((f"by {by} ({len(rows)} groups)", time.perf_counter() - t))
    total_s = time.perf_counter() - t_all

    print(f"database: {connection.vendor}; registered contracts: {n:,} (loaded in {load_s:.0f} s)")
    print(f"tallies rebuilt from the contracts: {cells:,} rows in {rebuild_s:.1f} s (after bulk loads only)")
    print(f"2022: {summary.count:,} contracts, {summary.amount_yi:,} 亿元, {summary.amount_growth}% YoY")
    for name, s in timings:
        print(f"  {name:<28} {s:7.3f} s")
    verdict = "OK" if total_s <= TARGET_S else "SLOWER THAN TARGET"
    print(f"all statistics of a year: {total_s:.2f} s (target ≤ {TARGET_S:.0f} s) {verdict}")
    return 0 if total_s <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
