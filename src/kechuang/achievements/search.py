"""What of the technology supply may be searched: published items, their public text and facts.

Declared here, read by whoever keeps the index (core.search); services announce changes with
`search.changed("supply", pk)`."""

from __future__ import annotations

from kechuang.core.search import SearchDocument, SearchIndex, register_search

from .models import TechSupply


@register_search
class SupplyIndex(SearchIndex):
    kind = "supply"
    model = TechSupply
    related = ("owner",)
    document_related = ("tech_fields",)
    indexable_when = {"status": TechSupply.Status.PUBLISHED}

    @classmethod
    def document(cls, obj: TechSupply) -> SearchDocument:
        return SearchDocument(
            id=str(obj.pk),
            kind="supply",
            title=obj.title,
            text=obj.abstract or "",
            keywords=list(obj.keywords) + list(obj.ipc_classes),
            fields=[f.pk for f in obj.tech_fields.all()],
            attrs={
                "trl": obj.trl,
                "price_min": obj.price_min,
                "price_max": obj.price_max,
                "region": obj.owner.region_id,
                "transfer_modes": list(obj.transfer_modes),
                "owner_org_id": obj.owner_id,
                "supply_kind": obj.kind,
            },
        )
