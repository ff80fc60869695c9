"""What the registration certificate shows: the registration, the rules applied and the tax benefits.

The benefits are computed by the policy engine only (`kechuang.policies.contract_relief`, from the
dated OpenFisca parameters of catalogue entries P4a/P4b): this module lays them out, line by line,
and keeps no rate, cap or type list of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kechuang.policies.contract_relief import VAT_TYPES, contract_benefits

from . import queries
from .models import Contract
from .rules import rules_by_code


class _Bilingual(dict[str, str]):
    """A {"zh", "en"} message from the policy engine, shown in the active language."""

    def __str__(self) -> str:
        return self["en"] if (get_language() or "").startswith("en") else self["zh"]


@dataclass
class VatLine:
    label: Any
    amount: Decimal
    exempt: bool
    reason: Any
    vat_avoided: Decimal


@dataclass
class TaxBenefits:
    vat_lines: list[VatLine] = field(default_factory=list)
    vat_avoided: Decimal = Decimal("0.00")
    vat_document: str = ""
    cit_eligible: bool = False
    cit_income: Decimal = Decimal("0.00")
    cit_saving: Decimal = Decimal("0.00")
    cit_documents: tuple[str, ...] = ()
    notes: list[Any] = field(default_factory=list)
    source: str = "kechuang.policies"

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "vat_lines": [
                {
                    "label": str(v.label),
                    "amount": str(v.amount),
                    "exempt": v.exempt,
                    "reason": str(v.reason),
                    "vat_avoided": str(v.vat_avoided),
                }
                for v in self.vat_lines
            ],
            "vat_avoided": str(self.vat_avoided),
            "vat_document": self.vat_document,
            "cit_eligible": self.cit_eligible,
            "cit_income": str(self.cit_income),
            "cit_saving": str(self.cit_saving),
            "cit_documents": list(self.cit_documents),
            "notes": [str(n) for n in self.notes],
        }


def _benefits(contract: Contract, registered: bool, prior: Decimal) -> TaxBenefits:
    out = TaxBenefits()
    if not registered:
        out.notes.append(_("Unregistered or refused contracts receive no technology-contract tax benefits."))
        return out
    year = (contract.registered_on or contract.signed_on).year
    ctype, amount = contract.contract_type, contract.tech_amount
    licence_years = contract.licence_years
    main = contract_benefits(ctype, amount, True, year, licence_years=licence_years)
    out.vat_document = main["vat_cite"]
    if ctype in VAT_TYPES:
        out.vat_lines.append(VatLine(
            _("Technology development, transfer or licence price"), amount, main["vat_exempt"],
            _("Exempt: technology development, transfer or licence."), main["vat_saved"],
        ))  # fmt: skip
        if contract.ancillary_amount > 0:
            anc = contract_benefits("service", contract.ancillary_amount, True, year,
                                    ancillary_same_invoice=contract.ancillary_same_invoice)  # fmt: skip
            out.vat_lines.append(VatLine(
                _("Related consulting or service"), contract.ancillary_amount, anc["vat_exempt"],
                _("Exempt: ancillary consulting or service on the same invoice.") if anc["vat_exempt"]
                else _("Not exempt: consulting or service invoiced separately."),
                anc["vat_saved"],
            ))  # fmt: skip
    else:
        out.vat_lines.append(VatLine(
            _("Consulting or service price"), amount, False,
            _("Not exempt: consulting or service only qualifies as an ancillary line of a development, transfer or licence invoice."),
            Decimal("0.00"),
        ))  # fmt: skip
    out.vat_avoided = sum((v.vat_avoided for v in out.vat_lines), Decimal("0.00"))
    if main["cit_relief"]:
        # The 5-million cap is per seller and tax year: this contract's saving is the relief on the
        # year's total including it minus the relief without it.
        with_it = contract_benefits(
            ctype, amount, True, year, transfer_income=prior + amount, licence_years=licence_years
        )
        without = contract_benefits(
            ctype, amount, True, year, transfer_income=prior, licence_years=licence_years
        )
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


def benefits(contract: Contract) -> TaxBenefits:
    """The tax benefits shown on the certificate, computed by the policy engine."""
    registered = contract.status == Contract.Status.REGISTERED
    prior = (
        queries.seller_year_transfer_income(contract.seller_uscc, contract.year, exclude_pk=contract.pk)
        if registered and contract.year
        else Decimal("0")
    )
    return _benefits(contract, registered, prior)


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
