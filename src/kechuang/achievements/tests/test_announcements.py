"""Supply services announce their changes (core.search, core.events) instead of calling the index:
after the commit, once per change, and not at all when the transaction rolls back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from kechuang.achievements import services
from kechuang.core import events
from kechuang.core import services as core_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Any:
    seen: list[tuple[str, Any]] = []

    def item(sender: Any, *, kind: str, pk: int, **_: Any) -> None:
        seen.append((kind, pk))

    def works(sender: Any, *, person_id: int, **_: Any) -> None:
        seen.append(("works", person_id))

    events.search_item_changed.connect(item, dispatch_uid="test-item")
    events.person_works_changed.connect(works, dispatch_uid="test-works")
    yield seen
    events.search_item_changed.disconnect(dispatch_uid="test-item")
    events.person_works_changed.disconnect(dispatch_uid="test-works")


def test_each_supply_change_is_announced_after_the_commit(
    heard, own_org, enterprise_user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        s = services.create_supply(enterprise_user, own_org, title="钙钛矿封装", abstract="湿热稳定性")
        pk = s.pk
        assert heard == []
    with django_capture_on_commit_callbacks(execute=True):
        services.update_supply(enterprise_user, s, trl=5)
        services.set_supply_status(enterprise_user, s, "published")
        services.set_supply_status(enterprise_user, s, "archived")
        services.delete_supply(enterprise_user, s)
    assert heard == [("supply", pk)] * 5


def test_a_rolled_back_change_announces_nothing(
    heard, engine, own_org, enterprise_user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.create_supply(enterprise_user, own_org, title="钙钛矿封装", abstract="湿热", publish=True)
        raise RuntimeError("a later step fails")
    assert heard == []
    assert engine.search("钙钛矿", kind="supply") == []  # and so nothing reached the index


def test_a_persons_works_are_announced(
    heard, own_org, enterprise_user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    person = core_services.create_person(None, affiliation=own_org, name="李明")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_funded_project(None, number="71700001", title="催化剂研究", principal=person)
        s = services.create_supply(enterprise_user, own_org, title="催化剂")
        services.add_inventor(enterprise_user, s, person)
    assert [h for h in heard if h[0] == "works"] == [("works", person.pk), ("works", person.pk)]
