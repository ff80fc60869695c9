"""The Content-Security-Policy in a real browser: every main page, signed out and as an
administrator, loads with no CSP violation (no inline script, handler or style anywhere), and the
charts, which used to be drawn by inline scripts, are still drawn."""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import PASSWORD

from kechuang.core.models import Organisation, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""

PUBLIC = ["/", "/organisations/", "/people/", "/carriers/", "/accounts/login/", "/accounts/password_reset/",
          "/matching/", "/matching/experts/", "/matching/calls/", "/achievements/", "/achievements/projects/",
          "/rights/", "/policies/", "/policies/check/", "/contracts/", "/api/v1/docs"]  # fmt: skip
SIGNED_IN = ["/", "/audit/", "/account/tokens/", "/inbox/", "/accounts/password_change/", "/matching/demands/new/",
             "/matching/leads/", "/matching/funnel/", "/achievements/new/", "/rights/empowerments/",
             "/rights/valuations/", "/rights/listings/", "/policies/proactive/",
             "/policies/simulate/", "/contracts/queue/", "/contracts/new/", "/admin/",
             "/admin/core/organisation/", "/admin/core/signinlockout/", "/admin/core/user/add/"]  # fmt: skip


def _problems(page: Any, console: list[str]) -> list[str]:
    return list(page.evaluate("window.__csp || []")) + [m for m in console if "Content Security Policy" in m]


def _visit(page: Any, url: str, console: list[str]) -> list[str]:
    console.clear()
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response is not None and "script-src 'self'" in (
        response.headers.get("content-security-policy") or ""
    )
    return [f"{url}: {p}" for p in _problems(page, console)]


def test_main_pages_load_under_the_csp_without_violations(
    page: Any, live_server: Any, make_org, make_user
) -> None:  # type: ignore[no-untyped-def]
    for kind in (Organisation.Kind.ENTERPRISE, Organisation.Kind.ENTERPRISE, Organisation.Kind.UNIVERSITY):
        make_org(kind=kind)
    admin = make_user(User.Role.ADMIN)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.context.add_init_script(WATCH)
    base = live_server.url
    found: list[str] = []

    for path in PUBLIC:
        found += _visit(page, base + path, console)
        if path == "/":  # the chart (drawn from static/kechuang/charts.js) is there
            assert page.evaluate("!!Chart.getChart(document.getElementById('kind-chart'))")
        if path == "/organisations/":  # search as you type (htmx) works and breaks no rule
            page.fill("input[type=search]", "测试")
            page.wait_for_load_state("networkidle")
            found += [f"{path} (typing): {p}" for p in _problems(page, console)]

    page.goto(base + "/accounts/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_selector('[data-testid="who"]')
    for path in SIGNED_IN:
        found += _visit(page, base + path, console)
        if path == "/matching/funnel/":
            assert page.evaluate("!!Chart.getChart(document.getElementById('funnel-chart'))")
        if path == "/policies/simulate/":
            page.click("form.form button[type=submit]")
            page.wait_for_load_state("networkidle")
            found += [f"{path} (result): {p}" for p in _problems(page, console)]
            if page.locator("#chart-eligible").count():
                assert page.evaluate("!!Chart.getChart(document.getElementById('chart-eligible'))")
    assert found == []
