"""What the registration certificate shows: the registration, the rules applied and the tax benefits.

The benefits come from the policy engine (`kechuang.policies.contract_benefits`, the OpenFisca
parameters of catalogue entries P4a/P4b); `tax.py` keeps the same dated parameters as a fallback
for deployments without the policies app.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import queries, tax
from .models import Contract
from .rules import rules_by_code


class _Bilingual(dict[str, str]):
    """A {"zh", "en"} message from the policy engine, shown in the active language."""

    def __str__(self) -> str:
        return self["en"] if (get_language() or "").startswith("en") else self["zh"]


def _policy_engine() -> Any:
    """The policy engine's technology-contract benefits (kechuang.policies), when the app provides it."""
    try:
        from kechuang.policies import contract_benefits
    except ImportError:
        return None
    return contract_benefits


def _from_policy_engine(engine: Any, contract: Contract, registered: bool, prior: Decimal) -> tax.TaxBenefits:
    out = tax.TaxBenefits(source="kechuang.policies")
    if not registered:
        out.notes.append(_("Unregistered or refused contracts receive no technology-contract tax benefits."))
        return out
    year = (contract.registered_on or contract.signed_on).year
    ctype, amount = contract.contract_type, contract.tech_amount
    licence_years = contract.licence_years
    main = engine(ctype, amount, True, year, licence_years=licence_years)
    out.vat_document = main["vat_cite"]
    if ctype in tax.VAT_MAIN_TYPES:
        out.vat_lines.append(tax.VatLine(
            _("Technology development, transfer or licence price"), amount, main["vat_exempt"],
            _("Exempt: technology development, transfer or licence."), main["vat_saved"],
        ))  # fmt: skip
        if contract.ancillary_amount > 0:
            anc = engine("service", contract.ancillary_amount, True, year,
                         ancillary_same_invoice=contract.ancillary_same_invoice)  # fmt: skip
            out.vat_lines.append(tax.VatLine(
                _("Related consulting or service"), contract.ancillary_amount, anc["vat_exempt"],
                _("Exempt: ancillary consulting or service on the same invoice.") if anc["vat_exempt"]
                else _("Not exempt: consulting or service invoiced separately."),
                anc["vat_saved"],
            ))  # fmt: skip
    else:
        out.vat_lines.append(tax.VatLine(
            _("Consulting or service price"), amount, False,
            _("Not exempt: consulting or service only qualifies as an ancillary line of a development, transfer or licence invoice."),
            Decimal("0.00"),
        ))  # fmt: skip
    out.vat_avoided = sum((v.vat_avoided for v in out.vat_lines), Decimal("0.00"))
    if main["cit_relief"]:
        # The 5-million cap is per seller and tax year: this contract's saving is the relief on the
        # year's total including it minus the relief without it.
        with_it = engine(
            ctype, amount, True, year, transfer_income=prior + amount, licence_years=licence_years
        )
        without = engine(ctype, amount, True, year, transfer_income=prior, licence_years=licence_years)
        out.cit_eligible = True
        out.cit_income = amount
        out.cit_saving = (with_it["cit_saved"] or Decimal(0)) - (without["cit_saved"] or Decimal(0))
        out.cit_documents = (main["cit_cite"],)
        out.notes.append(
            _(
                "The income relief is an upper bound: taxable transfer income is revenue less costs and related taxes."
            )
        )
    out.notes.extend(_Bilingual(r) for r in main["reasons"])
    return out


def benefits(contract: Contract) -> tax.TaxBenefits:
    """The tax benefits shown on the certificate, from the policy engine (local parameters as fallback)."""
    registered = contract.status == Contract.Status.REGISTERED
    on = contract.registered_on or contract.signed_on
    prior = (
        queries.seller_year_transfer_income(contract.seller_uscc, contract.year, exclude_pk=contract.pk)
        if registered and contract.year
        else Decimal("0")
    )
    engine = _policy_engine()
    if engine is not None:
        return _from_policy_engine(engine, contract, registered, prior)
    return tax.contract_benefits(
        contract_type=contract.contract_type, tech_amount=contract.tech_amount,
        ancillary_amount=contract.ancillary_amount, ancillary_same_invoice=contract.ancillary_same_invoice,
        on=on, registered=registered, licence_years=contract.licence_years, seller_year_income=prior,
    )  # fmt: skip


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
