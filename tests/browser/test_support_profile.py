"""Ada, on a 320 px phone, writes on her profile with the keyboard alone: from her home page to
"My profile", to a topic of "About me", the text, Save; each page scanned with axe-core, none
wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.demo.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 720}


def tab_to(page: Any, target: Any, most: int = 60) -> None:
    """Press Tab until ``target`` has the focus."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError("the keyboard never reached the element")


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_ada_writes_about_me_with_the_keyboard_on_a_narrow_phone(
    live_server: Any, browser: Any
) -> None:
    build_personas()
    context = browser.new_context(viewport=NARROW)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, live_server, "ada")
        link = page.locator("main").get_by_role("link", name="My profile")
        tab_to(page, link)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1, name="My profile")).to_be_visible()
        assert_accessible(page, "Ada's profile")
        assert fits(page)
        tab_to(page, page.get_by_role("link", name="What helps me learn"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1, name="What helps me learn")).to_be_visible()
        assert_accessible(page, "the About me form")
        assert fits(page)
        tab_to(page, page.get_by_label("What helps me learn"))
        page.keyboard.type("Pictures and a quiet corner.")
        tab_to(page, page.get_by_role("button", name="Save"))
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        expect(page.get_by_role("heading", level=1, name="My profile")).to_be_visible()
        assert "Pictures and a quiet corner." in main_text(page)
        assert "Saved. Your family and your teachers can read it." in page.inner_text("body")
        assert_accessible(page, "Ada's profile after saving")
        assert fits(page)
        page.set_viewport_size({"width": 375, "height": 812})
        shoot(page, "support-profile-ada-375")
    finally:
        context.close()
