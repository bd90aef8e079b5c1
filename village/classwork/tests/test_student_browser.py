"""The student's pages in a real browser on a phone: Ada finds her work, hands in a file and
reads feedback; Sam and Jordan open the same kind of page as guardians. Every page passes an
axe-core scan."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.browser.pages import assert_accessible, main_text, sign_in
from village.classwork.tests.test_student_support import (
    DAY,
    PDF,
    assignment,
    give_feedback,
    hand_in,
    material_link,
    rubric,
    topic,
)
from village.demo.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def test_ada_finds_her_work_hands_in_a_file_and_reads_feedback(live_server, phone, tmp_path):
    people = build_personas()
    water = topic(people.homeroom5, "The water cycle")
    poster = assignment(
        people.homeroom5,
        "Water cycle poster",
        topic=water,
        due_in=2 * DAY,
        instructions="<p>Draw the <strong>four stages</strong>.</p>",
    )
    material_link(poster)
    graded = assignment(
        people.homeroom5, "Cloud quiz", due_in=-DAY, rubric=rubric(people.homeroom5)
    )
    hand_in(people.ada, graded, at=graded.assign_at + DAY / 2)
    give_feedback(graded, people.ada, comment="Great cloud names!", levels={"Science": "Secure"})
    assignment(people.homeroom5, "Spelling list", due_in=-2 * DAY)

    sign_in(phone, live_server, "ada")
    assert "1 piece of work is missing." in main_text(phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="All my work").click()
    phone.wait_for_load_state("networkidle")
    text = main_text(phone)
    assert "Water cycle poster" in text
    assert "Due in 2 days" in text
    assert "Spelling list" in text
    assert_accessible(phone)

    phone.locator("#to-do").get_by_role("link", name="Water cycle poster").click()
    phone.wait_for_load_state("networkidle")
    assert "four stages" in main_text(phone)
    assert_accessible(phone)
    essay = tmp_path / "My poster.pdf"
    essay.write_bytes(PDF)
    phone.get_by_label("Your answer").fill("Here is my poster.")
    phone.get_by_label("File").set_input_files(str(essay))
    phone.get_by_role("button", name="Hand in").click()
    phone.wait_for_load_state("networkidle")
    text = main_text(phone)
    assert "Handed in. Your teacher can see your work now." in text
    assert "My poster.pdf" in text
    assert "Attempt 1" in text
    assert_accessible(phone)

    phone.goto(f"{live_server.url}/work/#feedback")
    phone.locator("#feedback").get_by_role("link", name="Cloud quiz").click()
    phone.wait_for_load_state("networkidle")
    text = main_text(phone)
    assert "Great cloud names!" in text
    assert "Grade: 8 out of 10 (80%)" in text
    assert_accessible(phone)


def test_guardians_see_feedback_within_their_access(live_server, phone):
    people = build_personas()
    lab = assignment(people.science8, "Density lab", due_in=-DAY, rubric=rubric(people.science8))
    hand_in(people.leo, lab, at=lab.assign_at + DAY / 2)
    give_feedback(
        lab,
        people.leo,
        comment="Check your units.",
        score=Decimal(7),
        levels={"Science": "Developing"},
    )
    sign_in(phone, live_server, "jordan")
    phone.goto(f"{live_server.url}/work/assignments/{lab.pk}/")
    text = main_text(phone)
    assert "Check your units." in text
    assert "7 out of 10" not in text
    assert phone.locator(".feedback-grade").count() == 0
    assert "Developing" not in text
    assert_accessible(phone)

    phone.context.clear_cookies()
    sign_in(phone, live_server, "sam")
    phone.goto(f"{live_server.url}/work/assignments/{lab.pk}/")
    text = main_text(phone)
    assert "Check your units." in text
    assert phone.locator(".feedback-grade").count() == 1
    assert "Developing" in text
    assert_accessible(phone)
