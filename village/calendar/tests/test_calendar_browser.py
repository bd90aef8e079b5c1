"""Sam puts Leo's schoolwork in the calendar on his phone, then turns the address off.

Every page state visited passes an axe-core scan with no violation.
"""

from __future__ import annotations

import pytest

from tests.browser.test_journeys import assert_accessible, main_text, shoot, sign_in
from village.calendar.tests.calendar_data import assignment, in_english
from village.demo.personas import DEMO_PASSWORD, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guardian_creates_copies_and_turns_off_a_calendar_address(live_server, browser):
    people = build_personas()
    in_english(people.sam)
    assignment(people.science8, title="Lab report: density")
    assignment(people.homeroom5, title="Essay: my summer")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    sign_in(page, live_server, "sam")

    page.goto(f"{live_server.url}/family/calendar/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Create a calendar address for Leo").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    shoot(page, "calendar-created-as-sam")
    address = page.get_by_label("Web address (https)").input_value()
    webcal = page.get_by_label("Subscription address (webcal)").input_value()
    assert address.startswith(live_server.url + "/family/calendar/")
    assert webcal == "webcal://" + address.split("://", 1)[1]
    assert (
        page.get_by_role("link", name="Add to this device's calendar").get_attribute("href")
        == webcal
    )

    page.get_by_role("button", name="Copy the web address").click()
    page.get_by_text("Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address

    feed = page.request.get(address)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "SUMMARY:Leo: Lab report: density (due)" in feed.text()
    assert "Ada" not in feed.text()

    page.reload()
    assert address not in page.content()
    page.get_by_role("button", name="Turn off the calendar for Leo").click()
    page.wait_for_load_state("networkidle")
    assert "no longer works" in main_text(page)
    assert_accessible(page)
    assert page.request.get(address).status == 404
    context.close()


def test_without_javascript_the_address_is_there_and_no_dead_copy_button(live_server, browser):
    build_personas()
    # axe-core needs JavaScript, so this page state is scanned with it on, above.
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill("jordan")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/family/calendar/")
    assert "Ada" not in main_text(page)
    page.get_by_role("button", name="Create a calendar address for Leo").click()
    page.wait_for_load_state()
    assert page.get_by_label("Web address (https)").input_value().endswith(".ics")
    assert page.locator("button[data-copy]").count() == 2
    assert not page.locator("button[data-copy]").first.is_visible()
    context.close()
