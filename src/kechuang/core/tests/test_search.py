"""The search registry and the announcements (core.search, core.events): an index is declared once
per kind, a change is announced after the commit and never when the transaction rolls back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from kechuang.core import events, search
from kechuang.core.models import Organisation


class OrganisationIndex(search.SearchIndex):
    kind = "test-organisation"
    model = Organisation
    indexable_when = {"kind": Organisation.Kind.ENTERPRISE}

    @classmethod
    def document(cls, obj: Any) -> search.SearchDocument:
        return search.SearchDocument(id=str(obj.pk), kind=cls.kind, title=obj.name)


@pytest.fixture
def declared(monkeypatch: pytest.MonkeyPatch) -> type[search.SearchIndex]:
    monkeypatch.setattr(search, "_registry", dict(search._registry))
    return search.register_search(OrganisationIndex)


@pytest.fixture
def heard() -> Any:
    """What subscribers of `search_item_changed` hear during the test."""
    seen: list[tuple[str, int]] = []

    def listen(sender: Any, *, kind: str, pk: int, **_: Any) -> None:
        seen.append((kind, pk))

    events.search_item_changed.connect(listen, dispatch_uid="test-listener")
    yield seen
    events.search_item_changed.disconnect(dispatch_uid="test-listener")


def test_one_index_per_kind(declared) -> None:  # type: ignore[no-untyped-def]
    assert search.get_index("test-organisation") is OrganisationIndex
    assert search.register_search(OrganisationIndex) is OrganisationIndex  # declaring again is harmless

    class Another(OrganisationIndex):
        pass

    with pytest.raises(ValueError, match="already declared"):
        search.register_search(Another)
    with pytest.raises(LookupError):
        search.get_index("no-such-kind")


@pytest.mark.django_db
def test_one_rule_filters_the_index_and_checks_a_row(declared, own_org, make_org) -> None:  # type: ignore[no-untyped-def]
    university = make_org(kind=Organisation.Kind.UNIVERSITY)
    assert OrganisationIndex.is_indexable(own_org) and not OrganisationIndex.is_indexable(university)
    assert own_org in OrganisationIndex.indexable() and university not in OrganisationIndex.indexable()


def test_every_installed_kind_is_declared_by_its_app() -> None:
    assert {k: i.model._meta.label for k, i in search.indexes().items()} == {
        "supply": "achievements.TechSupply",
        "demand": "matching.Demand",
        "expert": "matching.ExpertProfile",
    }


@pytest.mark.django_db
def test_a_change_is_heard_after_the_commit_only(
    declared, heard, own_org, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        search.changed("test-organisation", own_org.pk)
        assert heard == []  # not before the commit
    assert heard == [("test-organisation", own_org.pk)] and len(callbacks) == 1

    heard.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        search.changed("test-organisation", own_org.pk)
        raise RuntimeError("the change fails")
    assert heard == [] and callbacks == []


@pytest.mark.django_db
def test_an_unknown_kind_fails_where_it_is_announced(heard) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(LookupError):
        search.changed("no-such-kind", 1)


def test_without_a_provider_ranking_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "_ranking", None)
    assert not search.ranking_available()
    assert search.rank("催化剂", kind="supply") == [] and search.similar("supply", object()) == []


@pytest.mark.django_db
def test_a_lead_nobody_keeps_is_none() -> None:
    answers: list[Any] = []

    def keeper(sender: Any, *, lead_id: int, **_: Any) -> Any:
        answers.append(lead_id)
        return "lead" if lead_id == 1 else None

    events.contract_signed_for_lead.connect(keeper, dispatch_uid="test-keeper")
    try:
        assert events.signed_for_lead(None, 1, "TC-1", None) == "lead"
        assert events.signed_for_lead(None, 2, "TC-2", None) is None
    finally:
        events.contract_signed_for_lead.disconnect(dispatch_uid="test-keeper")
    assert answers == [1, 2]
