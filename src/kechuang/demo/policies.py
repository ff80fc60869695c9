"""Demo step: the policy library (the documents of the policy catalogue) and, for the demo
enterprises, the extra facts the navigator reads (technology-transfer income, contract sales…).

The rules themselves are code (kechuang.policies.rules) and need no loading.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from .context import DemoContext

VERSION = 1
DEPENDS = ["core"]
LIBRARY = Path(__file__).resolve().parents[1] / "policies" / "data" / "library.json"


def load(ctx: DemoContext) -> dict[str, int]:
    from kechuang.core.models import EnterpriseFacts
    from kechuang.policies import services
    from kechuang.policies.models import PolicyDocument, SupplementaryFacts

    documents = json.loads(LIBRARY.read_text(encoding="utf-8"))["documents"]
    for doc in ctx.progress(documents, total=len(documents), desc="policy documents"):
        fields = dict(doc)
        for key in ("effective_from", "effective_until"):
            fields[key] = dt.date.fromisoformat(fields[key]) if fields[key] else None
        services.create_document(None, **fields)
    # Extra facts for the synthetic enterprises that reported annual facts in the demo year:
    # a few hold transfer income or registered contracts, most leave the facts unknown.
    rng = ctx.random
    rows = []
    for org_id in EnterpriseFacts.objects.filter(year=ctx.year, is_synthetic=True).values_list(
        "organisation_id", flat=True
    ):
        if rng.random() < 0.6:
            continue
        registered = rng.random() < 0.8
        rows.append(SupplementaryFacts(  # type: ignore[misc]
            organisation_id=org_id, year=ctx.year,
            tech_transfer_income=Decimal(rng.randrange(0, 8_000_000, 1000)) if rng.random() < 0.2 else None,
            tech_contract_turnover=Decimal(rng.randrange(100_000, 20_000_000, 1000)) if rng.random() < 0.3 else None,
            tech_contracts_registered=registered,
            key_tech_field=rng.random() < 0.7,
        ))  # fmt: skip
    ctx.bulk_create(SupplementaryFacts, rows, total=len(rows), desc="policy facts")
    # Vectors for search by meaning, so the first search does not pay for embedding the library.
    from kechuang.policies.semantic import document_vectors

    document_vectors(list(PolicyDocument.objects.all()))
    return {"policy documents": PolicyDocument.objects.count(), "supplementary policy facts": len(rows)}


def unload(ctx: DemoContext) -> None:
    from kechuang.policies.models import PolicyDocument, ProactiveRun, SupplementaryFacts

    ProactiveRun.objects.all().delete()
    SupplementaryFacts.objects.all().delete()
    PolicyDocument.objects.all().delete()
