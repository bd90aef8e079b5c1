"""Ms. Rivera's classwork journey in a browser: post work with a new rubric, look at it, grade a
student's work and return it, find it in the gradebook, and move through the gradebook with the
keyboard. Every page passes an axe-core scan with no violation, on a phone and on a tablet."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.classwork.models import Assignment, Feedback
from village.classwork.tests.factories import assignment, hand_in
from village.demo.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rivera_posts_work_with_a_rubric_and_returns_feedback(live_server, phone):
    people = build_personas()
    sign_in(phone, live_server, "rivera")
    assert_accessible(phone)  # the home page, with the classwork panel
    phone.goto(f"{live_server.url}/work/classes/{people.homeroom5.pk}/")
    assert_accessible(phone)
    shoot(phone, "teacher-stream")

    phone.get_by_role("link", name="Post work").click()
    phone.locator("#id_title").fill("Fraction story")
    phone.locator("#id_instructions").fill("<p>Write a <em>story</em> with fractions.</p>")
    phone.get_by_label("A new rubric").check()
    phone.locator("#id_rubric_title").fill("Story rubric")
    phone.locator("#id_criterion_1").fill("Fractions used correctly")
    phone.locator("#id_criterion_2").fill("Story")
    assert_accessible(phone)
    shoot(phone, "teacher-post-work")
    phone.get_by_role("button", name="Post", exact=True).click()
    phone.wait_for_load_state("networkidle")
    work = Assignment.objects.get(title="Fraction story")
    assert work.points == 8  # two criteria, best level 4 each
    assert "Fraction story" in phone.locator("h1").inner_text()
    assert_accessible(phone)
    shoot(phone, "teacher-assignment")

    hand_in(work, people.ada, text="Ada's story about half a pizza.")
    phone.goto(f"{live_server.url}/work/assignments/{work.pk}/grade/{people.ada.pk}/")
    assert "half a pizza" in phone.locator("main").inner_text()
    assert_accessible(phone)
    phone.get_by_role("radio", name="Excellent (4)").first.check()
    phone.get_by_role("group", name="Story", exact=True).get_by_role(
        "radio", name="Good (3)"
    ).check()
    phone.locator("#id_comment").fill("Lovely story, Ada.")
    shoot(phone, "teacher-grade")
    phone.get_by_role("button", name="Return to student").click()
    phone.wait_for_load_state("networkidle")
    feedback = Feedback.objects.get(assignment=work, student=people.ada)
    assert feedback.score == 7
    assert feedback.returned_at is not None
    assert "Returned to Ada Okoye" in phone.locator("main").inner_text()
    assert_accessible(phone)


def test_the_gradebook_on_a_tablet_is_accessible_and_moves_with_arrow_keys(live_server, browser):
    people = build_personas()
    for days in (3, 2, 1):
        work = assignment(people.homeroom5, f"Sheet {days}", due_in_days=-days, assigned_days_ago=9)
        hand_in(work, people.ada, days_ago=days + 1)
    assignment(people.homeroom5, "Next week", due_in_days=6)
    context = browser.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    tablet = context.new_page()
    try:
        sign_in(tablet, live_server, "rivera")
        tablet.goto(f"{live_server.url}/work/classes/{people.homeroom5.pk}/gradebook/")
        assert_accessible(tablet)
        shoot(tablet, "teacher-gradebook-tablet")
        first = tablet.locator("#gradebook tbody tr").first.locator("td a").first
        first.focus()
        tablet.keyboard.press("ArrowRight")
        focused = tablet.evaluate("document.activeElement.getAttribute('href')")
        second = tablet.locator("#gradebook tbody tr").first.locator("td a").nth(1)
        assert focused == second.get_attribute("href")
        tablet.keyboard.press("ArrowDown")
        below = tablet.locator("#gradebook tbody tr").nth(1).locator("td a").nth(1)
        assert tablet.evaluate("document.activeElement.getAttribute('href')") == (
            below.get_attribute("href")
        )
        tablet.locator("#id_show").select_option("attention")
        tablet.evaluate("window.villageMarker = 'same page'")  # gone if the page reloads
        tablet.get_by_role("button", name="Show").click()
        # htmx swaps the results in after its request: wait for them, not for a page load
        expect(tablet.locator("#gradebook-help")).to_contain_text(
            "1 of 2 students has missing or late work."
        )
        # htmx swapped the results in and put the filter in the address
        assert tablet.evaluate("window.villageMarker") == "same page"
        tablet.wait_for_url("**/gradebook/?show=attention")
        assert tablet.locator("h1").count() == 1
        assert_accessible(tablet)
        # the arrow keys work in the swapped-in table too
        row = tablet.locator("#gradebook tbody tr").first.locator("td a")
        row.first.focus()
        tablet.keyboard.press("ArrowRight")
        assert tablet.evaluate("document.activeElement.getAttribute('href')") == (
            row.nth(1).get_attribute("href")
        )
    finally:
        context.close()


def test_the_other_teacher_pages_pass_axe_on_a_phone(live_server, phone):
    people = build_personas()
    work = assignment(people.science8, "Lab", due_in_days=-1)
    hand_in(work, people.leo, days_ago=2)
    sign_in(phone, live_server, "rivera")
    base = f"{live_server.url}/work/classes/{people.science8.pk}"
    for name, path in [
        ("gradebook-phone", "/gradebook/"),
        ("settings", "/settings/"),
        ("topic", "/topics/new/"),
        ("event", "/events/new/"),
        ("edit", f"/assignments/{work.pk}/edit/"),
    ]:
        response = phone.goto(base + path)
        assert response is not None
        assert response.status == 200, path
        assert_accessible(phone)
        shoot(phone, f"teacher-{name}")
    # A form sent back with errors is accessible too.
    phone.goto(base + "/topics/new/")
    phone.get_by_role("button", name="Save").click()
    phone.wait_for_load_state("networkidle")
    assert "Please correct the fields marked below." in phone.locator("main").inner_text()
    assert_accessible(phone)
