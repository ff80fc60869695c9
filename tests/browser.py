"""Headless Chromium for the browser tests: Debian's browser (never a downloaded one), driven by
Playwright's sync API. The fixtures `browser` and `page` live in tests/conftest.py so that one browser
serves the whole session: a second `sync_playwright()` in the same process fails while the first runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def launch_browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still
    # synchronous and safe, so Django's async guard is switched off for this process.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup-dev` (it installs Debian's chromium package).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


def new_page(browser: Any) -> Iterator[Any]:
    """A fresh browser context per test (no shared cookies), preferring Chinese like a local visitor."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# Everything but "minor" (best practices such as redundant titles) fails a page.
AXE_IMPACTS = ("moderate", "serious", "critical")


def accessibility_problems(page: Any) -> list[str]:
    """axe-core's WCAG 2 A/AA and best-practice violations on the page as shown now, one line each
    (rule, impact, how many elements, the first of them): an empty list means none were found."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup-dev` (it installs the npm packages).")
    # Evaluated through the browser's debugging protocol, not as a <script> tag: the site's
    # Content-Security-Policy refuses inline scripts (and the browser tests keep it on).
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v =>
            ({id: v.id, impact: v.impact, n: v.nodes.length, where: v.nodes[0].target.join(" "),
              html: v.nodes[0].html.slice(0, 160)}))"""
    )
    return [
        f"{v['id']} ({v['impact']}, {v['n']}×) at {v['where']}: {v['html']}"
        for v in found
        if v["impact"] in AXE_IMPACTS
    ]
