"""The eligible list of a 免申即享 run as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

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


def rows(run: ProactiveRun) -> list[list[object]]:
    out: list[list[object]] = []
    for m in run.matches.select_related("organisation").order_by("policy_id", "organisation__name"):
        policy = BY_ID[m.policy_id]
        out.append(
            [
                m.organisation.uscc,
                m.organisation.name,
                m.policy_id,
                policy.zh,
                m.benefit,
                "是 yes" if m.notified else "否 no",
            ]
        )
    return out


def render(run: ProactiveRun, fmt: str) -> bytes:
    data = rows(run)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(HEADER)
        writer.writerows([[("" if v is None else v) for v in r] for r in data])
        return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = f"{run.year}"
    ws.append(HEADER)
    for r in data:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in r])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(run: ProactiveRun, fmt: str) -> HttpResponse:
    resp = HttpResponse(render(run, fmt), content_type=FORMATS[fmt])
    resp["Content-Disposition"] = f'attachment; filename="proactive-{run.year}-{run.pk}.{fmt}"'
    return resp
