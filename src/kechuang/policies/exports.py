"""The eligible list of a 免申即享 run as CSV or XLSX, written to a file row by row (a background
job's: see tasks.py), with progress."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from .catalogue import BY_ID
from .models import ProactiveRun

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
HEADER = [
    "统一社会信用代码 USCC",
    "企业 Enterprise",
    "政策编号 Policy id",
    "政策 Policy",
    "估算收益（元） Estimated benefit (yuan)",
    "已通知 Notified",
]
CHUNK = 2000  # rows read per query, and between progress reports


def file_name(run: ProactiveRun, fmt: str) -> str:
    return f"proactive-{run.year}-{run.pk}.{fmt}"


def rows(run: ProactiveRun) -> Iterator[list[object]]:
    """The run's matches, policy by policy, enterprises by name: plain values, read in chunks."""
    qs = run.matches.order_by("policy_id", "organisation__name", "pk").values_list(
        "organisation__uscc", "organisation__name", "policy_id", "benefit", "notified"
    )
    for uscc, name, policy_id, benefit, notified in qs.iterator(chunk_size=CHUNK):
        policy = BY_ID.get(policy_id)
        yield [
            uscc,
            name,
            policy_id,
            policy.zh if policy else policy_id,
            benefit,
            "是 yes" if notified else "否 no",
        ]


def write(run: ProactiveRun, fmt: str, path: Path, progress: Any = None) -> int:
    """Write the run's list to `path` (through a temporary file, renamed when complete); returns
    the number of rows. `progress(done, total, message, **args)` is called every CHUNK rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    total = run.matches.count()
    report = progress or (lambda *a, **k: None)
    report(0, total, _("Writing %(n)s rows"), n=f"{total:,}")
    part = path.with_name(path.name + ".part")
    n = 0
    if fmt == "csv":
        with part.open("w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads UTF-8 Chinese
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            for row in rows(run):
                writer.writerow(["" if v is None else v for v in row])
                n += 1
                if n % CHUNK == 0:
                    report(n, total)
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)  # streams rows instead of building every cell in memory
        ws = wb.create_sheet(f"{run.year}")
        ws.append(HEADER)
        for row in rows(run):
            ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
            n += 1
            if n % CHUNK == 0:
                report(n, total)
        report(n, total, _("Saving the workbook"))
        wb.save(part)
    os.replace(part, path)
    report(n, total)
    return n
