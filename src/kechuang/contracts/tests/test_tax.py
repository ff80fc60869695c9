"""Contract tax relief has one source: the policy engine's dated parameters (kechuang.policies,
catalogue entries P4a/P4b). The certificate lays the result out and keeps no rate of its own."""

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.contracts import certificate
from kechuang.contracts.models import Contract
from kechuang.policies.contract_relief import contract_benefits

YEAR = 2026


def _cit(income: str) -> Decimal:
    return contract_benefits("transfer", Decimal(income), True, YEAR, transfer_income=Decimal(income))[
        "cit_saved"
    ]


def test_transfer_income_relief_5_million_exempt_excess_halved():
    assert _cit("4000000") == Decimal("1000000.00")
    assert _cit("5000000") == Decimal("1250000.00")
    assert _cit("8000000") == Decimal("1625000.00")
    assert _cit("0") == Decimal("0.00")


def _contract(contract_type: str, tech: str, ancillary: str = "0", same_invoice: bool = False,
              years: int = 5) -> Contract:  # fmt: skip
    """A registered contract as the certificate reads it (not saved: no seller-year total to add)."""
    return Contract(contract_type=contract_type, tech_amount=Decimal(tech), ancillary_amount=Decimal(ancillary),
                    ancillary_same_invoice=same_invoice, status=Contract.Status.REGISTERED,
                    signed_on=dt.date(YEAR, 1, 1), registered_on=dt.date(YEAR, 1, 2), year=None,
                    starts_on=dt.date(YEAR, 1, 1), ends_on=dt.date(YEAR + years, 1, 2))  # fmt: skip


def test_consulting_alone_is_not_exempt_but_ancillary_on_the_same_invoice_is():
    alone = certificate.benefits(_contract("consulting", "100000"))
    assert alone.vat_avoided == 0 and not alone.vat_lines[0].exempt and not alone.cit_eligible
    same = certificate.benefits(_contract("development", "100000", "10000", same_invoice=True))
    assert same.vat_avoided == Decimal("6600.00") and not same.cit_eligible
    separate = certificate.benefits(_contract("development", "100000", "10000"))
    assert separate.vat_avoided == Decimal("6000.00") and not separate.vat_lines[1].exempt


def test_unregistered_contract_has_no_benefits_and_short_licence_no_income_relief():
    refused = _contract("transfer", "100")
    refused.status = Contract.Status.REFUSED
    assert certificate.benefits(refused).vat_lines == []
    short = certificate.benefits(_contract("licence", "100000", years=3))
    assert short.vat_avoided == Decimal("6000.00") and not short.cit_eligible


def test_the_rates_carry_their_documents_and_dates():
    relief = contract_benefits("transfer", Decimal("100000"), True, YEAR)
    assert relief["vat_saved"] == Decimal("6000.00") and "财税〔2016〕36号" in relief["vat_cite"]
    assert "第九十条" in relief["cit_cite"]
    # Before 营改增 (2016) technology contracts paid business tax: there was no VAT to avoid.
    assert contract_benefits("transfer", Decimal("100000"), True, 2015)["vat_exempt"] is False
    with pytest.raises(ValueError):
        contract_benefits("sale", Decimal("1"), True, YEAR)
