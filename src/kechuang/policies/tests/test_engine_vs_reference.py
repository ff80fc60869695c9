"""The OpenFisca engine agrees with an independent numpy reference (verdicts exactly, benefits
within 1 yuan per enterprise) and with a Decimal hand computation on chosen cases."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from kechuang.policies.navigator import evaluate
from kechuang.policies.synthetic import population

from . import numpy_reference


@pytest.mark.parametrize("year", [2023, 2024])
def test_engine_agrees_with_numpy_reference(year: int) -> None:
    table = population(20_000, year, seed=year)
    ev = evaluate(table)
    verdicts, benefits = numpy_reference.run(table.columns, year)
    for pid, expected in verdicts.items():
        mismatch = np.flatnonzero(ev.verdicts[pid] != expected)
        assert mismatch.size == 0, f"{pid}: {mismatch.size} verdicts differ, e.g. row {mismatch[:3]}"
    for pid, expected in benefits.items():
        actual = (
            np.asarray(ev.simulation.calculate("cit_payable", str(year)))
            if pid == "cit_payable"
            else ev.benefits[pid]
        )
        both_nan = np.isnan(actual) & np.isnan(expected)
        diff = np.where(both_nan, 0.0, np.abs(actual - expected))
        assert np.nanmax(diff) <= 1.0 and not np.isnan(diff).any(), f"{pid}: max diff {np.nanmax(diff)}"
    # The population exercises every verdict, or the comparison proves little.
    for pid in ("hnte", "tech_sme", "small_micro", "rd_super_deduction"):
        assert {0, 1, 2} <= set(np.unique(ev.verdicts[pid]).tolist()), pid


def test_benefits_in_decimal_by_hand() -> None:
    """An HNTE-eligible manufacturer, 2023: taxable income 12,345,678.91 before a 100% super deduction
    of 2,000,000.37 R&D. Regimes compared by hand in Decimal."""
    from kechuang.policies.inputs import EnterpriseInput, FactTable

    ent = EnterpriseInput(
        facts={"resident": True, "collection_method": "audited", "industry_code": "C35", "region": "310115"},
        years={2023: {"rd_expense": "2000000.37", "taxable_income": "12345678.91", "staff": 400, "total_assets": 1e8,
                      "hnte_cert_valid_until": "2025-06-30"}},
    )  # fmt: skip
    ev = evaluate(FactTable.from_inputs([ent], 2023))
    ti, rd = Decimal("12345678.91"), Decimal("2000000.37")
    after = ti - rd
    expected_rdsd = ti * Decimal("0.15") - after * Decimal("0.15")
    expected_hnte = after * Decimal("0.25") - after * Decimal("0.15")
    assert abs(Decimal(repr(float(ev.benefits["rd_super_deduction"][0]))) - expected_rdsd) <= 1
    assert abs(Decimal(repr(float(ev.benefits["hnte"][0]))) - expected_hnte) <= 1
    assert ev.verdicts["small_micro"][0] == 0  # staff 400 > 300
