"""Ada makes her plan and reports an effort on a phone (375 px), in Chromium.

She opens Ms. Rivera's "Weather and the water cycle", chooses two optional goals, puts her
weather log first with the keyboard (the focus stays on the goal she moves), drags her cloud goal
up (the new place is read out), proposes an activity, sends her plan, records an effort with her
level on the rubric, then sees her progress drawn on her goals home. axe-core finds no violation
on any page she visits, the browser reports no policy violation, and the pages reflow without
sideways scrolling. Screenshots are kept with ``VILLAGE_SCREENSHOTS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.demo.personas import build_personas
from village.goals.models import Activity, Effort, Plan, PlanState
from village.goals.services.plans import plan_order
from village.goals.tests.factories import weather_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


#: Runs before any script of the page: records every Content-Security-Policy violation.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def phone_page(browser: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    context.add_init_script(LISTEN)
    yield context.new_page()
    context.close()


def checked(page: Any, name: str) -> None:
    """No axe-core violation, no policy violation, no sideways scrolling at phone width; a
    screenshot if asked."""
    assert_accessible(page, name)
    assert page.evaluate("window.__violations") == [], name
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: {width}px wide"
    shoot(page, f"goals-student-{name}")


def test_ada_makes_her_plan_and_reports_an_effort(live_server: Any, phone_page: Any) -> None:
    people = build_personas()
    weather = weather_set(people.homeroom5, people.rivera)
    page = phone_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "ada")

    page.goto(f"{live_server.url}/goals/")
    checked(page, "index")
    page.get_by_role("link", name="Weather and the water cycle").click()
    expect(page.get_by_role("heading", name="Before you send your plan")).to_be_visible()
    checked(page, "plan-new")

    page.get_by_role("link", name="Choose optional goals").click()
    page.get_by_label("Name the main kinds of cloud").check()
    page.get_by_label("Build a water-cycle model in a jar").check()
    checked(page, "choose")
    page.get_by_role("button", name="Save my goals").click()
    expect(page.get_by_role("heading", name="Your plan has everything it needs")).to_be_visible()

    # the keyboard's way: a move button, pressed with Enter; the focus comes back to it
    log = "Keep a weather log for two weeks"
    page.get_by_role("button", name=f"Move “{log}” earlier").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page.get_by_role("button", name=f"Move “{log}” earlier")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    expect(page.get_by_role("button", name=f"Move “{log}” later")).to_be_focused()
    plan = Plan.objects.get(student=people.ada)
    observing = weather.groups["observing"].pk
    assert plan_order(plan)[observing][0] == weather.goals["record"].pk
    checked(page, "plan-moved")

    # dragging: the cloud goal goes up above the thermometer, and its new place is read out
    clouds = page.locator(f'li[data-goal="{weather.goals["clouds"].pk}"]')
    handle = clouds.locator(".drag-handle")
    handle.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -200)")
    above = page.locator(f'li[data-goal="{weather.goals["thermometer"].pk}"]').bounding_box()
    box = handle.bounding_box()
    assert above is not None
    assert box is not None
    x = box["x"] + box["width"] / 2
    page.mouse.move(x, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(x, above["y"] + 5, steps=8)
    page.mouse.up()
    expect(page.locator("#order-status")).to_contain_text(
        "“Name the main kinds of cloud” is now number 3 of 4"
    )
    assert plan_order(plan)[observing][2] == weather.goals["clouds"].pk
    assert page.evaluate("window.__violations") == []
    assert errors == []

    clouds.get_by_text("Propose an activity").click()
    clouds.get_by_label("What will you do?").fill("Photograph the sky every morning")
    clouds.get_by_label("My family").check()
    clouds.get_by_role("button", name="Add the activity").click()
    expect(page.locator("main")).to_contain_text("Photograph the sky every morning")
    assert Activity.objects.filter(plan_goal__plan=plan).count() == 1

    page.get_by_role("button", name="Send my plan to my teacher").click()
    expect(page.locator(".messages")).to_contain_text("Your plan is sent to your teacher.")
    plan.refresh_from_db()
    assert plan.state == PlanState.SUBMITTED
    checked(page, "plan-sent")

    page.get_by_role("link", name="Explain the water cycle").click()
    page.get_by_label("What did you do?").fill("I drew the water cycle with arrows.")
    page.get_by_role("group", name="Progress").get_by_label("Secure").check()
    page.get_by_label("What went well?").fill("The arrows.")
    page.get_by_label("Ask my teacher for feedback").check()
    checked(page, "goal-form")
    page.get_by_role("button", name="Save my effort").click()
    expect(page.locator(".messages")).to_contain_text("Your teacher will give you feedback.")
    effort = Effort.objects.get(plan_goal__plan=plan)
    assert effort.is_waiting
    expect(page.locator(".levels-beside")).to_contain_text("Secure")
    checked(page, "goal-effort")

    page.get_by_role("link", name="My goals").click()
    expect(page.locator("main")).to_contain_text("0 of 7 goals met")
    checked(page, "index-progress")
