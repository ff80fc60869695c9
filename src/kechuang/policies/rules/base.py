"""The one entity (the enterprise), the variable kinds and the three-valued logic of the rules.

Conditions and verdicts are small integers so that Kleene logic is plain min/max over arrays:

    FAIL = 0  <  UNKNOWN = 1  <  PASS = 2

`all_of` (AND) is the element-wise minimum, `any_of` (OR) the maximum. A missing input is NaN and
turns a condition UNKNOWN, never FAIL: a missing fact is never read as zero.
"""

from __future__ import annotations

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.periods import DateUnit
from openfisca_core.variables import Variable

Enterprise = build_entity(
    key="enterprise",
    plural="enterprises",
    label="An enterprise (企业), the only entity: every fact and verdict is per enterprise and year",
    is_person=True,
)

FAIL, UNKNOWN, PASS = 0, 1, 2
VERDICTS = {FAIL: "not_eligible", UNKNOWN: "undetermined", PASS: "eligible"}
CONDITION_STATES = {FAIL: "fail", UNKNOWN: "unknown", PASS: "pass"}
YEAR = DateUnit.YEAR


class _Annual(Variable):
    entity = Enterprise
    definition_period = YEAR

    def __init_subclass__(cls, **kwargs) -> None:  # type: ignore[no-untyped-def]
        # OpenFisca reads a variable's settings from its own class __dict__ only; copy the ones a
        # kind (Money, Tri…) or a template class provides, so each rule stays a few lines long.
        super().__init_subclass__(**kwargs)
        for base in cls.__mro__[1:]:
            if base is Variable:
                break
            for key, value in base.__dict__.items():
                if not key.startswith("__") and key not in cls.__dict__:
                    setattr(cls, key, value)


class Money(_Annual):
    """Yuan, float64 (OpenFisca's float32 would lose whole yuan above 16.7 million). NaN = missing."""

    value_type = float
    default_value = float("nan")

    def __init__(self, baseline_variable=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(baseline_variable)
        self.dtype = np.float64


class Number(_Annual):
    """Counts, scores, ratios and years (float64 so NaN can mean missing)."""

    value_type = float
    default_value = float("nan")

    def __init__(self, baseline_variable=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(baseline_variable)
        self.dtype = np.float64


class Flag(_Annual):
    """A yes/no fact: 1.0 yes, 0.0 no, NaN missing."""

    value_type = float
    default_value = float("nan")

    def __init__(self, baseline_variable=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(baseline_variable)
        self.dtype = np.float32


class Tri(_Annual):
    """A condition or verdict: FAIL 0 / UNKNOWN 1 / PASS 2."""

    value_type = int
    default_value = UNKNOWN

    def __init__(self, baseline_variable=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(baseline_variable)
        self.dtype = np.int8


def tri(known: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """PASS where known and ok, FAIL where known and not ok, UNKNOWN where not known."""
    # 1 + known·(2·ok − 1): PASS 2, FAIL 0, UNKNOWN 1, in one-byte arithmetic (hot at a million rows).
    k = np.asarray(known, dtype=bool).view(np.int8)
    o = np.asarray(ok, dtype=bool).view(np.int8)
    return (1 + k * (2 * o - 1)).astype(np.int8, copy=False)


# Computed ratios carry float rounding ((28.8/20)^½ − 1 is 0.19999999999999996): inclusive bounds
# allow a relative 1e-10, far below one yuan on any amount the rules compare.
EPS = 1e-10


def ge(value: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    return value >= threshold - EPS * np.maximum(1.0, np.abs(threshold))


def le(value: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    return value <= threshold + EPS * np.maximum(1.0, np.abs(threshold))


def at_least(value: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    return tri(~np.isnan(value), ge(value, threshold))


def at_most(value: np.ndarray, threshold: np.ndarray | float) -> np.ndarray:
    return tri(~np.isnan(value), le(value, threshold))


def is_yes(flag: np.ndarray) -> np.ndarray:
    return tri(~np.isnan(flag), flag == 1)


def is_no(flag: np.ndarray) -> np.ndarray:
    return tri(~np.isnan(flag), flag == 0)


def all_of(*conditions: np.ndarray) -> np.ndarray:
    out = conditions[0]
    for c in conditions[1:]:
        out = np.minimum(out, c)
    return out.astype(np.int8)


def any_of(*conditions: np.ndarray) -> np.ndarray:
    out = conditions[0]
    for c in conditions[1:]:
        out = np.maximum(out, c)
    return out.astype(np.int8)


def constant(population_size: int, state: int) -> np.ndarray:
    return np.full(population_size, state, dtype=np.int8)


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator; NaN when either is missing, +inf for x/0 with x > 0, 0 for 0/0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = numerator / denominator
    zero = denominator == 0
    if zero.any():
        out = np.where(zero & (numerator > 0), np.inf, np.where(zero & (numerator == 0), 0.0, out))
    return out
