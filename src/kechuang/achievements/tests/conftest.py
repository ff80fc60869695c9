"""Supply tests index into a per-test engine under a temporary directory (the shared `engine`
fixture of tests/conftest.py): the supply pages rank through it."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _own_engine(engine: Any) -> Any:
    return engine
