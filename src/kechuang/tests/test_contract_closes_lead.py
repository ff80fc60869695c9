"""A contract signed for a match lead closes the lead: contracts announce it (core.events) and
matching, which keeps the leads, moves it. The two apps do not know each other (docs/architecture.md),
so the journey through both is tested here, at the project level."""

from __future__ import annotations

import pytest
from tests.conftest import client_for

from kechuang.contracts.tests.helpers import file_contract

WHO = ["anonymous", "other", "own", "staff"]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def people(enterprise_user, other_user, staff_user):
    return {"anonymous": None, "other": other_user, "own": enterprise_user, "staff": staff_user}


def _lead(own_org, other_org):
    from kechuang.achievements.models import TechSupply
    from kechuang.matching.models import Demand, MatchLead

    demand = Demand.objects.create(title="需求", summary="传感器", organisation=other_org)
    supply = TechSupply.objects.create(title="传感器成果", owner=own_org)
    return MatchLead.objects.create(demand=demand, supply=supply, supplier=own_org)


@pytest.mark.parametrize("who", WHO)
def test_a_signed_contract_closes_its_match_lead(people, enterprise_user, own_org, other_org, api_for, who):
    lead = _lead(own_org, other_org)
    c = file_contract(enterprise_user, own_org, number=f"M-{who}", buyer_uscc=other_org.uscc)
    r = api_for(people[who]).post(f"/api/v1/contracts/contracts/{c.pk}/lead", {"lead_id": lead.pk})
    # "other" is the buyer here: a party that sees the contract, but only the filer links it.
    assert r.status_code == {"anonymous": 401, "other": 403, "own": 200, "staff": 200}[who]
    lead.refresh_from_db()
    c.refresh_from_db()
    if who in {"own", "staff"}:
        assert (
            lead.stage == "signed"
            and lead.contract_ref == c.number
            and lead.contract_amount == c.total_amount
        )
        assert c.match_lead_id == lead.pk
        # Linking again is harmless; an unknown lead is a field error.
        assert (
            api_for(people[who])
            .post(f"/api/v1/contracts/contracts/{c.pk}/lead", {"lead_id": lead.pk})
            .status_code
            == 200
        )
        bad = api_for(people[who]).post(f"/api/v1/contracts/contracts/{c.pk}/lead", {"lead_id": 999999})
        assert bad.status_code == 422 and "lead_id" in bad.json()["error"]["fields"]
    else:
        assert lead.stage != "signed" and c.match_lead_id is None


@pytest.mark.parametrize("who", WHO)
def test_closing_a_lead_on_the_web(people, enterprise_user, own_org, other_org, who):
    lead = _lead(own_org, other_org)
    c = file_contract(enterprise_user, own_org, number=f"MW-{who}", buyer_uscc=other_org.uscc)
    r = client_for(people[who]).post(f"/contracts/{c.pk}/lead/", {"lead_id": lead.pk})
    assert r.status_code == {"anonymous": 302, "other": 403, "own": 302, "staff": 302}[who]
    lead.refresh_from_db()
    assert (lead.stage == "signed") == (who in {"own", "staff"})
