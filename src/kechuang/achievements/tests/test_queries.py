"""Reads of the supply: `admitted` keeps exactly what `qs.filter(pk__in=ids)` keeps."""

from __future__ import annotations

import pytest

from kechuang.achievements import queries, services
from kechuang.achievements.models import TechSupply
from kechuang.core.models import TechField

pytestmark = pytest.mark.django_db


def test_admitted_matches_a_primary_key_filter(
    own_org, other_org, enterprise_user, other_user, staff_user
) -> None:  # type: ignore[no-untyped-def]
    field = TechField.objects.filter(parent__isnull=False).first()
    mine_draft = services.create_supply(enterprise_user, own_org, title="自有草稿", trl=3)
    mine = services.create_supply(
        enterprise_user, own_org, title="自有成果", trl=6, transfer_modes=["licence"], publish=True,
        tech_fields=[field],
    )  # fmt: skip
    theirs_draft = services.create_supply(other_user, other_org, title="他人草稿", trl=7)
    theirs = services.create_supply(
        other_user, other_org, title="他人成果", trl=2, transfer_modes=["transfer"], publish=True
    )
    ids = [s.pk for s in (mine_draft, mine, theirs_draft, theirs)] + [10**9]
    for user in (None, enterprise_user, other_user, staff_user):
        visible = queries.visible_supplies(user)
        for filters in ({}, {"trl_min": 5}, {"mode": "licence"}, {"field": field.pk}, {"field": field.parent_id},
                        {"status": "draft"}, {"kind": "patent"}):  # fmt: skip
            qs = queries.filter_supplies(visible, **filters)  # type: ignore[arg-type]
            expected = set(qs.filter(pk__in=ids).values_list("pk", flat=True))
            assert queries.admitted(qs, ids) == expected, (user, filters)
    assert queries.admitted(queries.visible_supplies(None), ids) == {mine.pk, theirs.pk}
    assert queries.admitted(queries.visible_supplies(enterprise_user), ids) == {
        mine_draft.pk,
        mine.pk,
        theirs.pk,
    }
    assert queries.admitted(TechSupply.objects.all(), []) == set()
