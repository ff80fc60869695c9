"""Policy navigation (政策北斗): the policy library, rules as code (OpenFisca), verdicts and benefits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def contract_benefits(
    contract_type: str, price: Decimal, registered: bool, year: int, **options: Any
) -> dict[str, Any]:
    """VAT exemption and technology-transfer CIT relief of one technology contract.

    See `kechuang.policies.contract_relief.contract_benefits` and docs/policies.md. Imported lazily
    so that loading the app does not load the rules."""
    from .contract_relief import contract_benefits as compute

    return compute(contract_type, price, registered, year, **options)
