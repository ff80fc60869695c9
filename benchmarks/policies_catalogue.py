#!/usr/bin/env python
"""The whole policy catalogue over 1,000,000 synthetic enterprises for one year.

    python benchmarks/policies_catalogue.py [--rows 1000000] [--year 2023] [--repeat 3]

Targets (issue 4): catalogue ≤ 3 s and ≤ 2 GB; what-if comparison (before + after, by district and
industry) ≤ 6 s; the OpenFisca engine within 3× of a plain-numpy reference of the same rules
(src/kechuang/policies/tests/numpy_reference.py, checked equal in the tests).
Times are the best of --repeat runs, each on a fresh simulation (no cached results). Memory is the
process's peak resident set, which includes the input arrays (≈ 0.4 GB at 1M rows).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

TARGET_S, TARGET_GB, TARGET_WHATIF_S, TARGET_RATIO = 3.0, 2.0, 6.0, 3.0


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
    import django

    django.setup()
    from kechuang.policies.navigator import evaluate
    from kechuang.policies.rules import baseline
    from kechuang.policies.synthetic import population
    from kechuang.policies.tests import numpy_reference
    from kechuang.policies.whatif import compare

    baseline()  # parse the YAML parameters once, as a running server has
    table = population(args.rows, args.year)
    before_gb = peak_gb()

    def best(fn) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    engine_s = best(lambda: evaluate(table))
    engine_gb = peak_gb()
    numpy_s = best(lambda: numpy_reference.run(table.columns, args.year))
    changes = {"hnte.rd_ratio.mid_tier": 0.03, "small_micro.limits.taxable_income_max": 5_000_000}
    whatif_s = best(lambda: compare(table, changes))
    ratio = engine_s / numpy_s

    def line(name: str, value: str, target: str, ok: bool) -> None:
        print(f"{name:<44}{value:>14}   target {target:<10} {'OK' if ok else 'MISSED'}")

    print(f"{args.rows:,} enterprises, year {args.year}, best of {args.repeat}")
    line("catalogue, OpenFisca engine", f"{engine_s:.2f} s", f"≤ {TARGET_S} s", engine_s <= TARGET_S)
    line("peak memory (inputs + engine)", f"{engine_gb:.2f} GB", f"≤ {TARGET_GB} GB", engine_gb <= TARGET_GB)
    print(f"{'  peak before the engine ran (inputs)':<44}{before_gb:>11.2f} GB")
    line("catalogue, plain-numpy reference", f"{numpy_s:.2f} s", "—", True)
    line("engine / numpy reference", f"{ratio:.2f}×", f"≤ {TARGET_RATIO}×", ratio <= TARGET_RATIO)
    line(
        "what-if (2 runs + district/industry groups)",
        f"{whatif_s:.2f} s",
        f"≤ {TARGET_WHATIF_S} s",
        whatif_s <= TARGET_WHATIF_S,
    )
    ok = (
        engine_s <= TARGET_S
        and engine_gb <= TARGET_GB
        and whatif_s <= TARGET_WHATIF_S
        and ratio <= TARGET_RATIO
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
