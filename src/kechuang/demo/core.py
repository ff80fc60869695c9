"""Demo step `core`: the synthetic registries of "Shanghai 2022" (placeholder: showcase organisations)."""

from __future__ import annotations

from kechuang.core.models import Organisation, Region

from . import showcase
from .context import DemoContext

VERSION = 1
DEPENDS: list[str] = []


def load(ctx: DemoContext) -> dict[str, int]:
    orgs = [
        Organisation(uscc=showcase.ENTERPRISE_USCC, name=showcase.ENTERPRISE_NAME, name_en=showcase.ENTERPRISE_NAME_EN,
                     kind=Organisation.Kind.ENTERPRISE, region=Region.objects.get(pk="310115"), is_synthetic=True),
        Organisation(uscc=showcase.UNIVERSITY_USCC, name=showcase.UNIVERSITY_NAME, name_en=showcase.UNIVERSITY_NAME_EN,
                     kind=Organisation.Kind.UNIVERSITY, region=Region.objects.get(pk="310104"), is_synthetic=True),
        Organisation(uscc=showcase.PROVIDER_USCC, name=showcase.PROVIDER_NAME, name_en=showcase.PROVIDER_NAME_EN,
                     kind=Organisation.Kind.SERVICE_PROVIDER, region=Region.objects.get(pk="310104"), is_synthetic=True),
    ]  # fmt: skip
    Organisation.objects.bulk_create(orgs)
    return {"organisations": len(orgs)}
