"""On a phone (390 px wide) the header is one row: the brand and a "Menu" that opens with a tap,
with the keyboard, and without JavaScript; on a tablet the links sit in a row as before."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.demo.personas import DEMO_PASSWORD, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def header_height(page: Any) -> float:
    return float(page.locator(".site-header").bounding_box()["height"])


@pytest.mark.parametrize("javascript", [True, False])
def test_sams_menu_on_a_phone_is_one_row_and_opens_with_the_keyboard(
    live_server: Any, browser: Any, javascript: bool
) -> None:
    build_personas()
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("input[name=username]").fill("sam")
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("form button[type=submit]").first.click()
        page.wait_for_load_state()
        menu = page.locator("details.nav-compact")
        calendar = menu.get_by_role("link", name="Calendario")
        expect(menu.locator("summary")).to_be_visible()
        expect(page.locator(".main-nav")).to_be_hidden()
        expect(calendar).to_be_hidden()
        assert header_height(page) < 80, "the header takes more than one row"
        if javascript:  # axe-core needs JavaScript
            assert_accessible(page, "phone header, menu closed")
        page.locator("details.nav-compact > summary").focus()
        page.keyboard.press("Enter")
        expect(calendar).to_be_visible()
        expect(menu.get_by_role("button", name="Cerrar sesión")).to_be_visible()
        if javascript:
            assert_accessible(page, "phone menu open")
        shoot(page, f"phone-menu-open-js-{javascript}")
        page.keyboard.press("Tab")  # the first link follows the summary
        expect(menu.get_by_role("link", name="Inicio")).to_be_focused()
        calendar.click()
        page.wait_for_url("**/family/calendar/")
        expect(page.locator("h1")).to_be_visible()
    finally:
        context.close()


def test_on_a_tablet_the_links_sit_in_a_row(live_server: Any, browser: Any) -> None:
    build_personas()
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        sign_in(page, live_server, "sam")
        expect(page.locator("details.nav-compact")).to_be_hidden()
        expect(page.locator(".main-nav").get_by_role("link", name="Calendario")).to_be_visible()
        assert header_height(page) < 80
        # Profile and Sign out sit behind Sam's name, opened with the keyboard.
        account = page.locator("details.account-menu")
        profile = account.get_by_role("link", name="Perfil")
        expect(profile).to_be_hidden()
        account.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(account.get_by_role("button", name="Cerrar sesión")).to_be_visible()
        assert_accessible(page, "tablet header, account menu open")
        page.keyboard.press("Tab")
        expect(profile).to_be_focused()
        page.keyboard.press("Enter")
        page.wait_for_url("**/accounts/profile/")
    finally:
        context.close()
