"""Who is screened out of 免申即享 for credit restrictions.

The credit app owns restrictions. Until it offers `kechuang.credit.queries.restricted_organisation_ids`,
the navigator falls back to the `credit_ok` annual fact. Tests pass their own double.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Protocol


class CreditScreen(Protocol):
    def restricted(self, organisation_ids: Iterable[int], year: int) -> set[int]:
        """The ids among `organisation_ids` that may not receive support in `year`."""
        ...


class FactsCreditScreen:
    """Restricted when the year's annual facts record credit_ok = false."""

    def restricted(self, organisation_ids: Iterable[int], year: int) -> set[int]:
        from kechuang.core.models import EnterpriseFacts

        ids = list(organisation_ids)
        rows = EnterpriseFacts.objects.filter(organisation_id__in=ids, year=year, credit_ok=False)
        return set(rows.values_list("organisation_id", flat=True))


class CreditServiceScreen:
    """Delegates to the credit app's query."""

    def __init__(self, query) -> None:  # type: ignore[no-untyped-def]
        self.query = query

    def restricted(self, organisation_ids: Iterable[int], year: int) -> set[int]:
        ids = set(organisation_ids)
        return set(self.query(year)) & ids


def default_screen() -> CreditScreen:
    try:
        module = importlib.import_module("kechuang.credit.queries")
    except ModuleNotFoundError:
        return FactsCreditScreen()
    query = getattr(module, "restricted_organisation_ids", None)
    return CreditServiceScreen(query) if callable(query) else FactsCreditScreen()
