"""Results' rights moved from achievements into this app: a database migrated before the move keeps
every empowerment, transfer, valuation and listing (and their links), and the content types (with
their permissions) follow the models."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kechuang.achievements.models import TechSupply
from kechuang.core import services as core_services
from kechuang.rights.models import EmpowermentTransfer, ExchangeListing, RightsEmpowerment, ValuationWorksheet

BEFORE_THE_MOVE = [("achievements", "0002_rights"), ("rights", None)]
MOVED = ["rightsempowerment", "empowermenttransfer", "valuationworksheet", "exchangelisting"]


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # what is applied now
    return executor


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_rows_recorded_before_the_move_are_kept(own_org) -> None:  # type: ignore[no-untyped-def]
    person = core_services.create_person(None, affiliation=own_org, name="李明")
    supply = TechSupply.objects.create(title="一种高效催化剂", owner=own_org)
    content_type = ContentType.objects.get_for_model(RightsEmpowerment).pk
    try:
        executor = _migrate(BEFORE_THE_MOVE)
        tables = set(connection.introspection.table_names())
        assert "achievements_rightsempowerment" in tables and "rights_rightsempowerment" not in tables
        old = executor.loader.project_state(("achievements", "0002_rights")).apps
        assert ContentType.objects.get(pk=content_type).app_label == "achievements"

        # Rows written by the code of the time (the historical models of achievements.0002).
        Empowerment = old.get_model("achievements", "RightsEmpowerment")
        e = Empowerment.objects.create(
            pilot_unit_id=own_org.pk, result_id=supply.pk, result_title="一种高效催化剂", grant="ownership",
            ownership_share=Decimal("70"), granted_on=dt.date(2022, 3, 1), inventor_names="李明",
        )  # fmt: skip
        e.inventors.add(person.pk)
        old.get_model("achievements", "EmpowermentTransfer").objects.create(
            empowerment=e,
            transferred_on=dt.date(2022, 9, 1),
            amount=Decimal("3000000"),
            transferee="上海某企业",
        )
        v = old.get_model("achievements", "ValuationWorksheet").objects.create(
            organisation_id=own_org.pk, result_id=supply.pk, result_title="一种高效催化剂",
            valued_on=dt.date(2025, 1, 1), range_low=Decimal("100000"), range_high=Decimal("300000"),
            comparables=[{"number": "C1", "amount": "200000"}],
        )  # fmt: skip
        old.get_model("achievements", "ExchangeListing").objects.create(
            organisation_id=own_org.pk, result_id=supply.pk, result_title="一种高效催化剂", valuation=v,
            listed_on=dt.date(2025, 2, 1), deal_on=dt.date(2025, 3, 1), deal_value=Decimal("250000"),
        )  # fmt: skip
    finally:
        _latest()

    tables = set(connection.introspection.table_names())
    assert "rights_rightsempowerment" in tables and "achievements_rightsempowerment" not in tables
    empowerment = RightsEmpowerment.objects.get()
    assert (empowerment.pk, empowerment.pilot_unit, empowerment.result, empowerment.ownership_share) == (
        e.pk,
        own_org,
        supply,
        Decimal("70.00"),
    )
    assert list(empowerment.inventors.all()) == [person]
    transfer = EmpowermentTransfer.objects.get()
    assert (transfer.empowerment, transfer.amount) == (empowerment, Decimal("3000000.00"))
    valuation = ValuationWorksheet.objects.get()
    assert valuation.comparables == [{"number": "C1", "amount": "200000"}] and valuation.result == supply
    listing = ExchangeListing.objects.get()
    assert (listing.valuation, listing.deal_value) == (valuation, Decimal("250000.00"))
    # The content type (and the permissions that point to it) moved rather than being replaced.
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(RightsEmpowerment).pk == content_type
    assert not ContentType.objects.filter(app_label="achievements", model__in=MOVED).exists()
    # New rows continue the old tables' numbering.
    more = RightsEmpowerment.objects.create(
        pilot_unit=own_org, result_title="另一成果", grant="long_term_use", use_term_years=10,
        granted_on=dt.date(2023, 1, 1),
    )  # fmt: skip
    assert more.pk > empowerment.pk
