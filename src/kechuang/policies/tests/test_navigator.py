"""Verdicts with reasons, near misses, missing facts and input validation."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from kechuang.policies.inputs import parse_document
from kechuang.policies.navigator import check, grouped

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[4] / "docs/examples/policies-check.json").read_text(encoding="utf-8")
)


def by_id(result: dict) -> dict:
    return {p["id"]: p for p in result["policies"]}


def test_example_file_gives_every_policy_a_verdict_with_reasons() -> None:
    result = check(parse_document(EXAMPLE), 2023)
    policies = by_id(result)
    from kechuang.policies.catalogue import POLICIES

    assert set(policies) == {p.id for p in POLICIES}
    hnte = policies["hnte"]
    rd = next(c for c in hnte["conditions"] if c["id"] == "hnte_rd_ratio")
    assert rd["state"] == "fail" and rd["threshold"] == 0.04 and rd["cite"].startswith("国科发火〔2016〕32号")
    assert rd["label"]["zh"] and rd["label"]["en"]
    # No expert score recorded: that condition is unknown, with the review step, not a failure.
    score = next(c for c in hnte["conditions"] if c["id"] == "hnte_innovation_score")
    assert score["state"] == "unknown" and "innovation_score" in score["missing"] and score["review"]
    assert result["regime"]["code"] == "general_25"


def test_near_miss_says_how_much_more_rd_is_needed() -> None:
    """3y revenue 120,000,000 (tier 5000万–2亿 → 4%), R&D 4,320,000 = 3.6%: 480,000 (48万) more."""
    doc = copy.deepcopy(EXAMPLE)
    doc["years"]["2023"].update(
        {"revenue": 60000000, "rd_expense": 2160000, "rd_expense_domestic": 2160000, "innovation_score": 80}
    )
    doc["years"]["2022"].update({"revenue": 30000000, "rd_expense": 1080000, "rd_expense_domestic": 1080000})
    doc["years"]["2021"].update({"revenue": 30000000, "rd_expense": 1080000, "rd_expense_domestic": 1080000})
    result = check(parse_document(doc), 2023)
    hnte = by_id(result)["hnte"]
    assert hnte["verdict"] == "not_eligible" and hnte["group"] == "near_miss"
    assert "3.6%" in hnte["near_miss"][0]["zh"] and "48.0万元" in hnte["near_miss"][0]["zh"]
    assert "480,000 yuan more R&D" in hnte["near_miss"][0]["en"]
    assert hnte in grouped(result)["near_miss"]


def test_far_from_the_threshold_is_not_a_near_miss() -> None:
    doc = copy.deepcopy(EXAMPLE)
    for y in ("2021", "2022", "2023"):
        doc["years"][y].update({"rd_expense": 100000, "rd_expense_domestic": 100000})
    assert by_id(check(parse_document(doc), 2023))["hnte"]["group"] == "not_eligible"


def test_missing_fact_is_never_zero() -> None:
    doc = copy.deepcopy(EXAMPLE)
    del doc["years"]["2023"]["staff"]
    policies = by_id(check(parse_document(doc), 2023))
    assert policies["sh_innovation_voucher"]["verdict"] == "undetermined"
    assert "staff" in policies["sh_innovation_voucher"]["missing_facts"]
    doc["years"]["2023"]["staff"] = 1000
    assert by_id(check(parse_document(doc), 2023))["sh_innovation_voucher"]["verdict"] == "not_eligible"


def test_benefit_is_a_decimal_string_with_assumptions_and_unconfirmed_flags() -> None:
    policies = by_id(check(parse_document(EXAMPLE), 2023))
    rdsd = policies["rd_super_deduction"]
    assert rdsd["verdict"] == "eligible" and rdsd["benefit"]["amount"] == "700000.00"  # 2.8m × 100% × 25%
    assert rdsd["benefit"]["assumptions"]
    giant = policies["sh_little_giant"]
    assert giant["benefit"]["is_ceiling"] and giant["unconfirmed"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"facts": {"colour": "red"}}, "facts.colour"),
        ({"years": {"2023": {"staff": -1}}}, "years.2023.staff"),
        ({"years": {"2023": {"revenue": "lots"}}}, "years.2023.revenue"),
        ({"years": {"2023": {"st_staff": 999}}}, "years.2023.st_staff"),
        ({"facts": {"collection_method": "guess"}}, "facts.collection_method"),
    ],
)
def test_bad_input_gives_field_errors(patch: dict, field: str) -> None:
    doc = copy.deepcopy(EXAMPLE)
    for key, values in patch.items():
        if key == "years":
            for y, v in values.items():
                doc["years"][y].update(v)
        else:
            doc[key].update(values)
    with pytest.raises(ValidationError) as exc:
        check(parse_document(doc), 2023)
    assert field in exc.value.message_dict


def test_contract_benefits_for_the_contracts_app() -> None:
    from decimal import Decimal

    from kechuang.policies import contract_benefits

    dev = contract_benefits("development", Decimal("1000000"), True, 2023)
    assert dev["vat_exempt"] and dev["vat_saved"] == Decimal("60000.00") and not dev["cit_relief"]
    service = contract_benefits("service", Decimal("1000000"), True, 2023)
    assert not service["vat_exempt"] and service["reasons"]
    assert contract_benefits("service", Decimal("1000000"), True, 2023, ancillary_same_invoice=True)[
        "vat_exempt"
    ]
    transfer = contract_benefits(
        "transfer", Decimal("8000000"), True, 2023, transfer_income=Decimal("7000000")
    )
    assert transfer["cit_saved"] == Decimal("1500000.00")  # 5m × 25% + 2m × 12.5%
    unregistered = contract_benefits(
        "transfer", Decimal("8000000"), False, 2023, transfer_income=Decimal("7000000")
    )
    assert (
        not unregistered["vat_exempt"]
        and not unregistered["cit_relief"]
        and unregistered["cit_saved"] is None
    )
    short = contract_benefits(
        "licence", Decimal("1000000"), True, 2023, transfer_income=Decimal("1"), licence_years=3
    )
    assert short["vat_exempt"] and not short["cit_relief"]
    with pytest.raises(ValueError):
        contract_benefits("gift", Decimal("1"), True, 2023)
