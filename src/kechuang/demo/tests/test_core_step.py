"""The `core` step and its generator: calibration, reproducibility, valid identifiers, NSFC people."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from kechuang.core.identifiers import uscc_problem
from kechuang.core.models import Affiliation, Carrier, EnterpriseFacts, Organisation, Person
from kechuang.demo import core as core_step
from kechuang.demo import generator, showcase
from kechuang.demo.context import DemoContext, step_random
from kechuang.demo.models import DemoStep, EnterpriseDesignation
from kechuang.demo.queries import report_figures
from kechuang.demo.runner import run_steps

SMALL = 0.01


@pytest.fixture(scope="module")
def full_specs() -> list[generator.EnterpriseSpec]:
    return generator.generate_enterprises(step_random(2022, "core"), 1.0)


def test_full_scale_generator_hits_every_target(full_specs: list[generator.EnterpriseSpec]) -> None:
    f = generator.report_figures(full_specs)
    assert f["hnte_valid"] > 22_000
    assert f["rd_claimants"] == 35_686
    assert f["rd_extra_deduction"] == Decimal("262214000000.00")
    # 655.54 亿 is the deduction valued at 25% (the report's convention, an upper bound).
    assert round(f["rd_tax_reduced_25pct"] / generator.YI, 2) == Decimal("655.54")
    assert f["hnte_15_rate"] == 3_221
    assert f["hnte_relief"] == Decimal("24300000000")
    assert f["little_giant_incl_cultivation"] > 2_600
    assert (f["ipo_pool"], f["star_listed_2022"], f["star_listed"], f["unicorns"]) == (1_750, 35, 78, 71)
    assert f["star_listed_2022_from_pool"] == 35
    assert f["star_market_value"] == Decimal("1300000000000.00")
    assert (f["tech_credit_firms"], f["tech_credit"]) == (6_547, Decimal("195140000000.00"))
    assert f["tech_credit_sme_share"] == pytest.approx(0.97, abs=0.002)
    assert f["tech_credit_first_loan_share"] == pytest.approx(0.15, abs=0.002)
    assert f["hnte_loan_firms"] > 5_800 and f["hnte_loan"] > Decimal("188600000000")


def test_full_scale_population_is_plausible(full_specs: list[generator.EnterpriseSpec]) -> None:
    sh = [s for s in full_specs if s.in_shanghai]
    assert len(full_specs) == 44_000 and len(sh) == 42_000
    assert {s.region for s in sh} == {code for code, _ in generator.SHANGHAI_DISTRICTS}  # all 16 districts
    assert {s.region[:2] for s in full_specs if not s.in_shanghai} == {"32", "33", "34"}
    manufacturing = sum(1 for s in sh if s.industry in generator.MANUFACTURING_DIVISIONS) / len(sh)
    assert 0.3 < manufacturing < 0.5
    for s in full_specs:
        assert uscc_problem(s.uscc) is None, s.uscc
        assert set(s.facts) <= set(generator.YEARS) and generator.YEAR in s.facts
        assert min(s.facts) >= s.founded_on.year or s.founded_on.year < 2020
        for f in s.facts.values():
            assert f["st_staff"] is None or f["st_staff"] <= f["staff"]
            assert f["rd_staff"] is None or f["st_staff"] is None or f["rd_staff"] <= f["st_staff"]
            assert f["rd_expense_domestic"] <= f["rd_expense"]
    assert len({s.uscc for s in full_specs}) == len(full_specs)
    assert len({s.name for s in full_specs}) == len(full_specs)
    # HNTEs valid at end-2022 meet the recognition thresholds the policy catalogue lists.
    for s in sh:
        f = s.facts[2022]
        if generator.hnte_valid_at_year_end(f):
            years = [y for y in s.facts]
            rd = sum(s.facts[y]["rd_expense"] for y in years)
            rev = sum(s.facts[y]["revenue"] for y in years)
            assert rd / rev >= Decimal("0.05") or s.uscc == showcase.ENTERPRISE_USCC
            assert f["st_staff"] / f["staff"] >= 0.10
            assert f["high_tech_revenue"] >= f["total_income"] * Decimal("0.6")
            assert s.founded_on.year < 2022


def test_generator_is_reproducible_and_seed_dependent() -> None:
    a = generator.generate_enterprises(step_random(7, "core"), SMALL)
    b = generator.generate_enterprises(step_random(7, "core"), SMALL)
    c = generator.generate_enterprises(step_random(8, "core"), SMALL)
    key = [(s.uscc, s.name, s.facts[2022]["revenue"]) for s in a]
    assert key == [(s.uscc, s.name, s.facts[2022]["revenue"]) for s in b]
    assert key != [(s.uscc, s.name, s.facts[2022]["revenue"]) for s in c]


def test_small_scale_generator_keeps_targets_proportional() -> None:
    specs = generator.generate_enterprises(step_random(2022, "core"), SMALL)
    f = generator.report_figures(specs)
    t = generator.scaled_targets(SMALL)
    assert f["rd_claimants"] == t["rd_claimants"] and f["hnte_15_rate"] == t["hnte_15_rate"]
    assert f["rd_extra_deduction"] == generator.scaled_money(SMALL)["rd_extra_deduction"]


class _Rollback(Exception):
    pass


def _digest() -> str:
    h = hashlib.sha256()
    for row in Organisation.objects.order_by("uscc").values_list(
        "uscc", "name", "region", "industry", "founded_on"
    ):
        h.update(repr(row).encode())
    for row in EnterpriseFacts.objects.order_by("organisation__uscc", "year").values_list(
        "organisation__uscc", "year", "revenue", "rd_expense", "taxable_income", "hnte_cert_valid_until"
    ):
        h.update(repr(row).encode())
    for row in Carrier.objects.order_by("name").values_list("name", "kind", "region", "area_m2"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_core_step_in_the_database_is_reproducible(db: Any) -> None:
    ctx = DemoContext(quiet=True, scale=SMALL, seed=11)
    with pytest.raises(_Rollback), transaction.atomic():
        assert run_steps(ctx, ["core"])[0].status == "done"
        first = _digest()
        raise _Rollback
    assert not Organisation.objects.filter(is_synthetic=True).exists()
    assert run_steps(ctx, ["core"])[0].status == "done"
    assert _digest() == first


def test_core_step_rows_valid_and_figures_computable(db: Any) -> None:
    [result] = run_steps(DemoContext(quiet=True, scale=SMALL), ["core"])
    assert result.status == "done", result.message
    for uscc in Organisation.objects.values_list("uscc", flat=True):
        assert uscc_problem(uscc) is None, uscc
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds >= {k for k, _ in Organisation.Kind.choices} - {"institute"}  # institutes: see the NSFC test
    assert not Organisation.objects.filter(is_synthetic=False).exists()  # every generated row is labelled
    assert not EnterpriseFacts.objects.filter(is_synthetic=False).exists()
    assert set(EnterpriseFacts.objects.values_list("year", flat=True)) == {2020, 2021, 2022}
    t = generator.scaled_targets(SMALL)
    figures = report_figures()
    assert figures["rd_claimants"] == t["rd_claimants"]
    assert figures["hnte_15_rate"] == t["hnte_15_rate"]
    assert figures["hnte_valid"] == t["hnte_valid"]
    assert figures["rd_extra_deduction"] == generator.scaled_money(SMALL)["rd_extra_deduction"]
    assert figures["ipo_pool"] == t["ipo_pool"] and figures["unicorns"] == t["unicorns"]
    assert EnterpriseDesignation.objects.filter(kind="star_listed").count() == t["star_listed"]
    uni = Organisation.objects.get(uscc=showcase.UNIVERSITY_USCC)
    assert uni.name == "上海交通大学" and uni.kind == "university"
    assert Affiliation.objects.filter(organisation=uni).exists()
    show = Organisation.objects.get(uscc=showcase.ENTERPRISE_USCC)
    assert show.facts.get(year=2022).hnte_cert_valid_until is not None
    assert (
        DemoStep.objects.get(name="core").counts["enterprises"]
        == Organisation.objects.filter(kind="enterprise").count()
    )


def test_nsfc_people_are_one_per_name_and_institution(db: Any) -> None:
    ctx = DemoContext(quiet=True, scale=1.0).for_step("core")
    counts = core_step._load_institutions_and_people(ctx)
    pairs: dict[str, set[str]] = defaultdict(set)
    for rec in ctx.corpus("nsfc_projects"):
        pairs[rec["负责人"].strip()].add(rec["依托单位"].strip())
    assert counts["researchers"] == sum(len(v) for v in pairs.values()) == 12_712
    homonym = next(name for name, insts in sorted(pairs.items()) if len(insts) > 1)
    people = Person.objects.filter(name=homonym)
    assert people.count() == len(pairs[homonym])
    assert {p.affiliations.get().organisation.name for p in people} == pairs[homonym]
    assert counts["institutions"] == 892
    assert Organisation.objects.filter(kind="institute").count() > 10
    for uscc in Organisation.objects.values_list("uscc", flat=True):
        assert uscc_problem(uscc) is None


def test_institution_regions_from_names() -> None:
    import random

    rng = random.Random(1)
    assert core_step.institution_region("复旦大学", rng) == ("310110", True)
    assert core_step.institution_region("南京大学", rng) == ("320100", True)
    assert core_step.institution_region("上海海事大学", rng)[0] == "310115"
    assert core_step.institution_region("某某研究院", rng)[1] is False
