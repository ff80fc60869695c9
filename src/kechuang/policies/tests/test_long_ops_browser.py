"""In headless Chromium against a live server: staff start a what-if simulation, follow its progress
bar (htmx polling, no script of ours), and reach the comparison and its charts from the job page; the
notification of a run is confirmed with the count, which follows the policies ticked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_queued_jobs

from kechuang.core.tests.test_browser import _sign_in
from kechuang.policies import services

from .conftest import YEAR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = os.environ.get("KECHUANG_SCREENSHOTS")  # a folder to keep the screenshots in, for a look


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(SHOTS or tmp_path) / f"{name}.png"), full_page=True)


def test_a_simulation_runs_in_the_background_and_its_page_follows_it(
    page: Any, live_server: Any, own_firm: Any, staff_user: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect
    from tests.browser import accessibility_problems

    base = live_server.url
    _sign_in(page, base, staff_user)
    page.goto(f"{base}/policies/simulate/?year={YEAR}")
    page.fill("input[name='p:rd_super_deduction.rate.general']", "0.5")
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(__import__("re").compile(r"/tasks/\d+/$"))
    expect(page.locator('[data-testid="job-state"]')).to_have_text("等待中")
    expect(page.locator("#job-progress progress")).to_be_visible()
    _shot(page, tmp_path, "job-waiting")
    problems = {"job page": accessibility_problems(page)}

    run_queued_jobs()  # the worker; the open page learns of it by polling
    expect(page.locator('[data-testid="job-state"]')).to_have_text("已完成", timeout=10_000)
    expect(page.locator("#job-progress progress")).to_have_count(0)
    _shot(page, tmp_path, "job-done")
    page.locator('[data-testid="job-result"]').click()
    expect(page.locator("#whatif-table")).to_contain_text("研发费用")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-eligible') !== undefined")
    _shot(page, tmp_path, "whatif-result")
    problems["comparison"] = accessibility_problems(page)

    page.goto(f"{base}/tasks/")
    expect(page.locator("table.list")).to_contain_text(f"{YEAR} 年度政策模拟")
    problems["my tasks"] = accessibility_problems(page)
    assert {p: found for p, found in problems.items() if found} == {}


def test_notifying_is_confirmed_with_a_count_that_follows_the_choice(
    page: Any, live_server: Any, own_firm: Any, staff_user: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect
    from tests.browser import accessibility_problems

    run = services.run_proactive(staff_user, YEAR)
    base = live_server.url
    _sign_in(page, base, staff_user)
    page.goto(f"{base}/policies/proactive/{run.pk}/")
    page.locator('[data-testid="notify"]').click()
    confirm = page.locator('[data-testid="confirm-notify"]')
    expect(confirm).to_have_text("通知 1 家企业")
    _shot(page, tmp_path, "notify-confirm")
    assert accessibility_problems(page) == []
    boxes = page.locator("input[name=policy]")
    for i in range(boxes.count()):
        boxes.nth(i).uncheck()
    expect(page.locator("#notify-summary button")).to_be_disabled()
    boxes.first.check()
    expect(confirm).to_have_text("通知 1 家企业")
    confirm.click()
    expect(page.locator('[data-testid="job-state"]')).to_have_text("等待中")
    run_queued_jobs()
    expect(page.locator('[data-testid="job-state"]')).to_have_text("已完成", timeout=10_000)
    page.locator('[data-testid="job-result"]').click()
    expect(page.locator("h1")).to_contain_text(str(run))
