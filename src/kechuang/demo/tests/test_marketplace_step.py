"""The `marketplace` demo step on a small scale: real corpora become supplies, projects and experts;
synthetic demands, calls and leads cover every funnel stage; everything public is searchable."""

from __future__ import annotations

import pytest

from kechuang.achievements.models import FundedProject, TechSupply, patent_number_problem
from kechuang.demo.context import DemoContext
from kechuang.demo.runner import run_steps
from kechuang.matching.models import CallApplication, Demand, ExpertProfile, MatchLead, OpenCall
from kechuang.matching.queries import funnel

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_marketplace_step_small_scale(engine) -> None:  # type: ignore[no-untyped-def]
    results = run_steps(DemoContext(scale=0.02, quiet=True), ["core", "accounts", "marketplace"])
    status = {r.name: (r.status, r.message[-800:]) for r in results}
    assert status["marketplace"][0] == "done", status["marketplace"]
    assert (
        TechSupply.objects.filter(kind="result").exists()
        and TechSupply.objects.filter(kind="patent").exists()
    )
    assert all(
        patent_number_problem(n) is None
        for n in TechSupply.objects.filter(kind="patent").values_list("patent_number", flat=True)
    )
    assert FundedProject.objects.filter(principal__isnull=False).exists()
    assert ExpertProfile.objects.filter(project_count__gt=0).exists()
    assert Demand.objects.filter(is_synthetic=True).count() >= 12
    assert (
        OpenCall.objects.count() == 2
        and CallApplication.objects.filter(status="rejected").exclude(rejection_reason="").exists()
    )
    rows = {r["stage"]: r["count"] for r in funnel(MatchLead.objects.all())}
    assert rows["recommended"] == MatchLead.objects.count() > 0
    # Every public item is in the (lexical) index; confidential details are not.
    stats = engine.stats()
    assert stats.documents["supply"] == TechSupply.objects.filter(status="published").count()
    assert stats.documents["demand"] == Demand.objects.filter(status="open").count()
    assert Demand.objects.filter(confidential=True).exists()
    assert engine.search("演示数据", kind="demand") == []
    # A new VERSION replaces the step's rows: unload removes them all.
    from kechuang.demo import marketplace

    marketplace.unload(DemoContext(scale=0.02, quiet=True))
    assert not TechSupply.objects.exists() and not Demand.objects.exists() and not MatchLead.objects.exists()
    assert (
        not FundedProject.objects.exists()
        and not ExpertProfile.objects.exists()
        and not OpenCall.objects.exists()
    )
