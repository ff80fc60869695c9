"""Who may see and change what in the marketplace. Used by views, the API, the CLI and services."""

from __future__ import annotations

from typing import Any

from kechuang.core.permissions import belongs_to, can_edit_organisation, is_staff

from .models import CallApplication, Demand, MatchLead, NdaAcceptance, OpenCall


def can_view_demand(user: Any, demand: Demand) -> bool:
    """Open and closed demands are public (their summary); drafts are for the poster and staff."""
    return demand.status != Demand.Status.DRAFT or can_edit_organisation(user, demand.organisation_id)


def can_edit_demand(user: Any, demand: Demand) -> bool:
    return can_edit_organisation(user, demand.organisation_id)


def has_accepted_nda(user: Any, demand: Demand) -> bool:
    org_id: Any = getattr(user, "organisation_id", None) if getattr(user, "is_authenticated", False) else None
    return bool(org_id) and NdaAcceptance.objects.filter(demand=demand, organisation_id=org_id).exists()


def can_view_demand_details(user: Any, demand: Demand) -> bool:
    """Confidential details: the poster, staff, and organisations that accepted the poster's NDA."""
    if not can_view_demand(user, demand):
        return False
    if not demand.confidential:
        return True
    return can_edit_demand(user, demand) or has_accepted_nda(user, demand)


def can_act_on_lead(user: Any, lead: MatchLead) -> bool:
    """Both sides of a lead (the demand's organisation and the supplier) and staff."""
    return (
        is_staff(user) or belongs_to(user, lead.demand.organisation_id) or belongs_to(user, lead.supplier_id)
    )


def can_manage_call(user: Any, call: OpenCall) -> bool:
    return can_edit_organisation(user, call.demand.organisation_id)


def can_view_application(user: Any, application: CallApplication) -> bool:
    return can_manage_call(user, application.call) or belongs_to(user, application.organisation_id)
