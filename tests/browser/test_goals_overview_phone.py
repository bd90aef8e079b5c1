"""Ms. Rivera opens her class overview on a 320-pixel phone: the summary and the picture come
first (the filters wait behind a disclosure she opens with the keyboard), the picture is drawn
to the page's width, nothing scrolls sideways and nothing scrolls inside the page; the table
reflows so that at least ten students show at once. A wide screen shows the wide picture.
axe-core reports no violation on any page visited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.community import services as community
from village.community.models import EnrollmentRole, Role
from village.demo.personas import Personas, build_personas
from village.goals.services import plans
from village.goals.tests.factories import WeatherSet, ada_plan, weather_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 568}

#: The elements inside ``main`` that scroll on their own (nested scrolling), as class names.
SCROLLERS = """() => [...document.querySelectorAll('main *')].filter((e) => {
  const style = getComputedStyle(e);
  const scrolls = (overflow) => ['auto', 'scroll'].includes(overflow);
  const sideways = scrolls(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
  const down = scrolls(style.overflowY) && e.scrollHeight > e.clientHeight + 1;
  return sideways || down;
}).map((e) => e.tagName + '.' + e.className)"""


def _class_of(people: Personas, weather: WeatherSet, count: int) -> None:
    """``count`` more students in the homeroom, each with a sent plan (the core goals, the wind
    vane and the rain gauge)."""
    for n in range(count):
        student = community.person_create(
            username=f"phone-{n}",
            first_name=f"Student{n}",
            last_name="Phone",
            role=Role.STUDENT,
            organisation=people.school,
        )
        community.enrollment_add(
            user=student, school_class=people.homeroom5, role=EnrollmentRole.STUDENT
        )
        plan = plans.plan_start(goal_set=weather.goal_set, student=student)
        order = plans.plan_order(plan)
        order[weather.groups["observing"].pk].append(weather.goals["wind"].pk)
        order[weather.groups["water"].pk].append(weather.goals["rain"].pk)
        plans.plan_choose(plan=plan, order=order)
        plans.plan_submit(plan=plan)


def _no_scrolling(page: Any, name: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], name
    assert page.evaluate(SCROLLERS) == [], name


def test_rivera_reads_her_class_on_a_320_pixel_phone(live_server: Any, browser: Any) -> None:
    people = build_personas()
    weather = weather_set(people.homeroom5, people.rivera)
    ada_plan(people, weather)
    _class_of(people, weather, 12)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server, "rivera")
    overview = f"{live_server.url}/goals/staff/sets/{weather.goal_set.pk}/overview/"

    # The picture: in the first screen, as wide as the page, nothing scrolls inside.
    page.goto(overview)
    picture = page.locator("svg.goal-picture[role=img]:visible")
    assert picture.count() == 1
    box = picture.bounding_box()
    assert box["y"] < PHONE["height"]
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]
    _no_scrolling(page, "picture")
    assert "14 of 14 students shown, 10 goals." in page.locator("#grid-summary").inner_text()
    assert_accessible(page, "overview picture at 320")
    shoot(page, "goals-overview-phone-picture")

    # The filters: closed behind a disclosure, opened with the keyboard; the results swap in
    # and the closed disclosure says what is chosen.
    form = page.locator("form[role=search]")
    assert not form.is_visible()
    page.locator(".overview-filters > summary").focus()
    page.keyboard.press("Enter")
    assert form.is_visible()
    page.locator("#id_state").select_option("chosen")
    form.get_by_role("button", name="Show").click()
    page.wait_for_url("**state=chosen**")
    page.locator("#overview-filters-now", has_text="Chosen · Every group").wait_for()
    _no_scrolling(page, "filtered picture")
    assert_accessible(page, "filtered overview at 320")

    # The table: no scrolling, at least ten students in one screen under its header.
    page.goto(f"{overview}?view=table")
    _no_scrolling(page, "table")
    table = page.get_by_role("table")
    assert table.get_by_role("rowheader").count() == 14
    page.evaluate("document.querySelector('table tbody').scrollIntoView()")
    in_sight = page.evaluate(
        "[...document.querySelectorAll('tbody tr')]"
        ".filter((r) => r.getBoundingClientRect().bottom <= innerHeight).length"
    )
    assert in_sight >= 10
    assert_accessible(page, "overview table at 320")
    shoot(page, "goals-overview-phone-table")
    context.close()

    # A wide screen: the wide picture, the goals' numbers beside it.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "rivera")
    page.goto(overview)
    shown = page.locator("svg.goal-picture[role=img]:visible")
    assert shown.count() == 1
    assert shown.get_attribute("aria-labelledby") == "overview-title overview-desc"
    _no_scrolling(page, "wide picture")
    goals = page.locator("#goals-heading").bounding_box()
    assert goals["x"] > shown.bounding_box()["x"] + shown.bounding_box()["width"]
    assert_accessible(page, "overview picture at 1280")
    context.close()
