"""The weekly family digest and the teacher's weekly note in a phone's browser (360 px wide):
the email itself in English and Spanish, a guardian's preview of their next digest, the class's
report and a teacher's preview of a family's digest, and a note written in the gradebook with
the keyboard. axe-core reports no violation on any of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.classwork.models import WeeklyNote
from village.classwork.tests.family.digest_week import fill_week
from village.demo.personas import Personas, build_personas
from village.notifications import digest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school() -> Personas:
    personas = build_personas()
    fill_week(personas, timezone.now())
    return personas


@pytest.fixture
def narrow(browser: Any) -> Iterator[Any]:
    """A fresh phone 360 px wide."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def checked(page: Any, name: str) -> None:
    assert_accessible(page, name)
    shoot(page, f"digest-{name}")


def test_the_email_reads_on_a_phone_in_english_and_spanish(school, narrow):
    for user, name in ((school.jordan, "email-en"), (school.sam, "email-es")):
        found = digest.compose([user.pk], write=False).composed
        (composed,) = found
        narrow.set_content(composed.html)
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 360
        assert narrow.locator("html").get_attribute("lang") == user.ui_language
        checked(narrow, name)


def test_a_guardian_previews_the_next_digest(school, narrow, live_server):
    sign_in(narrow, live_server, "sam")
    narrow.goto(f"{live_server.url}/notifications/digest/")
    text = main_text(narrow)
    assert "Su próximo resumen semanal" in text
    assert "Comment for leo in math8" in text
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 360
    checked(narrow, "preview-es")


def test_a_teacher_follows_the_class_and_previews_a_family(school, narrow, live_server):
    sign_in(narrow, live_server, "chen")
    narrow.goto(f"{live_server.url}/notifications/classes/{school.math8.pk}/digests/")
    assert "Okoye" in main_text(narrow)
    checked(narrow, "report")
    narrow.get_by_role("link", name="Sam Okoye").click()
    narrow.wait_for_url("**/families/*/")
    text = main_text(narrow)
    assert "Comment for leo in math8" in text
    assert "science8" not in text
    checked(narrow, "teacher-preview")


def test_a_teacher_writes_a_note_from_the_gradebook_with_the_keyboard(school, narrow, live_server):
    sign_in(narrow, live_server, "rivera")
    narrow.goto(f"{live_server.url}/work/classes/{school.science8.pk}/gradebook/")
    WeeklyNote.objects.all().delete()
    narrow.reload()
    link = narrow.get_by_role("link", name="Write a note for Leo Okoye")
    link.focus()
    narrow.keyboard.press("Enter")
    field = narrow.get_by_label("What Leo Okoye works on next")
    field.wait_for()
    assert narrow.evaluate("document.activeElement.name") == "text"
    checked(narrow, "note-form")
    narrow.keyboard.type("Label the axes on every graph.")
    narrow.keyboard.press("Enter")
    narrow.get_by_role("link", name="Note for Leo Okoye: Label the axes on every graph.").wait_for()
    assert WeeklyNote.objects.get().text == "Label the axes on every graph."
    assert "gb-note-link" in narrow.evaluate("document.activeElement.className")
    checked(narrow, "note-saved")
