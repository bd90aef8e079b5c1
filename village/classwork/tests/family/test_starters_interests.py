"""Conversation starters from a child's interests: one among the others, never crowding them
out, quoted as written and shortened, marked with their language where it is not the page's,
pronoun-free and in the family's language; the digest's one starter on some days only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from village.classwork.family.interests import Interest
from village.classwork.family.starters import (
    HOME_INTEREST_TEMPLATES,
    HOME_INTEREST_WITHOUT_TOPIC_TEMPLATES,
    INTEREST_TEMPLATES,
    INTEREST_WITHOUT_TOPIC_TEMPLATES,
    StarterKind,
    TopicFact,
    WorkFact,
    conversation_starters,
    quoted,
)
from village.classwork.tests.family.test_starters import GENERIC, PRONOUNS

TUESDAY = dt.date(2026, 3, 3)
WEEKS = [TUESDAY + dt.timedelta(days=offset) for offset in range(28)]
WATER = TopicFact("The water cycle", "Grade 8 Science", "Elena Rivera")
LAB = WorkFact("Lab report: density", "Grade 8 Science", "Elena Rivera")
BOOK = WorkFact("Book report", "Grade 5 Homeroom", due_on=dt.date(2026, 3, 6))
QUIZ = WorkFact("Reading quiz", "Grade 8 Science")
MAPS = Interest("I love drawing maps.", "en", by_child=True)
COOKING = Interest("Cocina con su abuela los domingos.", "es", by_child=False)
INTEREST_ALL = (
    INTEREST_TEMPLATES
    + INTEREST_WITHOUT_TOPIC_TEMPLATES
    + HOME_INTEREST_TEMPLATES
    + HOME_INTEREST_WITHOUT_TOPIC_TEMPLATES
)


def leo(today: dt.date = TUESDAY, **facts):
    return conversation_starters(name="Leo", child_id=7, today=today, **facts)


def test_the_interest_is_one_starter_among_the_others_every_day():
    for day in WEEKS:
        result = leo(
            day, topics=[WATER], feedback=[LAB], due=[BOOK], missing=[QUIZ], interests=[MAPS]
        )
        kinds = [starter.kind for starter in result]
        assert len(result) == 4
        assert kinds.count(StarterKind.INTEREST) == 1
        assert kinds.count(StarterKind.FEEDBACK) + kinds.count(StarterKind.TOPIC) >= 1
    fewer = leo(topics=[WATER], interests=[MAPS, COOKING])
    assert sorted(s.kind for s in fewer) == [StarterKind.INTEREST, StarterKind.TOPIC]


def test_the_digests_one_starter_is_the_interest_on_some_days_only():
    kinds = [
        leo(day, feedback=[LAB], due=[BOOK], interests=[MAPS], limit=1)[0].kind for day in WEEKS
    ]
    assert set(kinds) == {StarterKind.INTEREST, StarterKind.FEEDBACK}
    assert 3 <= kinds.count(StarterKind.INTEREST) <= 18  # about one day in three
    alone = leo(interests=[MAPS], limit=1)
    assert [s.kind for s in alone] == [StarterKind.INTEREST]


def test_no_interests_change_nothing():
    facts = {"topics": [WATER], "feedback": [LAB], "due": [BOOK], "missing": [QUIZ]}
    for day in WEEKS[:7]:
        assert leo(day, **facts) == leo(day, interests=[], **facts)


def test_the_interest_is_quoted_as_written_with_a_topic_and_stable_within_a_day():
    (starter,) = [s for s in leo(topics=[WATER], interests=[MAPS]) if s.kind == "interest"]
    assert "“I love drawing maps”" in starter.text
    assert "“The water cycle”" in starter.text
    assert leo(topics=[WATER], interests=[MAPS]) == leo(topics=[WATER], interests=[MAPS])
    home = leo(interests=[COOKING])[0].text
    assert home.startswith("From home: “Cocina con su abuela los domingos”.")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Football.", "Football"),
        ("Dragons!", "Dragons!"),
        (
            "I love drawing maps. On Saturdays I play football with my cousins and we keep "
            "score in a notebook.",
            "I love drawing maps…",
        ),
        (
            "Building robots out of cardboard boxes, old toys, bottle tops and anything else "
            "that is lying around the house",
            "Building robots out of cardboard boxes, old toys, bottle tops and anything else…",
        ),
        ("x" * 90, "x" * 80 + "…"),
        ("Lego,\n\n   chess   and piano.", "Lego, chess and piano"),
    ],
)
def test_a_long_interest_is_cut_at_its_first_sentence_or_a_word(text, shown):
    assert quoted(text) == shown
    assert len(quoted(text)) <= 81


def test_every_interest_template_is_pronoun_free_and_fills_its_placeholders():
    values = {"name": "Leo", "interest": "Maps", "topic": "The water cycle"}
    for language in ("en", "es"):
        with translation.override(language):
            for template in INTEREST_ALL:
                text = str(template) % values
                assert "%(" not in text
                assert "Leo" in text, text
                assert "“Maps”" in text, text
                if language == "en":
                    assert not PRONOUNS.search(text), text
                    assert not any(phrase in text.lower() for phrase in GENERIC)


def test_an_interest_in_another_language_than_the_pages_is_marked_with_its_own():
    with translation.override("es"):
        (spanish,) = leo(interests=[MAPS])
        assert spanish.html.startswith("En “Sobre mí”, Leo escribió: ")
        assert '“<span lang="en">I love drawing maps</span>”' in spanish.html
        (own,) = leo(interests=[COOKING])
        assert "“Cocina con su abuela los domingos”" in own.html
        assert "lang=" not in own.html
    (english,) = leo(interests=[COOKING])
    assert '“<span lang="es">Cocina con su abuela los domingos</span>”' in english.html
    (plain,) = leo(interests=[Interest("<b>Maps</b> & more", "en", by_child=True)])
    assert "&lt;b&gt;Maps&lt;/b&gt; &amp; more" in plain.html
    assert "<b>Maps</b> & more" in plain.text
