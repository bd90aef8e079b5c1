"""What axe-core cannot see, checked in a browser on the gradebook and the grading pages: pages
reflow at 320 px, a focused cell is never hidden under the gradebook's sticky heading, the grid is
one Tab stop, form controls' edges stand out (3:1), the filter's new count is announced, and a
form sent back with errors puts the focus on a summary of them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.classwork.models import Submission
from village.classwork.services.feedback import feedback_save
from village.classwork.tests.factories import assignment, hand_in
from village.classwork.tests.test_teacher_queries import add_students
from village.demo.personas import Personas, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_URL = "https://docs.example.org/" + "shared-folder-" * 12 + "?usp=sharing&id=" + "x" * 60


def a_full_gradebook(people: Personas) -> None:
    """Twelve pieces of work with long titles, fourteen students, some handed in."""
    students = [people.ada, people.maya, *add_students(people, people.homeroom5, 12)]
    for number in range(12):
        work = assignment(
            people.homeroom5,
            f"Reading response {number}: a rather long title for the column",
            due_in_days=number - 6,
            assigned_days_ago=10,
        )
        for student in students[number % 3 :: 3]:
            hand_in(work, student, days_ago=max(0, 6 - number) + 1)


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.fixture
def narrow(browser: Any) -> Any:
    """The narrowest screen WCAG asks pages to fit without scrolling sideways: 320 px."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, has_touch=True)
    yield context.new_page()
    context.close()


def test_pages_reflow_at_320_px(live_server: Any, narrow: Any) -> None:
    people = build_personas()
    a_full_gradebook(people)
    work = assignment(people.homeroom5, "Research links", due_in_days=-1)
    feedback_save(
        assignment=work,
        student=people.ada,
        graded_by=people.rivera,
        score=Decimal(8),
        comment=f"Read this before next week: {LONG_URL} and tell me what you think.",
        return_to_student=True,
    )
    hand_in(work, people.maya, text=f"My sources: {LONG_URL}")
    Submission.objects.filter(student=people.maya, assignment=work).update(link=LONG_URL)

    sign_in(narrow, live_server, "rivera")
    for path in (
        f"/work/classes/{people.homeroom5.pk}/gradebook/",
        f"/work/assignments/{work.pk}/grade/{people.maya.pk}/",
        f"/work/assignments/{work.pk}/grade/{people.ada.pk}/",
    ):
        narrow.goto(live_server.url + path)
        assert page_width(narrow) <= 320, path
        shoot(narrow, "teacher-320-" + path.strip("/").replace("/", "-"))
    narrow.context.clear_cookies()
    sign_in(narrow, live_server, "ada")
    narrow.goto(f"{live_server.url}/work/assignments/{work.pk}/")
    assert page_width(narrow) <= 320
    link = narrow.get_by_role("link", name=LONG_URL)
    assert link.get_attribute("href") == LONG_URL
    assert link.get_attribute("rel") == "noopener nofollow ugc"
    shoot(narrow, "student-assignment-long-url-320")
    narrow.set_viewport_size({"width": 390, "height": 844})
    assert page_width(narrow) <= 390
    shoot(narrow, "student-assignment-long-url-390")


