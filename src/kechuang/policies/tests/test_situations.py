"""Runs the YAML situation tests of policies/rules/tests against the OpenFisca system.

The files follow OpenFisca's test format (name, period, input, output) so a lawyer can read them;
verdicts and conditions may be written as words (eligible / not_eligible / undetermined,
pass / fail / unknown).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from openfisca_core.simulation_builder import SimulationBuilder

from kechuang.policies.rules import TESTS_DIR, baseline
from kechuang.policies.rules.base import FAIL, PASS, UNKNOWN

WORDS = {
    "eligible": PASS, "not_eligible": FAIL, "undetermined": UNKNOWN,
    "pass": PASS, "fail": FAIL, "unknown": UNKNOWN,
}  # fmt: skip


def _cases() -> list[Any]:
    out = []
    for path in sorted(Path(TESTS_DIR).glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return out


@pytest.mark.parametrize("case", _cases())
def test_situation(case: dict[str, Any]) -> None:
    builder = SimulationBuilder()
    builder.set_default_period(str(case["period"]))
    inputs = {
        k: ({str(p): v for p, v in val.items()} if isinstance(val, dict) else val)
        for k, val in case["input"].items()
    }
    sim = builder.build_from_dict(baseline(), inputs)
    for name, expected in case["output"].items():
        actual = float(np.asarray(sim.calculate(name, str(case["period"])))[0])
        want = float(WORDS.get(expected, expected)) if isinstance(expected, str) else float(expected)
        margin = float(case.get("absolute_error_margin", 0.5))  # money is checked to the yuan
        assert math.isclose(actual, want, abs_tol=margin), f"{name}: expected {expected}, got {actual}"


def test_every_policy_has_situation_tests() -> None:
    from kechuang.policies.catalogue import POLICIES

    text = "\n".join(p.read_text(encoding="utf-8") for p in Path(TESTS_DIR).glob("*.yaml"))
    for policy in POLICIES:
        assert f"{policy.id}:" in text or f"name: {policy.id} " in text, policy.id
