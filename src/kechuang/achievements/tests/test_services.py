"""Supply services: permissions, status moves, audit, index sync, deletion rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.achievements import services
from kechuang.achievements.models import TechSupply
from kechuang.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _new(owner, actor=None, **fields):  # type: ignore[no-untyped-def]
    fields.setdefault("title", "高效钙钛矿太阳能电池封装技术")
    fields.setdefault("abstract", "一种提高钙钛矿电池湿热稳定性的封装方法。")
    return services.create_supply(actor, owner, **fields)


def test_only_the_owner_or_staff_manage_an_item(own_org, enterprise_user, other_user, staff_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        _new(own_org, other_user)
    s = _new(own_org, enterprise_user)
    with pytest.raises(PermissionDenied):
        services.update_supply(other_user, s, trl=4)
    services.update_supply(staff_user, s, trl=4)
    assert TechSupply.objects.get(pk=s.pk).trl == 4
    actions = list(
        AuditEntry.objects.filter(object_id=str(s.pk), object_type="achievements.techsupply").values_list(
            "action", flat=True
        )
    )
    assert set(actions) == {"supply.create", "supply.update"}


def test_is_synthetic_is_not_settable_by_users(own_org, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    s = _new(own_org, enterprise_user, is_synthetic=True)
    assert s.is_synthetic is False


def test_status_moves(own_org, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    s = _new(own_org, enterprise_user)
    assert s.status == "draft"
    services.set_supply_status(enterprise_user, s, "published")
    assert s.status == "published" and s.published_at is not None
    with pytest.raises(ValidationError):
        services.set_supply_status(enterprise_user, s, "draft")
    with pytest.raises(ValidationError):
        services.delete_supply(enterprise_user, s)  # published: archive instead
    services.set_supply_status(enterprise_user, s, "archived")
    services.delete_supply(enterprise_user, s)
    assert not TechSupply.objects.filter(pk=s.pk).exists()
    assert AuditEntry.objects.filter(action="supply.delete").exists()


def test_search_follows_publish_edit_and_delete(
    engine, own_org, enterprise_user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        s = _new(own_org, enterprise_user, publish=True)
    assert [h.id for h in engine.search("钙钛矿", kind="supply")] == [str(s.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        services.update_supply(enterprise_user, s, title="柔性有机发光显示材料", abstract="OLED 材料")
    assert engine.search("钙钛矿", kind="supply") == []
    assert [h.id for h in engine.search("有机发光", kind="supply")] == [str(s.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        services.set_supply_status(enterprise_user, s, "archived")
        services.delete_supply(enterprise_user, s)
    assert engine.search("有机发光", kind="supply") == []


def test_bad_fields_lose_nothing(own_org, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    s = _new(own_org, enterprise_user, trl=5)
    with pytest.raises(ValidationError):
        services.update_supply(enterprise_user, s, trl=0, title="改名")
    s.refresh_from_db()
    assert (s.trl, s.title) == (5, "高效钙钛矿太阳能电池封装技术")
    with pytest.raises(ValidationError):
        services.update_supply(enterprise_user, s, owner=None)
