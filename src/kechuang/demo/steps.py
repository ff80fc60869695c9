"""The ordered registry of demo dataset steps.

Each name is a module `kechuang.demo.<name>` exposing

    VERSION: int                    bump it when the step's data changes
    DEPENDS: list[str]              steps that must have completed first
    load(ctx: DemoContext) -> dict[str, int]     create the rows, return counts by kind

and optionally `unload(ctx) -> None` (remove the step's rows, so a new VERSION can replace them).
A name whose module does not exist yet is skipped: the apps plug their data in by adding the module.
Order: registries first, then the apps that refer to them (see docs/demo-data.md).
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

STEPS: list[str] = [
    "core",  # regions are reference data; enterprises + facts, institutions, people, carriers, providers
    "accounts",  # one demo user per role, bound to the showcase organisations of `core`
    "achievements",  # research results and patents from the real corpora
    "marketplace",  # matching: demands, experts, channels
    "policies",  # OpenFisca rules, applications
    "contracts",  # technology contracts (38,265 / 4,003.51 亿元)
    "credit",  # S&T credit records
    "vouchers",  # YRD innovation vouchers
    "finance",  # tech loans, 高企贷, IPO cultivation pool
    "programmes",  # open calls, 揭榜挂帅
    "search",  # search indexes over what the steps above created
    "indicators",  # indicator snapshots (last: computed from everything above)
]


def step_module(name: str) -> ModuleType | None:
    """The module of step `name`, or None when no app has written it yet."""
    full = f"kechuang.demo.{name}"
    if importlib.util.find_spec(full) is None:
        return None
    return importlib.import_module(full)


def available_steps() -> list[tuple[str, ModuleType]]:
    return [(name, mod) for name in STEPS if (mod := step_module(name)) is not None]
