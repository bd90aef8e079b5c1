"""Conversation starters: specific, about the real topic or work, stable within a day, varied
across days, pronoun-free, and in the family's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation

from village.classwork.family import child as child_pages
from village.classwork.family import starters
from village.classwork.family.starters import (
    DUE_TEMPLATES,
    FEEDBACK_TEMPLATES,
    FEEDBACK_WITHOUT_TEACHER_TEMPLATES,
    MISSING_TEMPLATES,
    TOPIC_TEMPLATES,
    TOPIC_WITH_TEACHER_TEMPLATES,
    StarterKind,
    TopicFact,
    WorkFact,
    conversation_starters,
    due_day,
)
from village.classwork.tests.family.test_family_selectors import build_term
from village.community.models import Scope
from village.families import policies as family_policies

TUESDAY = dt.date(2026, 3, 3)
WATER = TopicFact("The water cycle", "Grade 8 Science", "Elena Rivera")
FRACTIONS = TopicFact("Fractions on a number line", "Grade 5 Homeroom", "Elena Rivera")
LAB = WorkFact("Lab report: density", "Grade 8 Science", "Elena Rivera")
BOOK = WorkFact("Book report", "Grade 5 Homeroom", due_on=dt.date(2026, 3, 6))
QUIZ = WorkFact("Reading quiz", "Grade 8 Science")
ALL_TEMPLATES = (
    TOPIC_TEMPLATES
    + TOPIC_WITH_TEACHER_TEMPLATES
    + FEEDBACK_TEMPLATES
    + FEEDBACK_WITHOUT_TEACHER_TEMPLATES
    + DUE_TEMPLATES
    + MISSING_TEMPLATES
)
VALUES = {
    "name": "Leo",
    "topic": "The water cycle",
    "title": "Lab report: density",
    "teacher": "Elena Rivera",
    "class": "Grade 8 Science",
    "day": "on Friday",
}
PRONOUNS = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.IGNORECASE)
GENERIC = ("how was school", "how was your day", "what did you learn today")


def leo(today: dt.date = TUESDAY, **facts) -> list[starters.Starter]:
    return conversation_starters(name="Leo", child_id=7, today=today, **facts)


def test_each_kind_names_the_child_and_the_real_topic_or_work():
    result = leo(topics=[WATER], feedback=[LAB], due=[BOOK], missing=[QUIZ])
    by_kind = {starter.kind: starter.text for starter in result}
    assert list(by_kind) == [
        StarterKind.FEEDBACK,
        StarterKind.TOPIC,
        StarterKind.DUE,
        StarterKind.MISSING,
    ]
    assert all("Leo" in text for text in by_kind.values())
    assert "“Lab report: density”" in by_kind[StarterKind.FEEDBACK]
    assert "“The water cycle”" in by_kind[StarterKind.TOPIC]
    assert "“Book report”" in by_kind[StarterKind.DUE]
    assert "on Friday" in by_kind[StarterKind.DUE]  # 6 March 2026 is the Friday after
    assert "“Reading quiz”" in by_kind[StarterKind.MISSING]


def test_feedback_starters_name_the_teacher_who_returned_it():
    for day in range(10):
        (text,) = [s.text for s in leo(TUESDAY + dt.timedelta(days=day), feedback=[LAB], limit=1)]
        assert "Elena Rivera" in text
    nameless = leo(feedback=[WorkFact("Lab report: density", "Grade 8 Science")])
    assert nameless[0].text == (
        "Ask Leo to show you the feedback on “Lab report: density”, and to pick one suggestion "
        "to try next time."
    )


def test_stable_within_a_day_whatever_the_order_of_topics():
    topics = [WATER, FRACTIONS, TopicFact("Volcanoes", "Grade 8 Science")]
    first = leo(topics=topics)
    assert leo(topics=list(reversed(topics))) == first
    assert leo(topics=topics) == first


def test_varies_from_day_to_day():
    days = [TUESDAY + dt.timedelta(days=offset) for offset in range(21)]
    texts = {leo(day, topics=[WATER, FRACTIONS], limit=1)[0].text for day in days}
    assert len(texts) >= 4
    topics_first = {
        leo(day, topics=[WATER, FRACTIONS], limit=1)[0].text.count("water") for day in days
    }
    assert topics_first == {0, 1}  # which topic leads also changes


def test_different_children_get_different_questions_on_the_same_day():
    texts = {
        conversation_starters(name="Ada", child_id=child, today=TUESDAY, topics=[FRACTIONS])[0].text
        for child in range(3, 20)
    }
    assert len(texts) > 1


def test_nothing_current_gives_no_starter_rather_than_a_generic_one():
    assert leo() == []
    assert leo(due=[WorkFact("Undated", "Art")]) == []


def test_limit_is_respected_and_later_topics_fill_up():
    result = leo(topics=[WATER, FRACTIONS], feedback=[LAB], limit=3)
    assert [s.kind for s in result] == [
        StarterKind.FEEDBACK,
        StarterKind.TOPIC,
        StarterKind.TOPIC,
    ]
    assert len(leo(topics=[WATER, FRACTIONS], feedback=[LAB], due=[BOOK], limit=2)) == 2


def test_every_template_is_specific_pronoun_free_and_fills_its_placeholders():
    for template in ALL_TEMPLATES:
        text = str(template) % VALUES
        assert "%(" not in text
        assert "Leo" in text, template
        assert any(value in text for value in ("The water cycle", "Lab report: density")), text
        assert not PRONOUNS.search(text), text
        assert not any(phrase in text.lower() for phrase in GENERIC)


def test_due_day_reads_today_tomorrow_or_a_weekday():
    assert due_day(TUESDAY, TUESDAY) == "today"
    assert due_day(dt.date(2026, 3, 4), TUESDAY) == "tomorrow"
    assert due_day(dt.date(2026, 3, 6), TUESDAY) == "on Friday"
    assert due_day(dt.date(2026, 3, 20), TUESDAY) == "on March 20"


@pytest.mark.parametrize("language", ["es", "en"])
def test_renders_in_the_familys_language_without_errors(language):
    with translation.override(language):
        for template in ALL_TEMPLATES:
            assert "Leo" in str(template) % VALUES  # a translation keeps its placeholders
        result = leo(topics=[WATER], feedback=[LAB], due=[BOOK], missing=[QUIZ])
        assert len(result) == 4
        assert all("Leo" in starter.text for starter in result)
        assert "“The water cycle”" in " ".join(s.text for s in result)  # titles stay as written
        day = due_day(dt.date(2026, 3, 6), TUESDAY)
    assert ("viernes" if language == "es" else "Friday") in day


@pytest.mark.django_db
def test_starters_for_a_child_page_come_from_the_real_term(personas):
    p = personas
    build_term(p)
    page = child_pages.child_page(
        p.sam, family_policies.family_child_for_viewer(p.sam, p.leo.pk, Scope.CLASSWORK)
    )
    result = starters.for_child_page(page, limit=4)
    assert [s.kind for s in result] == [
        StarterKind.FEEDBACK,
        StarterKind.TOPIC,
        StarterKind.DUE,
        StarterKind.MISSING,
    ]
    texts = [s.text for s in result]
    assert "“Lab report: density”" in texts[0]
    assert "Elena Rivera" in texts[0]
    assert re.search("“(The water cycle|Linear equations)”", texts[1])
    assert "“Water cycle poster”" in texts[2]
    assert "“Reading quiz”" in texts[3]
    assert all("Leo" in text for text in texts)
    with translation.override("es"):
        assert len(starters.for_child_page(page, limit=2)) == 2
