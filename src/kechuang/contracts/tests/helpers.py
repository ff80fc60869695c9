"""Building blocks for the contract tests: valid input, a tiny real PDF, a contract walked through review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.contracts import services
from kechuang.contracts.models import Contract
from kechuang.core.identifiers import make_uscc
from kechuang.core.models import Organisation, User

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FOREIGN_BUYER_REGION = "990000"
UNREGISTERED_BUYER = make_uscc("91320500MA1XYW001")


def pdf(name: str = "contract.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def contract_data(seller: Organisation, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": "JS-2026-001",
        "title": "高精度传感器技术转让",
        "contract_type": "transfer",
        "subtype": "transfer_patent",
        "seller_uscc": seller.uscc,
        "seller_name": "",
        "buyer_uscc": UNREGISTERED_BUYER,
        "buyer_name": "苏州买方科技有限公司",
        "buyer_region": "320500",
        "signed_on": "2026-03-01",
        "starts_on": "2026-03-01",
        "ends_on": "2031-03-01",
        "total_amount": "8000000.00",
        "tech_amount": "7000000.00",
        "ancillary_amount": "500000.00",
        "ancillary_same_invoice": True,
    }
    data.update(overrides)
    return data


def file_contract(user: User | None, org: Organisation, with_pdf: bool = True, **overrides: Any) -> Contract:
    extra = {
        k: overrides.pop(k)
        for k in ("tech_fields", "instalments", "ip_items", "client_key")
        if k in overrides
    }
    extra.setdefault("tech_fields", ["1.2"])
    extra.setdefault("instalments", [{"due_on": "2026-04-01", "amount": "4000000", "note": "首付"}])
    extra.setdefault("ip_items", [{"kind": "patent", "number": "ZL201710601862.3", "title": "一种传感器"}])
    return services.save_contract(
        user, org, contract_data(org, **overrides), pdf=pdf() if with_pdf else None, **extra
    )


def registered(
    user: User, reviewer: User, org: Organisation, on: dt.date | None = None, **overrides: Any
) -> Contract:
    c = file_contract(user, org, **overrides)
    services.submit_contract(user, c)
    services.claim_review(reviewer, c)
    return services.register_contract(reviewer, c, on=on)
