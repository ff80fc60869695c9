"""Take the README screenshots with Debian's headless Chromium against a running server.

KECHUANG_DATA_DIR=/tmp/kc-shot .venv/bin/kechuang demo --only core accounts
KECHUANG_DATA_DIR=/tmp/kc-shot .venv/bin/kechuang runserver --insecure --noreload 127.0.0.1:8765 &
.venv/bin/python docs/img/take_screenshots.py http://127.0.0.1:8765
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


def main(base: str) -> None:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(locale="zh-CN", viewport={"width": 1200, "height": 1000})
        page.goto(base + "/")
        page.wait_for_function("() => window.Chart && Chart.getChart('kind-chart')")
        page.screenshot(path=str(HERE / "home.png"))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8765")
