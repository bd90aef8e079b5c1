"""Ms. Rivera builds a small goal set on her phone (375 px wide) with the keyboard only: a set
for her grade-8 science class (after a mistake in its dates, which the error summary announces),
a group, two goals, the second moved above the first, a prerequisite, then publishing. Every
page passes axe-core with no violation, and none scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.demo.personas import build_personas
from village.goals.models import Goal, GoalSet, Prerequisite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def narrow(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=2, is_mobile=True
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def enter(page: Any, control: Any) -> None:
    """Focus the control (as Tab would) and press Enter on it: a link opens, a form is sent."""
    control.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press(page: Any, role: str, name: str) -> None:
    enter(page, page.get_by_role(role, name=name, exact=True))


def field(page: Any, label: str) -> Any:
    """The field labelled ``label`` (Django's labels end with a colon)."""
    return page.get_by_label(f"{label}:", exact=True)


def type_into(page: Any, label: str, text: str) -> None:
    field(page, label).focus()
    page.keyboard.type(text)


def check(page: Any, name: str) -> None:
    assert_accessible(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{name} scrolls sideways ({width} px)"
    shoot(page, f"goals-sets-{name}")


def test_rivera_builds_a_set_with_the_keyboard_on_a_phone(live_server, narrow):
    people = build_personas()
    page = narrow
    sign_in(page, live_server, "rivera")
    page.goto(f"{live_server.url}/goals/staff/")
    check(page, "index")

    press(page, "link", f"New goal set for {people.science8.title}")
    type_into(page, "Title", "Forces and motion")
    field(page, "Work ends on").fill("2000-01-01")
    enter(page, field(page, "Title"))
    assert page.evaluate("document.activeElement.id") == "error-summary"
    check(page, "new-set-error")
    field(page, "Work ends on").fill("2099-01-01")
    enter(page, field(page, "Title"))
    goal_set = GoalSet.objects.get(title="Forces and motion")
    check(page, "builder-empty")

    press(page, "link", "Add a group")
    type_into(page, "Title", "Pushes and pulls")
    enter(page, field(page, "Title"))
    for title, optional in (("Name the forces on a moving cart", False), ("Measure a push", True)):
        press(page, "link", "Add a goal to “Pushes and pulls”")
        type_into(page, "Goal", title)
        if optional:
            page.get_by_label("Core: every student works on it").focus()
            page.keyboard.press("ArrowDown")  # radios: the arrow keys choose
        enter(page, field(page, "Goal"))
    check(page, "add-goal-done")

    press(page, "button", "Move “Measure a push” up")
    order = list(goal_set.goals.order_by("position", "pk").values_list("title", flat=True))
    assert order == ["Measure a push", "Name the forces on a moving cart"]
    assert Goal.objects.get(title="Measure a push").kind == "optional"
    check(page, "builder")

    press(page, "link", "What “Measure a push” needs first")
    field(page, "Needs first").focus()
    page.keyboard.press("ArrowDown")
    press(page, "button", "Add")
    assert Prerequisite.objects.filter(goal__title="Measure a push").exists()
    check(page, "needs")

    press(page, "link", "Back to “Forces and motion”")
    press(page, "button", "Publish")
    goal_set.refresh_from_db()
    assert goal_set.published
    assert "Students and families see “Forces and motion” now." in page.locator("main").inner_text()
    check(page, "published")
