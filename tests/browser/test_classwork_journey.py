"""The classwork loop end to end, each person in their own browser on a phone:

Ms. Rivera posts work with a rubric → Ada hands it in → Ms. Rivera grades it and returns feedback
→ Sam sees it on his home page with Ada's name on it; Jordan sees Leo's work only as his access
allows (no grades) and nothing of Ada. axe-core reports no violation on any page visited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.classwork.models import Assignment, Feedback, Submission
from village.core.models import AuditAction, AuditEvent
from village.demo.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page: Any, name: str) -> None:
    """Scan the page with axe-core (0 violations) and keep a screenshot when asked to."""
    assert_accessible(page, name)
    shoot(page, f"journey-{name}")


@pytest.fixture
def phones(browser: Any, settings: Any, tmp_path: Any) -> Iterator[Any]:
    """A fresh phone (its own cookies) per person."""
    settings.MEDIA_ROOT = tmp_path / "media"
    contexts: list[Any] = []

    def open_phone() -> Any:
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def post_work(page: Any, live_server: Any, class_id: int, title: str, *, rubric: bool) -> None:
    page.goto(f"{live_server.url}/work/classes/{class_id}/")
    page.get_by_role("link", name="Post work").click()
    page.locator("#id_title").fill(title)
    page.locator("#id_instructions").fill(
        "<p>Explain your thinking in <strong>two or three</strong> sentences.</p>"
        "<script>alert('no')</script>"
    )
    if rubric:
        page.get_by_label("A new rubric").check()
        page.locator("#id_rubric_title").fill(f"{title} rubric")
        page.locator("#id_criterion_1").fill("Fractions used correctly")
        page.locator("#id_criterion_2").fill("Clear explanation")
    else:
        page.locator("#id_points").fill("20")
    checked(page, f"post-{class_id}")
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert title in str(page.locator("h1").inner_text())


def hand_in(page: Any, live_server: Any, title: str, answer: str) -> None:
    page.goto(f"{live_server.url}/work/")
    checked(page, f"my-work-{title[:8]}")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_load_state("networkidle")
    assert "alert('no')" not in page.content()  # the script was sanitised away
    page.get_by_label("Your answer").fill(answer)
    page.get_by_role("button", name="Hand in").click()
    page.wait_for_load_state("networkidle")
    checked(page, f"handed-in-{title[:8]}")


def test_post_hand_in_grade_and_the_family_sees_it(live_server: Any, phones: Any) -> None:
    people = build_personas()

    # Ms. Rivera posts work with a rubric to Ada's class, and work with points to Leo's.
    rivera = phones()
    sign_in(rivera, live_server, "rivera")
    checked(rivera, "rivera-home")
    post_work(rivera, live_server, people.homeroom5.pk, "Fraction story", rubric=True)
    post_work(rivera, live_server, people.science8.pk, "Density explained", rubric=False)
    fractions = Assignment.objects.get(title="Fraction story")
    density = Assignment.objects.get(title="Density explained")
    assert fractions.rubric is not None
    assert "<script" not in fractions.instructions

    # Ada and Leo hand their work in from their own phones.
    ada = phones()
    sign_in(ada, live_server, "ada")
    hand_in(ada, live_server, "Fraction story", "Half a pizza plus a quarter is three quarters.")
    assert Submission.objects.filter(assignment=fractions, student=people.ada).count() == 1
    leo = phones()
    sign_in(leo, live_server, "leo")
    hand_in(leo, live_server, "Density explained", "Denser things sink in water.")

    # Ms. Rivera grades Ada with the rubric and a comment, returning it in one action.
    rivera.goto(f"{live_server.url}/work/assignments/{fractions.pk}/grade/{people.ada.pk}/")
    assert "three quarters" in main_text(rivera)
    checked(rivera, "grade-ada")
    rivera.get_by_role("group", name="Fractions used correctly").get_by_role(
        "radio", name="Excellent (4)"
    ).check()
    rivera.get_by_role("group", name="Clear explanation").get_by_role(
        "radio", name="Good (3)"
    ).check()
    rivera.locator("#id_comment").fill("A lovely fraction story, Ada. Next, try thirds.")
    rivera.get_by_role("button", name="Return to student").click()
    rivera.wait_for_load_state("networkidle")
    ada_feedback = Feedback.objects.get(assignment=fractions, student=people.ada)
    assert ada_feedback.returned_at is not None
    assert ada_feedback.score == 7

    # And Leo with points.
    rivera.goto(f"{live_server.url}/work/assignments/{density.pk}/grade/{people.leo.pk}/")
    rivera.locator("#id_score").fill("17")
    rivera.locator("#id_comment").fill("Good, Leo: now add the formula for density.")
    rivera.get_by_role("button", name="Return to student").click()
    rivera.wait_for_load_state("networkidle")
    assert Feedback.objects.get(assignment=density, student=people.leo).returned_at is not None

    # Sam (whose pages are in Spanish) sees the new feedback on his home page, labelled Ada.
    sam = phones()
    sign_in(sam, live_server, "sam")
    home = main_text(sam)
    assert "Fraction story" in home
    assert "Density explained" in home
    panel = sam.locator("section", has_text="Fraction story").first
    assert "Ada" in str(panel.inner_text())
    item = sam.locator("li", has_text="Fraction story").first
    assert "Ada" in str(item.inner_text())
    checked(sam, "sam-home")
    before = AuditEvent.objects.filter(actor=people.sam, action=AuditAction.VIEW_STUDENT).count()
    item.get_by_role("link", name="Fraction story").first.click()
    sam.wait_for_load_state("networkidle")
    assert "A lovely fraction story, Ada." in main_text(sam)
    grade = sam.locator(".feedback-grade")  # Sam may see grades: 7 of 8 points
    assert grade.count() == 1
    assert "7" in str(grade.inner_text())
    assert "87" in str(grade.inner_text())  # 87.5%, written the Spanish way (87,5 %)
    checked(sam, "sam-assignment")
    after = AuditEvent.objects.filter(actor=people.sam, action=AuditAction.VIEW_STUDENT).count()
    assert after > before  # a guardian's view of the record is audited
    sam.goto(f"{live_server.url}/family/children/{people.ada.pk}/")
    assert "Fraction story" in main_text(sam)
    checked(sam, "sam-child-ada")

    # Jordan sees Leo's work and the comment, never a grade, and nothing of Ada.
    jordan = phones()
    sign_in(jordan, live_server, "jordan")
    home = main_text(jordan)
    assert "Density explained" in home
    assert "Fraction story" not in home
    assert "Ada" not in home
    checked(jordan, "jordan-home")
    jordan.goto(f"{live_server.url}/work/assignments/{density.pk}/")
    text = main_text(jordan)
    assert "now add the formula for density" in text
    assert jordan.locator(".feedback-grade").count() == 0
    assert "85%" not in text  # 17 of 20 points
    checked(jordan, "jordan-assignment")
    jordan.goto(f"{live_server.url}/family/children/{people.leo.pk}/")
    assert "Density explained" in main_text(jordan)
    assert jordan.locator(".fam-score").count() == 0
    assert "85%" not in main_text(jordan)
    checked(jordan, "jordan-child-leo")
    for forbidden in (
        f"/work/assignments/{fractions.pk}/",
        f"/family/children/{people.ada.pk}/",
        f"/work/assignments/{density.pk}/grade/{people.leo.pk}/",
    ):
        response = jordan.goto(f"{live_server.url}{forbidden}")
        assert response is not None
        assert response.status == 404, forbidden
