"""What of the marketplace may be searched: open demands and visible expert profiles, their public
text and facts (core.search). Supplies are declared by achievements, beside their model.

The rule that keeps confidential details out of search: a demand's document is built from its
title, public summary and desired outcome only. `details` never appears here, so it cannot reach
the index, snippets, highlights or explanations.
"""

from __future__ import annotations

from kechuang.core.search import SearchDocument, SearchIndex, register_search

from .models import Demand, ExpertProfile


def demand_document(demand: Demand) -> SearchDocument:
    """Title, public summary and desired outcome. Never `details` (confidential or not: one rule)."""
    text = "\n".join(t for t in (demand.summary, demand.desired_outcome) if t)
    return SearchDocument(
        id=str(demand.pk),
        kind="demand",
        title=demand.title,
        text=text,
        fields=[f.pk for f in demand.tech_fields.all()],
        attrs={
            "trl_min": demand.trl_min,
            "budget": demand.budget_max,
            "region": demand.region_preference_id or demand.organisation.region_id,
            "cooperation_modes": [demand.cooperation_mode] if demand.cooperation_mode else [],
            "transfer_modes": [demand.cooperation_mode] if demand.cooperation_mode else [],
            "owner_org_id": demand.organisation_id,
        },
    )


def expert_document(profile: ExpertProfile) -> SearchDocument:
    person = profile.person
    # The summary is the bio, then one line per work (results, patents, funded projects): each
    # work is a passage of its own, so a person is found by their best-matching work.
    bio_lines = {line.strip() for line in (person.bio or "").splitlines()}
    works = [
        line.strip()
        for line in profile.summary.splitlines()
        if line.strip() and line.strip() not in bio_lines
    ]
    return SearchDocument(
        id=str(profile.pk),
        kind="expert",
        # The name only: a role ("项目负责人", "教授") says nothing about what a person works on,
        # and would make every holder of it match a query or "similar experts" that mentions it.
        title=person.name,
        text=profile.summary,
        keywords=list(profile.keywords),
        fields=[f.pk for f in profile.tech_fields.all()],
        passages=works,
        attrs={
            "region": profile.organisation.region_id if profile.organisation is not None else None,
            "owner_org_id": profile.organisation_id,
        },
    )


@register_search
class DemandIndex(SearchIndex):
    kind = "demand"
    model = Demand
    related = ("organisation",)
    document_related = ("tech_fields",)
    indexable_when = {"status": Demand.Status.OPEN}

    @classmethod
    def document(cls, obj: Demand) -> SearchDocument:
        return demand_document(obj)


@register_search
class ExpertIndex(SearchIndex):
    kind = "expert"
    model = ExpertProfile
    related = ("person", "organisation")
    document_related = ("tech_fields",)
    indexable_when = {"visible": True}

    @classmethod
    def document(cls, obj: ExpertProfile) -> SearchDocument:
        return expert_document(obj)
