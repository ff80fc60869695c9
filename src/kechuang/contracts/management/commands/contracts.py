"""Technology contracts on the command line.

kechuang contracts stats --year Y [--by type|field|district|seller|buyer|month] [--format text|json|csv]
kechuang contracts rebuild-stats     recompute the statistics tallies (after bulk loads)
kechuang contracts check-stats       compare the tallies with the registered contracts
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kechuang.contracts import exports, queries


class Command(BaseCommand):
    help = "Technology contracts: tech-market statistics."

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        stats = verbs.add_parser("stats", help="Counts and amounts of registered contracts for a year.")
        stats.add_argument("--year", type=int, required=True)
        stats.add_argument("--by", choices=sorted(queries.DIMENSIONS), default=None)
        stats.add_argument("--format", choices=["text", "json", "csv"], default="text")
        verbs.add_parser(
            "rebuild-stats", help="Recompute the statistics tallies from the registered contracts."
        )
        verbs.add_parser("check-stats", help="Compare the statistics tallies with the registered contracts.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "stats":
            self.stats(options["year"], options["by"], options["format"])
        elif options["verb"] == "rebuild-stats":
            self.stdout.write(f"{queries.rebuild_statistics():,} tallies")
        elif options["verb"] == "check-stats":
            drift = queries.statistics_drift()
            for d in drift:
                self.stdout.write(f"{d['year']}: contracts {d['contracts']} ≠ tallies {d['cells']}")
            if not drift:
                self.stdout.write("statistics tallies agree with the registered contracts")
        else:  # pragma: no cover - argparse refuses other verbs
            raise CommandError(f"unknown verb {options['verb']}")

    def stats(self, year: int, by: str | None, fmt: str) -> None:
        total = queries.year_summary(year)
        rows = queries.breakdown(year, by) if by else []
        if fmt == "json":
            self.stdout.write(json.dumps(
                {"year": year, "by": by, "total": total.as_dict(), "rows": [r.as_dict() for r in rows]},
                ensure_ascii=False, indent=2,
            ))  # fmt: skip
            return
        if fmt == "csv":
            self.stdout.write(exports.stats_csv(year, by or "type"), ending="")
            return
        growth = "—" if total.amount_growth is None else f"{total.amount_growth:+}%"
        self.stdout.write(f"{year}: {total.count:,} contracts, {total.amount_yi:,} 亿元 ({growth} YoY), "
                          f"technical transaction amount {total.tech_amount:,} yuan")  # fmt: skip
        if rows:
            width = max(len(r.label) for r in rows) + 2
            self.stdout.write(f"{'':{width}}{'contracts':>12}{'亿元':>14}{'YoY':>9}")
            for r in rows:
                g = "—" if r.amount_growth is None else f"{r.amount_growth:+}%"
                self.stdout.write(f"{r.label:{width}}{r.count:>12,}{r.amount_yi:>14,}{g:>9}")
