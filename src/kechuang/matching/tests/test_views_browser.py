"""In headless Chromium against a live server: an enterprise types its problem and sees matching
technology appear (htmx), posts the demand and finds the match, explained, on the demand's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kechuang.core.tests.test_browser import _sign_in

from . import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_instant_matches_while_typing_then_post(
    page: Any,
    live_server: Any,
    engine: Any,
    other_org: Any,
    enterprise_user: Any,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    battery = f.supply(other_org)  # committed: the index is updated after the commit
    f.supply(other_org, title=f.CHIP, abstract=f.CHIP_ABSTRACT)
    base = live_server.url
    _sign_in(page, base, enterprise_user)
    page.goto(f"{base}/matching/demands/new/")
    expect(page.locator("#matches")).to_contain_text("请开始输入")
    page.fill("#id_title", "固态电池")
    page.locator("#id_summary").press_sequentially("解决固态电池电解质锂枝晶问题", delay=20)
    expect(page.locator("#matches mark").first).to_be_visible()
    expect(page.locator("#matches")).to_contain_text("匹配词")
    assert f.CHIP not in page.locator("#matches").inner_text()
    page.screenshot(path=str(tmp_path / "instant-matches.png"), full_page=True)
    page.locator("#demand-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("固态电池")
    results = page.locator("ol.results").first
    expect(results).to_contain_text(battery.title[:2])
    expect(page.locator('[data-testid="funnel"]')).to_be_visible()


def test_marketplace_pages_pass_the_accessibility_check(
    page: Any, live_server: Any, engine: Any, own_org: Any, other_org: Any, enterprise_user: Any
) -> None:
    """axe-core finds no WCAG problem (moderate or worse) on the marketplace's pages, results shown."""
    from tests.browser import accessibility_problems

    from kechuang.core import services as core_services
    from kechuang.matching import services

    supply = f.supply(other_org)
    demand = f.demand(own_org, actor=enterprise_user)
    person = core_services.create_person(None, affiliation=other_org, name="陈静")
    expert = services.build_expert_profile(None, person)
    call = f.call(demand)
    base = live_server.url
    _sign_in(page, base, enterprise_user)
    problems = {}
    for path in ["/achievements/", "/achievements/?q=固态电池", f"/achievements/{supply.pk}/", "/matching/",
                 f"/matching/demands/{demand.pk}/", "/matching/experts/", f"/matching/experts/{expert.pk}/",
                 "/matching/calls/", f"/matching/calls/{call.pk}/", "/matching/leads/"]:  # fmt: skip
        page.goto(base + path)
        problems[path] = accessibility_problems(page)
    page.goto(f"{base}/matching/demands/new/")
    page.locator("#id_summary").press_sequentially("固态电池电解质", delay=10)
    page.locator("#matches ol.results").wait_for()
    problems["instant matches"] = accessibility_problems(page)
    assert {p: found for p, found in problems.items() if found} == {}
