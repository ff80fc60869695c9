"""What the registration certificate shows: the registration, the rules applied and the tax benefits."""

from __future__ import annotations

from typing import Any

from . import queries, tax
from .models import Contract
from .rules import rules_by_code


def _policy_engine() -> Any:
    """The policy engine's technology-contract benefits function, when the policies app provides one."""
    try:
        from kechuang.policies import tech_contracts  # type: ignore[attr-defined]
    except ImportError:
        return None
    return getattr(tech_contracts, "contract_benefits", None)


def benefits(contract: Contract) -> tax.TaxBenefits:
    registered = contract.status == Contract.Status.REGISTERED
    on = contract.registered_on or contract.signed_on
    prior = (
        queries.seller_year_transfer_income(contract.seller_uscc, contract.year, exclude_pk=contract.pk)
        if registered and contract.year
        else None
    )
    args = dict(
        contract_type=contract.contract_type, tech_amount=contract.tech_amount,
        ancillary_amount=contract.ancillary_amount, ancillary_same_invoice=contract.ancillary_same_invoice,
        on=on, registered=registered, licence_years=contract.licence_years, seller_year_income=prior,
    )  # fmt: skip
    engine = _policy_engine()
    if engine is not None:
        result = engine(**args)
        result.source = "kechuang.policies"
        return result  # type: ignore[no-any-return]
    return tax.contract_benefits(**args)  # type: ignore[arg-type]


def certificate_data(contract: Contract) -> dict[str, Any]:
    rules = rules_by_code(contract.rules_code) if contract.rules_code else None
    return {
        "registration_number": contract.registration_number,
        "registered_on": contract.registered_on.isoformat() if contract.registered_on else None,
        "contract_number": contract.number,
        "title": contract.title,
        "contract_type": contract.contract_type,
        "subtype": contract.subtype,
        "seller": {"uscc": contract.seller_uscc, "name": contract.seller_name},
        "buyer": {"uscc": contract.buyer_uscc, "name": contract.buyer_name},
        "total_amount": str(contract.total_amount),
        "tech_amount": str(contract.tech_amount),
        "rules": {"code": rules.code, "documents": list(rules.documents), "confirmed": rules.confirmed}
        if rules
        else None,
        "benefits": benefits(contract).as_dict(),
    }
