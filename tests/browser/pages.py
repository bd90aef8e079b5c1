"""What every browser test does with a page: sign in, read it, scan it with axe-core, keep a
screenshot (when ``VILLAGE_SCREENSHOTS`` names a folder)."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import SCREENSHOTS
from village.demo.personas import DEMO_PASSWORD

AXE = Axe()


def assert_accessible(page: Any, name: str = "") -> None:
    """axe-core finds no violation on the page as it is now (``name`` labels a failure).

    A click on a link returns once the navigation has started, not when the new document is
    there: the scan waits for the page to load, and if the document is swapped while axe runs
    (its context is gone, or it finds no document yet) the scan starts again on the new one.
    """
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = AXE.run(page)
            break
        except PlaywrightError as error:
            between_documents = "documentElement" in str(error) or "context was destroyed" in str(
                error
            )
            if not between_documents or attempt == 2:
                raise
    report = results.generate_report()
    assert results.violations_count == 0, f"{name}: {report}" if name else report


def sign_in(page: Any, live_server: Any, username: str) -> None:
    """Sign in as a demo persona through the login form."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def main_text(page: Any) -> str:
    return str(page.locator("main").inner_text())


def shoot(page: Any, name: str) -> None:
    """Keep a full-page screenshot as ``<name>.png`` when screenshots are asked for."""
    if SCREENSHOTS is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
