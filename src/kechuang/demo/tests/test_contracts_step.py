"""The demo step of contracts: calibration to the 2022 overview and a small real run."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from kechuang.contracts import queries
from kechuang.contracts.models import Contract
from kechuang.demo import contracts as step
from kechuang.demo.context import DemoContext
from kechuang.demo.runner import run_steps
from kechuang.rights import queries as rights_queries


def test_calibration_reproduces_the_overview_figures():
    years = {y: (n, Decimal(fen) / 100) for y, n, fen in step.YEARS}
    n22, amount22 = years[2022]
    assert n22 == 38_265 and (amount22 / queries.YI).quantize(Decimal("0.01")) == Decimal("4003.51")
    assert queries.growth(amount22, years[2021][1]) == Decimal("45.0")


def test_amounts_split_exactly_with_a_floor():
    rng = random.Random(1)
    weights = [rng.lognormvariate(0, 1.6) for _ in range(38_265)]
    parts = step.split_exactly(rng, 400_351_000_000_00, weights, step.MIN_AMOUNT_FEN)
    assert sum(parts) == 400_351_000_000_00 and min(parts) >= step.MIN_AMOUNT_FEN


@pytest.mark.django_db(transaction=True)
def test_small_run_loads_registered_contracts_and_a_queue(tmp_path, settings):
    settings.DATA_DIR = tmp_path
    ctx = DemoContext(scale=0.005, quiet=True)
    results = run_steps(ctx, ["core", "accounts", "contracts"])
    assert all(r.status != "failed" for r in results), results
    s22, s21 = queries.year_summary(2022), queries.year_summary(2021)
    assert s22.count == round(38_265 * 0.005) and s21.count == round(36_962 * 0.005)
    assert s22.amount_growth == Decimal("45.0")
    assert Contract.objects.filter(status="submitted").count() == 3
    assert {r.key for r in queries.breakdown(2022, "buyer")} <= {"shanghai", "yrd", "china", "abroad"}
    pilot, exchange = rights_queries.pilot_figures(), rights_queries.exchange_figures()
    # Small runs have fewer Shanghai universities and institutes than the six pilot units.
    assert 1 <= pilot["units"] <= 6 and pilot["results"] == max(pilot["units"], round(153 * 0.005))
    assert pilot["transfer_amount"] == Decimal(150_000_000 * 0.005).quantize(Decimal("0.01"))
    assert exchange["listed"] == round(1953 * 0.005)
    assert exchange["deal_value"] == Decimal(10_131_000_000 * 0.005).quantize(Decimal("0.01"))


def test_rights_calibration_at_full_scale():
    assert (step.PILOT_UNITS, step.PILOT_RESULTS, step.PILOT_TRANSFER_FEN) == (6, 153, 150_000_000_00)
    assert (step.LISTED, Decimal(step.DEAL_FEN) / 100 / queries.YI) == (1_953, Decimal("101.31"))
