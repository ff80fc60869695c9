"""Every matching test gets its own engine under a temporary data directory (the shared `engine`
fixture of tests/conftest.py), so tests never touch var/index."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _own_engine(engine: Any) -> Any:
    return engine
