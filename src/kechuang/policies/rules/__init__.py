"""The policy catalogue as code: an OpenFisca-core tax-benefit system with one entity, the enterprise.

parameters/   dated YAML; metadata.reference names the document and article, metadata.tag the
              catalogue's certainty ([SRC] / [KNOW] / UNCONFIRMED)
tests/        YAML situation tests, run from pytest (policies/tests/test_situations.py)
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from types import ModuleType

from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from . import (
    base,
    facts,
    hnte,
    little_giant,
    rd_super_deduction,
    regime,
    small_micro,
    tech_sme,
    transfer,
    voucher,
)
from .base import Enterprise

RULES_DIR = Path(__file__).parent
PARAMETERS_DIR = RULES_DIR / "parameters"
TESTS_DIR = RULES_DIR / "tests"
_KINDS = {base.Money, base.Number, base.Flag, base.Tri}


def _module_variables(module: ModuleType) -> list[type]:
    return [
        obj
        for _name, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Variable) and obj.__module__ == module.__name__ and obj not in _KINDS
        and not obj.__name__.startswith("_")
    ]  # fmt: skip


class KechuangRules(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__([Enterprise])
        for module in (facts, hnte, rd_super_deduction, tech_sme, transfer, small_micro, voucher, regime):
            self.add_variables(*_module_variables(module))
        self.add_variables(*little_giant.tier_variables())
        self.add_variables(*_module_variables(little_giant))
        self.load_parameters(str(PARAMETERS_DIR))


@functools.lru_cache(maxsize=1)
def baseline() -> KechuangRules:
    """The shared baseline system (building it parses every YAML file: do it once per process)."""
    return KechuangRules()
