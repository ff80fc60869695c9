"""Tax benefits of a registered technology contract, with dated parameters and their documents.

The policy engine (kechuang.policies) is to expose these two benefits; until it does, they are
computed here from the same catalogue entries (P4a `tech_transfer_cit`, P4b `tech_contract_vat`).
Amounts are Decimal yuan, rounded to the fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


@dataclass(frozen=True)
class DatedParameter:
    value: Decimal
    effective_from: dt.date
    effective_to: dt.date | None
    document: str


# Output VAT avoided by a general taxpayer on an exempt sale (rate for modern services).
VAT_RATE = (
    DatedParameter(Decimal("0.06"), dt.date(2016, 5, 1), None,
                   "财税〔2016〕36号 附件3《营业税改征增值税试点过渡政策的规定》第一条第(二十六)项"),
)  # fmt: skip
# Technology-transfer income of one resident enterprise in one tax year: exempt up to this amount…
CIT_EXEMPT_CAP = (
    DatedParameter(Decimal("5000000"), dt.date(2008, 1, 1), None,
                   "《企业所得税法》第27条(四); 《企业所得税法实施条例》第90条"),
)  # fmt: skip
# …the excess taxed at half the standard rate.
CIT_RATE = (
    DatedParameter(Decimal("0.25"), dt.date(2008, 1, 1), None, "《企业所得税法》第4条"),
)  # fmt: skip
CIT_EXCESS_FACTOR = (
    DatedParameter(Decimal("0.5"), dt.date(2008, 1, 1), None, "《企业所得税法实施条例》第90条"),
)  # fmt: skip

# Which contract types carry each benefit (catalogue P4c "What each type unlocks").
VAT_MAIN_TYPES = frozenset({"development", "transfer", "licence"})
VAT_ANCILLARY_TYPES = frozenset({"consulting", "service"})
CIT_TYPES = frozenset({"transfer", "licence"})


def parameter(series: tuple[DatedParameter, ...], on: dt.date) -> DatedParameter:
    for p in series:
        if p.effective_from <= on and (p.effective_to is None or on <= p.effective_to):
            return p
    raise LookupError(f"No parameter in force on {on.isoformat()}")


def _fen(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


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
    source: str = "kechuang.contracts.tax"

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


def transfer_income_relief(income: Decimal, on: dt.date) -> Decimal:
    """CIT saved on one year's technology-transfer income: the first 5 million exempt, the excess halved."""
    if income <= 0:
        return Decimal("0.00")
    cap = parameter(CIT_EXEMPT_CAP, on).value
    rate = parameter(CIT_RATE, on).value
    factor = parameter(CIT_EXCESS_FACTOR, on).value
    exempt_part = min(income, cap)
    excess = max(income - cap, Decimal("0"))
    return _fen(exempt_part * rate + excess * rate * factor)


def contract_benefits(
    contract_type: str,
    tech_amount: Decimal,
    ancillary_amount: Decimal,
    ancillary_same_invoice: bool,
    on: dt.date,
    registered: bool,
    licence_years: int | None = None,
    seller_year_income: Decimal | None = None,
) -> TaxBenefits:
    """The benefits one contract unlocks. Nothing applies to an unregistered contract (办法 第6条)."""
    out = TaxBenefits()
    if not registered:
        out.notes.append(_("Unregistered or refused contracts receive no technology-contract tax benefits."))
        return out
    vat = parameter(VAT_RATE, on)
    out.vat_document = vat.document
    if contract_type in VAT_MAIN_TYPES:
        out.vat_lines.append(
            VatLine(_("Technology development, transfer or licence price"), tech_amount, True,
                    _("Exempt: technology development, transfer or licence."), _fen(tech_amount * vat.value))
        )  # fmt: skip
        if ancillary_amount > 0:
            exempt = ancillary_same_invoice
            out.vat_lines.append(
                VatLine(
                    _("Related consulting or service"), ancillary_amount, exempt,
                    _("Exempt: ancillary consulting or service on the same invoice.") if exempt
                    else _("Not exempt: consulting or service invoiced separately."),
                    _fen(ancillary_amount * vat.value) if exempt else Decimal("0.00"),
                )
            )  # fmt: skip
    else:
        out.vat_lines.append(
            VatLine(_("Consulting or service price"), tech_amount, False,
                    _("Not exempt: consulting or service only qualifies as an ancillary line of a development, transfer or licence invoice."),
                    Decimal("0.00"))
        )  # fmt: skip
    out.vat_avoided = sum((v.vat_avoided for v in out.vat_lines), Decimal("0.00"))

    if contract_type in CIT_TYPES:
        if contract_type == "licence" and (licence_years or 0) < 5:
            out.notes.append(
                _("Licences qualify for the income relief only with a term of five years or more.")
            )
        else:
            out.cit_eligible = True
            out.cit_income = _fen(tech_amount)
            out.cit_documents = (
                parameter(CIT_EXEMPT_CAP, on).document,
                "财税〔2010〕111号",
                "财税〔2015〕116号",
            )
            # The 5-million cap applies per enterprise and tax year, so the saving of this contract is the
            # relief on the seller's year total including it minus the relief without it.
            prior = seller_year_income or Decimal("0")
            out.cit_saving = transfer_income_relief(prior + tech_amount, on) - transfer_income_relief(
                prior, on
            )
            out.notes.append(
                _(
                    "The income relief is an upper bound: taxable transfer income is revenue less costs and related taxes."
                )
            )
    return out
