"""Matching subscribes to what other apps announce (core.events): it reindexes a changed item,
rebuilds an expert whose works changed and signs a lead a contract was signed for; an announcement
that never comes (a rolled-back transaction) changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from kechuang.achievements import services as supply_services
from kechuang.achievements.models import TechSupply
from kechuang.core import events, search
from kechuang.core import services as core_services
from kechuang.matching import services
from kechuang.matching.models import ExpertProfile

from . import factories as f

pytestmark = pytest.mark.django_db


def _ids(engine, text: str, kind: str = "supply") -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in engine.search(text, kind=kind)]


def test_an_announced_change_is_reindexed(engine, own_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # Written behind the services' back: nothing announced, nothing indexed.
    s = TechSupply.objects.create(title="钙钛矿电池封装", owner=own_org, status=TechSupply.Status.PUBLISHED)
    assert _ids(engine, "钙钛矿") == []
    with django_capture_on_commit_callbacks(execute=True):
        search.changed("supply", s.pk)
    assert _ids(engine, "钙钛矿") == [str(s.pk)]
    TechSupply.objects.filter(pk=s.pk).update(status=TechSupply.Status.ARCHIVED)
    with django_capture_on_commit_callbacks(execute=True):
        search.changed("supply", s.pk)
    assert _ids(engine, "钙钛矿") == []


def test_nothing_is_reindexed_when_the_transaction_rolls_back(
    engine, own_org, enterprise_user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        kept = supply_services.create_supply(enterprise_user, own_org, title="钙钛矿电池封装", publish=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        supply_services.update_supply(enterprise_user, kept, title="柔性有机发光材料")
        supply_services.create_supply(enterprise_user, own_org, title="有机发光显示", publish=True)
        raise RuntimeError("a later step fails")
    assert _ids(engine, "钙钛矿") == [str(kept.pk)]
    assert _ids(engine, "有机发光") == []


def test_a_persons_works_rebuild_their_expert_profile(own_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = core_services.create_person(None, affiliation=own_org, name="李明")
    services.build_expert_profile(None, person)
    with django_capture_on_commit_callbacks(execute=True):
        events.works_changed(person.pk)  # as achievements announces it
        assert ExpertProfile.objects.get(person=person).project_count == 0
        supply_services.record_funded_project(None, number="71700009", title="催化剂研究", principal=person)
    assert ExpertProfile.objects.get(person=person).project_count == 1


def test_a_contract_signed_for_a_lead_signs_the_lead(own_org, other_org, staff_user) -> None:  # type: ignore[no-untyped-def]
    lead = services.create_lead(None, f.demand(other_org, recommend=False), supply=f.supply(own_org))
    moved = events.signed_for_lead(staff_user, lead.pk, "TC-2026-0001", Decimal("650000.00"))
    lead.refresh_from_db()
    assert moved == lead and (lead.stage, lead.contract_ref) == ("signed", "TC-2026-0001")
    assert events.signed_for_lead(staff_user, 999999, "TC-2026-0002", None) is None


def test_matching_provides_ranking(engine, own_org, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        s = supply_services.create_supply(None, own_org, title="钙钛矿电池封装", publish=True)
    assert search.ranking_available()
    assert [r.obj for r in search.rank("钙钛矿", kind="supply")] == [s]
