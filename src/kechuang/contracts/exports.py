"""Files leaving the platform: the signed PDF (after a permission check) and statistics as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse

from . import queries
from .models import Contract

CSV_HEADER = ["year", "dimension", "key", "label", "count", "amount_yuan", "tech_amount_yuan",
              "prev_count", "prev_amount_yuan", "count_growth_pct", "amount_growth_pct"]  # fmt: skip


def pdf_response(contract: Contract) -> FileResponse:
    """The caller has already been checked (parties and staff only)."""
    if not contract.pdf_path:
        raise Http404
    root = Path(settings.DATA_DIR).resolve()
    path = (root / contract.pdf_path).resolve()
    if root not in path.parents or not path.exists():
        raise Http404
    response = FileResponse(path.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=contract.pdf_name or f"contract-{contract.pk}.pdf")  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def stats_csv(year: int, by: str) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADER)
    total = queries.year_summary(year)
    rows = [("total", total), *((by, r) for r in queries.breakdown(year, by))]
    for dim, r in rows:
        writer.writerow([year, dim, r.key, r.label, r.count, r.amount, r.tech_amount, r.prev_count, r.prev_amount,
                         "" if r.count_growth is None else r.count_growth,
                         "" if r.amount_growth is None else r.amount_growth])  # fmt: skip
    return buf.getvalue()


def stats_csv_response(year: int, by: str) -> HttpResponse:
    # A BOM so that spreadsheet programs read the Chinese labels as UTF-8.
    response = HttpResponse("\ufeff" + stats_csv(year, by), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tech-market-{year}-{by}.csv"'
    return response
