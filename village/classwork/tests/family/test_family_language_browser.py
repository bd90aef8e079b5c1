"""Language of parts (WCAG 3.1.2) in a phone's browser: Sam reads Village in Spanish, and what
teachers wrote in English (titles, class names, comments, instructions, rubrics, events, topics,
the page title) carries ``lang="en"``, so that a screen reader pronounces it as English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.pages import assert_accessible, shoot, sign_in
from village.classwork.models import (
    AssessmentKind,
    Feedback,
    Rubric,
    RubricAssessment,
    RubricCriterion,
    RubricLevel,
    RubricScore,
)
from village.classwork.richtext import sanitise
from village.classwork.services.events import class_event_create
from village.classwork.services.submissions import submission_hand_in
from village.classwork.tests.factories import assignment
from village.classwork.tests.family.test_family_selectors import build_term
from village.demo.personas import Personas, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: What teachers (and the roster) wrote, in English, as the pages below show it.
TEACHER_WRITTEN = [
    "Grade 5 Homeroom",
    "Grade 8 Science",
    "Riverside K-8 School",
    "Book report",
    "Spelling list 12",
    "Check how you split the line into equal parts.",
    "Fractions on a number line",
    "Placing halves, thirds and quarters.",
    "The water cycle",
    "Fraction poster",
    "Draw a number line from 0 to 1",
    "Accuracy of the number line",
    "Secure placement",
    "Every fraction sits in its place.",
    "Lovely colours; label the thirds.",
    "Field trip to the aquarium",
    "City Aquarium",
    "Bring a packed lunch.",
]

#: Every text node (the <title> included) that contains one of ``strings``, with the language
#: of its closest element that declares one.
UNMARKED = """(strings) => {
  const found = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style")) continue;
    for (const s of strings) {
      if (!text.includes(s)) continue;
      const marked = parent.closest("[lang]");
      const lang = marked ? marked.getAttribute("lang") : "";
      if (!lang.startsWith("en")) found.push([s, parent.tagName, lang]);
    }
  }
  return found;
}"""


def poster_with_feedback(p: Personas) -> int:
    """Ada's fraction poster with instructions, a rubric, her hand-in and returned feedback."""
    rubric = Rubric.objects.create(
        school_class=p.homeroom5, school_id=p.homeroom5.school_id, title="Poster rubric"
    )
    criterion = RubricCriterion.objects.create(
        rubric=rubric, title="Accuracy of the number line", position=0
    )
    level = RubricLevel.objects.create(
        criterion=criterion,
        title="Secure placement",
        description="Every fraction sits in its place.",
        points=Decimal(5),
        position=0,
    )
    work = assignment(
        p.homeroom5,
        "Fraction poster",
        due_in_days=-1,
        rubric=rubric,
        instructions=sanitise("<p>Draw a number line from 0 to 1 and mark the thirds.</p>"),
    )
    submission_hand_in(student=p.ada, assignment=work, text="Mi póster", now=work.due_at)
    assessment = RubricAssessment.objects.create(
        rubric=rubric, student=p.ada, assessor=p.rivera, kind=AssessmentKind.TEACHER
    )
    Feedback.objects.create(
        assignment=work,
        student=p.ada,
        comment="Lovely colours; label the thirds.",
        score=Decimal(5),
        returned_at=timezone.now() - dt.timedelta(hours=1),
        graded_by=p.rivera,
        assessment=assessment,
    )
    RubricScore.objects.create(
        assessment=assessment, criterion=criterion, level=level, points=Decimal(5)
    )
    return work.pk


def field_trip(p: Personas) -> None:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=4)
    class_event_create(
        school_class=p.homeroom5,
        title="Field trip to the aquarium",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=6),
        location="City Aquarium",
        description="Bring a packed lunch.",
    )


def assert_marked(page: Any, name: str) -> None:
    assert page.evaluate("document.documentElement.lang") == "es", name
    assert page.evaluate(UNMARKED, TEACHER_WRITTEN) == [], name


def test_teacher_written_english_is_marked_on_sams_spanish_pages(live_server, phone):
    p = build_personas()
    build_term(p)
    work_id = poster_with_feedback(p)
    field_trip(p)
    sign_in(phone, live_server, "sam")
    pages = {
        "family-home": "/",
        "family-child-ada": f"/family/children/{p.ada.pk}/",
        "family-child-leo": f"/family/children/{p.leo.pk}/",
        "family-summary-ada": f"/family/children/{p.ada.pk}/print/",
        "family-work": f"/work/assignments/{work_id}/",
        "family-calendar": "/family/calendar/",
    }
    seen: set[str] = set()
    for name, path in pages.items():
        response = phone.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, name
        assert_marked(phone, name)
        assert_accessible(phone, name)
        shoot(phone, f"lang-{name}")
        text = phone.evaluate("document.documentElement.textContent")
        seen.update(s for s in TEACHER_WRITTEN if s in text)
    # the check above looked at every kind of teacher-written text
    assert seen == set(TEACHER_WRITTEN), set(TEACHER_WRITTEN) - seen
    # a title in Village's words is in Sam's language; the work's title is the teacher's
    assert phone.evaluate("document.querySelector('title').lang") == ""
    phone.goto(f"{live_server.url}/work/assignments/{work_id}/")
    handed_in = phone.locator("ol.attempt-list").inner_text()
    assert "Mi póster" in handed_in  # Ada's own words, as her teacher sees them
    assert phone.evaluate("document.title") == "Fraction poster · Village"
    assert phone.evaluate("document.querySelector('title').lang") == "en"
