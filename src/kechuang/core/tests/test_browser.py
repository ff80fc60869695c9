"""End to end in headless Chromium (Debian's browser, never a downloaded one) against a live server.

The first test is the scenario that defines "done" for the platform foundation: an enterprise user
signs in, types a credit code with a wrong check character, sees why it is wrong, fixes it and saves;
an administrator then finds the change in the audit log with the state before and after.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from tests.conftest import PASSWORD

from kechuang.core import services
from kechuang.core.identifiers import make_uscc
from kechuang.core.models import Carrier, Region, User

# Live-server tests need real commits; serialized_rollback restores the reference data
# (regions, industries, technology fields) that the migrations load and a flush would remove.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_selector('[data-testid="who"]')


def _sign_out(page: Any) -> None:
    page.click('[data-testid="sign-out"]')
    page.wait_for_selector('[data-testid="sign-in"]')


def test_enterprise_fixes_a_wrong_credit_code_and_the_administrator_sees_the_audit_entry(
    page: Any, live_server: Any, own_org: Any, enterprise_user: User, admin_user: User
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    old_code = own_org.uscc
    good = make_uscc("91310115MA1K4XY80")
    wrong = good[:17] + ("1" if good[17] != "1" else "2")

    _sign_in(page, base, enterprise_user)
    page.goto(f"{base}/organisations/{own_org.pk}/")
    page.click('[data-testid="edit-organisation"]')
    page.fill("#id_uscc", wrong)
    page.fill("#id_address", "上海市浦东新区张江路 100 号")
    page.click('[data-testid="organisation-form"] button[type=submit]')

    error = page.locator("#id_uscc_error")
    expect(error).to_contain_text("校验码")
    expect(error).to_contain_text(good[17])
    expect(page.locator("#id_uscc")).to_have_attribute("aria-invalid", "true")
    # Nothing typed is lost: both fields still hold what the user entered.
    expect(page.locator("#id_uscc")).to_have_value(wrong)
    expect(page.locator("#id_address")).to_have_value("上海市浦东新区张江路 100 号")

    page.fill("#id_uscc", good)
    page.click('[data-testid="organisation-form"] button[type=submit]')
    expect(page.locator(".messages")).to_contain_text("单位信息已保存")
    expect(page.locator('[data-testid="uscc"]')).to_have_text(good)
    _sign_out(page)

    _sign_in(page, base, admin_user)
    page.goto(f"{base}/audit/?actor={enterprise_user.username}")
    entry = page.locator('[data-testid="audit-entry"][data-action="organisation.update"]')
    expect(entry).to_have_count(1)
    uscc_row = entry.locator('tr[data-field="uscc"]')
    expect(uscc_row.locator('[data-testid="before"]')).to_have_text(old_code)
    expect(uscc_row.locator('[data-testid="after"]')).to_have_text(good)
    expect(entry.locator('tr[data-field="address"] [data-testid="after"]')).to_have_text(
        "上海市浦东新区张江路 100 号"
    )


def test_the_language_switch_turns_a_page_english_and_back(page: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/organisations/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("机构")
    page.click('[data-testid="lang-switch"]')
    expect(page).to_have_url(re.compile(r"/organisations/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Organisations")
    page.goto(f"{live_server.url}/people/")  # the choice sticks across pages
    expect(page.locator("h1")).to_have_text("Experts and researchers")
    page.click('[data-testid="lang-switch"]')
    expect(page.locator("h1")).to_have_text("专家和科研人员")


def test_a_visitor_browses_public_pages_and_searches_as_they_type(
    page: Any, live_server: Any, own_org: Any, make_org: Any
) -> None:
    from playwright.sync_api import expect

    services.record_enterprise_facts(None, own_org, 2022, revenue=Decimal("98765432.10"))
    make_org(name="杭州测试研究院", kind="institute", region=Region.objects.get(pk="330100"))
    services.create_carrier(None, name="张江测试孵化器", kind=Carrier.Kind.INCUBATOR, host=own_org,
                            region=Region.objects.get(pk="310115"), firms_served=40)  # fmt: skip
    base = live_server.url

    page.goto(f"{base}/")
    expect(page.locator('[data-testid="count-organisations"]')).to_have_text("2")
    page.wait_for_function("() => window.Chart && Chart.getChart('kind-chart')")  # the chart was drawn

    page.click('nav.main-nav a[href="/organisations/"]')
    expect(page.locator('nav.main-nav a[aria-current="page"]')).to_have_text("机构")
    page.fill("#q", "杭州")  # htmx swaps the results in without reloading the page
    expect(page.locator('[data-testid="organisation-results"]')).to_contain_text("杭州测试研究院")
    expect(page.locator('[data-testid="organisation-results"]')).not_to_contain_text("上海自有")
    expect(page).to_have_url(re.compile(r"q=%E6%9D%AD%E5%B7%9E"))
    page.fill("#q", "没有这个名字")
    expect(page.locator('[data-testid="empty"]')).to_be_visible()

    page.goto(f"{base}/organisations/{own_org.pk}/")
    expect(page.locator('[data-testid="uscc"]')).to_have_text(own_org.uscc)
    expect(page.locator("main")).to_contain_text("张江测试孵化器")
    expect(page.locator('[data-testid="private-facts"]')).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("98,765,432")
    expect(page.locator('[data-testid="edit-organisation"]')).to_have_count(0)

    page.goto(f"{base}/organisations/{own_org.pk}/edit/")  # a visitor is asked to sign in
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    page.goto(f"{base}/carriers/?kind=incubator")
    page.click("text=张江测试孵化器")
    expect(page.locator("h1")).to_contain_text("张江测试孵化器")

    # At phone width nothing spills sideways: the page never scrolls horizontally.
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/organisations/", f"/organisations/{own_org.pk}/", "/carriers/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path


def test_public_pages_pass_the_accessibility_check(
    page: Any, live_server: Any, own_org: Any, enterprise_user: User
) -> None:
    """axe-core finds no WCAG problem (moderate or worse) on the site-wide pages, for a visitor and
    for a signed-in enterprise user, in Chinese and in English."""
    from tests.browser import accessibility_problems

    services.create_carrier(None, name="张江测试孵化器", kind=Carrier.Kind.INCUBATOR, host=own_org,
                            region=Region.objects.get(pk="310115"), firms_served=40)  # fmt: skip
    base = live_server.url
    paths = ["/", "/organisations/", f"/organisations/{own_org.pk}/", "/people/", "/carriers/",
             "/rights/", "/contracts/statistics/", "/policies/", "/accounts/login/"]  # fmt: skip
    problems = {}
    for path in paths:
        page.goto(base + path)
        problems[path] = accessibility_problems(page)
    _sign_in(page, base, enterprise_user)
    page.click('[data-testid="lang-switch"]')  # English from here on
    page.wait_for_selector('html[lang="en"]')
    for path in ("/", f"/organisations/{own_org.pk}/", f"/organisations/{own_org.pk}/edit/", "/inbox/",
                 "/account/tokens/"):  # fmt: skip
        page.goto(base + path)
        problems[f"{path} (signed in, English)"] = accessibility_problems(page)
    assert {p: found for p, found in problems.items() if found} == {}
