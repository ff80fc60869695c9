"""The rights pages and API moved from /achievements/rights/ to /rights/: old links and API clients
are redirected (permanently, method and query string kept)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/achievements/rights/", "/rights/"),
        ("/achievements/rights/valuations/?page=2", "/rights/valuations/?page=2"),
        ("/achievements/rights/empowerments/7/", "/rights/empowerments/7/"),
        ("/api/v1/achievements/rights/figures", "/api/v1/rights/figures"),
    ],
)
def test_old_addresses_redirect_to_the_new_ones(client, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    r = client.get(old)
    assert (r.status_code, r["Location"]) == (308, new)


def test_an_old_link_still_opens_the_page(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/achievements/rights/", follow=True)
    assert r.status_code == 200 and r.redirect_chain == [("/rights/", 308)]
    assert reverse("rights:figures") == "/rights/"


def test_a_post_to_the_old_api_address_stays_a_post(enterprise_user, api_for) -> None:  # type: ignore[no-untyped-def]
    # 308, unlike 301/302, tells a client to repeat the POST at the new address.
    r = api_for(enterprise_user).post("/api/v1/achievements/rights/listings", {"listed_on": "2025-01-01"})
    assert (r.status_code, r["Location"]) == (308, "/api/v1/rights/listings")
    page = client_for(enterprise_user).post("/achievements/rights/listings/", {"listed_on": "2025-01-01"})
    assert (page.status_code, page["Location"]) == (308, "/rights/listings/")
