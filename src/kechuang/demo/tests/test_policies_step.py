"""The demo step loads the library from the repository (never from /work/shared) and extra facts."""

from __future__ import annotations

from kechuang.core import services as core_services
from kechuang.demo import policies as step
from kechuang.demo.context import DemoContext
from kechuang.policies.catalogue import BY_ID
from kechuang.policies.models import PolicyDocument, SupplementaryFacts


def test_demo_step_loads_the_library_and_facts(make_org) -> None:  # type: ignore[no-untyped-def]
    orgs = [make_org(is_synthetic=True) for _ in range(12)]
    for org in orgs:
        core_services.record_enterprise_facts(None, org, 2022, revenue=1, is_synthetic=True)
    ctx = DemoContext(quiet=True).for_step("policies")
    counts = step.load(ctx)
    assert counts["policy documents"] == PolicyDocument.objects.count() >= 15
    assert "/work/shared" not in str(step.LIBRARY)
    for doc in PolicyDocument.objects.all():
        assert doc.certainty in {"[SRC]", "[KNOW]", "UNCONFIRMED"}
        assert all(pid in BY_ID for pid in doc.policy_id_list), doc
    covered = {pid for d in PolicyDocument.objects.all() for pid in d.policy_id_list}
    assert covered == set(BY_ID)  # every computable policy has its document
    assert 0 < SupplementaryFacts.objects.count() < 12
    step.unload(ctx)
    assert not PolicyDocument.objects.exists()