def test_the_gradebook_is_one_tab_stop_and_never_hides_the_focused_cell(
    live_server: Any, phone: Any
) -> None:
    people = build_personas()
    a_full_gradebook(people)
    sign_in(phone, live_server, "rivera")
    phone.goto(f"{live_server.url}/work/classes/{people.homeroom5.pk}/gradebook/")
    assert page_width(phone) <= 390
    shoot(phone, "teacher-gradebook-full-phone")
    stops = phone.evaluate(
        """() => [...document.querySelectorAll('.gradebook-wrap, #gradebook a')]
              .filter(e => e.tabIndex >= 0).length"""
    )
    assert stops == 1

    def assert_clear() -> None:
        box = phone.evaluate(
            """() => {
                const cell = document.activeElement.closest('td, th');
                const head = document.querySelector('#gradebook thead').getBoundingClientRect();
                const name = cell.parentElement.cells[0].getBoundingClientRect();
                const r = cell.getBoundingClientRect();
                return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                        head: head.bottom, name: name.right, inBody: !!cell.closest('tbody'),
                        height: innerHeight, width: innerWidth};
            }"""
        )
        assert box["top"] >= 0, box
        assert box["bottom"] <= box["height"] + 0.5, box
        assert box["left"] >= 0, box
        assert box["right"] <= box["width"] + 0.5, box
        if box["inBody"]:
            assert box["top"] >= box["head"] - 0.5, box
            assert box["left"] >= box["name"] - 0.5, box

    # Tab from the filter's button goes into the grid, and the next Tab leaves it.
    phone.get_by_role("button", name="Show").focus()
    phone.keyboard.press("Tab")
    assert phone.evaluate("!!document.activeElement.closest('#gradebook tbody')")
    assert_clear()
    phone.keyboard.press("Tab")
    assert phone.evaluate("!document.activeElement.closest('#gradebook')")
    phone.keyboard.press("Shift+Tab")
    assert phone.evaluate("!!document.activeElement.closest('#gradebook tbody')")

    for key, times in (("ArrowDown", 13), ("ArrowRight", 11), ("ArrowUp", 14), ("ArrowLeft", 11)):
        for _ in range(times):
            phone.keyboard.press(key)
            assert_clear()
    # Still one Tab stop: the cell last focused.
    assert phone.evaluate(
        """() => [...document.querySelectorAll('#gradebook a')]
              .filter(e => e.tabIndex >= 0).map(e => e === document.activeElement)"""
    ) == [True]


def test_the_filter_count_is_announced(live_server: Any, phone: Any) -> None:
    people = build_personas()
    a_full_gradebook(people)
    sign_in(phone, live_server, "rivera")
    phone.goto(f"{live_server.url}/work/classes/{people.homeroom5.pk}/gradebook/")
    status = phone.locator("#gradebook-status")
    assert status.get_attribute("aria-live") == "polite"
    phone.locator("#id_show").select_option("attention")
    phone.get_by_role("button", name="Show").click()
    expect(status).to_have_text(
        re.compile(r"^\d+ of 14 students (has|have) missing or late work\.$")
    )
    assert status.inner_text() == " ".join(phone.locator("#gradebook-count").inner_text().split())
    assert phone.locator("#gradebook-status").count() == 1  # outside what htmx swaps
    assert_accessible(phone)


def contrast_of_controls(page: Any) -> list[dict[str, Any]]:
    """Each visible text box, list and text area: its border's contrast with what is behind it."""
    return list(
        page.evaluate(
            """() => {
            const rgb = (text) => text.match(/[\\d.]+/g).map(Number);
            const lum = ([r, g, b]) => {
                const c = [r, g, b].map(v => v / 255)
                    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
                return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
            };
            const behind = (el) => {
                for (let e = el.parentElement; e; e = e.parentElement) {
                    const c = rgb(getComputedStyle(e).backgroundColor);
                    if (c.length < 4 || c[3] > 0) return c;
                }
                return [255, 255, 255];
            };
            const controls = document.querySelectorAll(
                'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), '
                + 'main select, main textarea');
            return [...controls].filter(el => el.offsetParent).map(el => {
                const a = lum(rgb(getComputedStyle(el).borderTopColor));
                const b = lum(behind(el));
                const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                return {name: el.name, ratio};
            });
        }"""
        )
    )


def test_form_controls_edges_have_3_to_1_contrast(live_server: Any, phone: Any) -> None:
    people = build_personas()
    work = assignment(people.homeroom5, "Sheet", due_in_days=-1)
    hand_in(work, people.ada)
    sign_in(phone, live_server, "rivera")
    for path in (
        f"/work/assignments/{work.pk}/grade/{people.ada.pk}/",
        f"/work/classes/{people.homeroom5.pk}/gradebook/",
        f"/work/classes/{people.homeroom5.pk}/assignments/new/",
    ):
        phone.goto(live_server.url + path)
        controls = contrast_of_controls(phone)
        assert controls, path
        for control in controls:
            assert control["ratio"] >= 3, (path, control)


