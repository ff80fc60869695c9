"""Loads the classification tables (regions, industries, technology fields) shipped in `reference/`.

Runs after every migrate (post_migrate), so new databases, test databases and upgraded
installations all get the current tables; rows are upserted, never deleted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def _rows(name: str) -> list[dict[str, Any]]:
    return json.loads((REFERENCE_DIR / f"{name}.json").read_text(encoding="utf-8"))["rows"]


def load_reference_data(**_: Any) -> None:
    from .models import Industry, Region, TechField

    for model, name in ((Region, "regions"), (Industry, "industries"), (TechField, "tech_fields")):
        rows = _rows(name)
        existing = set(model.objects.values_list("pk", flat=True))
        # Parents come before children in each file; create in order so foreign keys resolve.
        for row in rows:
            defaults = {k: v for k, v in row.items() if k not in {"code", "parent"}}
            defaults["parent_id"] = row.get("parent")
            if row["code"] in existing:
                model.objects.filter(pk=row["code"]).update(**defaults)
            else:
                model.objects.create(code=row["code"], **defaults)
