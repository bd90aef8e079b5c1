"""Ms. Rivera answers Ada's effort from the feedback queue with the keyboard alone (the answer
swaps in with htmx and takes the focus), then opens the class overview as a picture and as a
table. axe-core reports no violation on any page visited; on a 320-pixel page the overview's
picture is drawn to the page's width, with nothing scrolling inside it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.demo.personas import build_personas
from village.goals.models import EffortFeedback
from village.goals.services import efforts
from village.goals.tests.factories import ada_plan, levels, plan_goal, weather_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page: Any, selector: str, *, most: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus."""
    for _ in range(most):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_rivera_answers_from_the_queue_with_the_keyboard_and_opens_the_overview(
    live_server: Any, desk: Any
) -> None:
    people = build_personas()
    weather = weather_set(people.homeroom5, people.rivera)
    ada = ada_plan(people, weather)
    effort = efforts.effort_record(
        plan_goal=plan_goal(ada, weather.goals["cycle"]),
        levels=levels(ada.goal_set),
        done="Drew the water cycle",
        ask_feedback=True,
    )
    page = desk
    sign_in(page, live_server, "rivera")
    page.goto(f"{live_server.url}/goals/staff/queue/")
    assert_accessible(page, "queue")
    shoot(page, "goals-review-queue")

    prefix = f"#id_effort-{effort.pk}"
    tab_to(page, f"{prefix}-comment")
    page.keyboard.type("Clear arrows. Label where the water evaporates.")
    page.keyboard.press("Tab")  # the first level: "No level"
    page.keyboard.press("ArrowDown")  # Beginning
    page.keyboard.press("ArrowDown")  # Developing
    tab_to(page, f"#item-effort-{effort.pk} button[type=submit]")
    page.keyboard.press("Enter")
    status = page.locator(f"#item-effort-{effort.pk} [role=status]")
    status.wait_for()
    assert "Your feedback is sent to Ada Okoye." in status.inner_text()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    assert "0 efforts wait for feedback" in page.locator("#queue-count").inner_text()
    feedback = EffortFeedback.objects.get(effort=effort)
    assert feedback.comment == "Clear arrows. Label where the water evaporates."
    assert feedback.assessment is not None
    assert feedback.assessment.scores.get().level.title == "Developing"  # type: ignore[union-attr]
    assert_accessible(page, "queue answered")

    overview = f"{live_server.url}/goals/staff/sets/{weather.goal_set.pk}/overview/"
    page.goto(overview)
    assert page.locator("svg.goal-picture[role=img]:visible").count() == 1
    assert_accessible(page, "overview picture")
    shoot(page, "goals-review-overview")
    page.get_by_role("link", name="Table", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**view=table")
    assert page.locator("table th[scope=row]").count() == 2
    assert_accessible(page, "overview table")

    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(overview)
    widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1]
    picture = page.locator("svg.goal-picture[role=img]:visible")
    assert picture.evaluate("(e) => e.getBoundingClientRect().right <= innerWidth")
    assert page.locator("[role=region][aria-labelledby=grid-heading]").count() == 0