def test_a_form_error_moves_the_focus_to_a_summary_of_the_errors(
    live_server: Any, phone: Any
) -> None:
    people = build_personas()
    work = assignment(people.homeroom5, "Sheet", due_in_days=-1)
    hand_in(work, people.ada)
    sign_in(phone, live_server, "rivera")
    phone.goto(f"{live_server.url}/work/assignments/{work.pk}/grade/{people.ada.pk}/")
    title = phone.title()
    phone.locator("#id_score").fill("11")
    phone.get_by_role("button", name="Return to student").click()
    phone.wait_for_load_state("networkidle")
    assert phone.evaluate("document.activeElement.id") == "error-summary"
    assert phone.title() == f"Error: {title}"
    link = phone.locator("#error-summary a")
    assert link.count() == 1
    assert link.get_attribute("href") == "#id_score"
    assert "Grade" in link.inner_text()
    assert_accessible(phone)


def test_the_toolbar_writes_the_formatting_into_the_instructions(
    live_server: Any, phone: Any
) -> None:
    people = build_personas()
    sign_in(phone, live_server, "rivera")
    phone.goto(f"{live_server.url}/work/classes/{people.homeroom5.pk}/assignments/new/")
    box = phone.locator("#id_instructions")
    box.fill("Read chapter 3")
    box.evaluate("el => el.setSelectionRange(5, 12)")
    phone.get_by_role("toolbar", name="Formatting").get_by_role("button", name="Bold").click()
    assert box.input_value() == "Read **chapter** 3"
    box.fill("eggs\nflour")
    box.evaluate("el => el.setSelectionRange(0, el.value.length)")
    phone.get_by_role("button", name="Numbered list").click()
    assert box.input_value() == "1. eggs\n2. flour"
    phone.locator("#id_title").fill("Recipe")
    phone.get_by_role("button", name="Preview instructions").click()
    phone.wait_for_load_state("networkidle")
    preview = phone.locator(".preview .rich-text")
    assert preview.locator("ol li").all_inner_texts() == ["eggs", "flour"]
    assert_accessible(phone)


def test_the_toolbar_link_selects_what_the_teacher_types_next(live_server: Any, phone: Any) -> None:
    people = build_personas()
    sign_in(phone, live_server, "rivera")
    phone.goto(f"{live_server.url}/work/classes/{people.homeroom5.pk}/assignments/new/")
    box = phone.locator("#id_instructions")
    toolbar = phone.get_by_role("toolbar", name="Formatting")
    box.fill("See ")
    toolbar.get_by_role("button", name="Link").click()
    phone.keyboard.type("the guide")
    assert box.input_value() == "See [the guide](https://)"
    box.fill("Read https://example.org/guide")
    box.evaluate("el => el.setSelectionRange(5, el.value.length)")
    toolbar.get_by_role("button", name="Link").click()
    phone.keyboard.type("the guide")
    assert box.input_value() == "Read [the guide](https://example.org/guide)"
    box.fill("Read the guide")
    box.evaluate("el => el.setSelectionRange(5, el.value.length)")
    toolbar.get_by_role("button", name="Link").click()
    phone.keyboard.type("example.org/guide")
    assert box.input_value() == "Read [the guide](https://example.org/guide)"


def test_changes_to_returned_feedback_wait_as_a_draft(live_server: Any, phone: Any) -> None:
    people = build_personas()
    work = assignment(people.homeroom5, "Sheet", due_in_days=-1)
    hand_in(work, people.ada)
    feedback_save(
        assignment=work,
        student=people.ada,
        graded_by=people.rivera,
        score=Decimal(8),
        comment="Well done.",
        return_to_student=True,
    )
    sign_in(phone, live_server, "rivera")
    phone.goto(f"{live_server.url}/work/assignments/{work.pk}/grade/{people.ada.pk}/")
    phone.locator("#id_comment").fill("Talk to me about the last question.")
    phone.get_by_role("button", name="Save changes as draft (not shown to the family)").click()
    phone.wait_for_load_state("networkidle")
    expect(phone.locator(".draft-note")).to_contain_text("Changes not returned")
    expect(phone.locator("#returned-version")).to_contain_text("Well done.")
    assert_accessible(phone)
    shoot(phone, "teacher-grade-changes-waiting")

    phone.context.clear_cookies()
    sign_in(phone, live_server, "ada")
    phone.goto(f"{live_server.url}/work/assignments/{work.pk}/")
    main = phone.locator("main")
    expect(main).to_contain_text("Well done.")
    expect(main).not_to_contain_text("Talk to me")
