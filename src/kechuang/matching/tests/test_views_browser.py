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
