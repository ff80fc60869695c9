import datetime as dt
from decimal import Decimal

from kechuang.contracts import tax

ON = dt.date(2026, 1, 1)


def test_transfer_income_relief_5_million_exempt_excess_halved():
    assert tax.transfer_income_relief(Decimal("4000000"), ON) == Decimal("1000000.00")
    assert tax.transfer_income_relief(Decimal("5000000"), ON) == Decimal("1250000.00")
    assert tax.transfer_income_relief(Decimal("8000000"), ON) == Decimal("1625000.00")
    assert tax.transfer_income_relief(Decimal("0"), ON) == Decimal("0.00")


def test_consulting_alone_is_not_exempt_but_ancillary_on_the_same_invoice_is():
    alone = tax.contract_benefits("consulting", Decimal("100000"), Decimal("0"), False, ON, True)
    assert alone.vat_avoided == 0 and not alone.vat_lines[0].exempt and not alone.cit_eligible
    same = tax.contract_benefits("development", Decimal("100000"), Decimal("10000"), True, ON, True)
    assert same.vat_avoided == Decimal("6600.00") and not same.cit_eligible
    separate = tax.contract_benefits("development", Decimal("100000"), Decimal("10000"), False, ON, True)
    assert separate.vat_avoided == Decimal("6000.00") and not separate.vat_lines[1].exempt


def test_unregistered_contract_has_no_benefits_and_short_licence_no_income_relief():
    assert tax.contract_benefits("transfer", Decimal("100"), Decimal("0"), False, ON, False).vat_lines == []
    short = tax.contract_benefits(
        "licence", Decimal("100000"), Decimal("0"), False, ON, True, licence_years=3
    )
    assert short.vat_avoided == Decimal("6000.00") and not short.cit_eligible


def test_parameters_carry_their_documents_and_dates():
    p = tax.parameter(tax.VAT_RATE, ON)
    assert p.value == Decimal("0.06") and "财税〔2016〕36号" in p.document
    import pytest

    with pytest.raises(LookupError):
        tax.parameter(tax.VAT_RATE, dt.date(2015, 1, 1))
