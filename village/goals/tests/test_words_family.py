"""The notes beside what people wrote on the family's goal pages: Sam (who reads Spanish) sees
no note on her own Spanish words; while translations are being made, each English text shows
as written, marked and named as English, under one note for the page; once they are made,
each translation has its mark and the original one tap away."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from pytest_django.fixtures import Settings

from village.goals.tests.test_family_pages import COUNTING, Family, _fam, fam, page, plan_path
from village.translation import worker

pytestmark = pytest.mark.django_db
__all__ = ["_fam", "fam"]

PENDING = "Traducción en camino"
ENGLISH = '<span class="mt-note mt-compact">(Idioma original: Inglés)</span>'


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def after(html: str, text: str, length: int = 120) -> str:
    """What follows the end of the element holding ``text``."""
    start = html.index(text) + len(text)
    return html[start : start + length]


def answered(fam: Family) -> None:
    from village.goals.services import family

    family.help_answer(request=fam.ask, guardian=fam.people.sam, answer="El sábado.")


def test_pending_translations_get_one_note_for_the_page_and_each_text_its_language(
    fam: Family, settings: Settings
) -> None:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    html = main_of(page(fam.people.sam, plan_path(fam.people.ada.pk, fam.weather.goal_set.pk)))
    assert html.count(PENDING) == 1
    assert html.count('class="mt-pending"') == 1
    assert 'class="notice mt-note mt-page-pending" role="status"' in html
    # Each English text shows as written, marked English and named so.
    for text in (
        '-title" lang="en">Explain the water cycle</h3>',
        '<span lang="en">I drew the water cycle.</span></p>',
        '<p class="fam-comment" lang="en">A clear drawing, Ada.</p>',
        '<p class="fam-comment" lang="en">Boiling water for the model</p>',
    ):
        assert text in html, text
        assert after(html, text).startswith(ENGLISH), after(html, text)
    assert "mt-as-written" not in html  # no "Written in English" line under each text


def test_sams_own_spanish_words_have_no_note_before_or_after_translation(
    fam: Family, settings: Settings
) -> None:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    answered(fam)
    path = plan_path(fam.people.ada.pk, fam.weather.goal_set.pk)
    for _time in ("pending", "translated"):
        html = main_of(page(fam.people.sam, path))
        mine = '<p class="fam-comment">¡Muy bien, Ada!</p>'
        assert mine in html
        assert after(html, mine).lstrip().startswith('<p class="fam-meta">')
        answer = "<span>El sábado.</span></p>"
        assert answer in html
        assert "mt-note" not in after(html, answer, 60)
        worker.run()


def test_translated_text_keeps_its_mark_and_the_original_one_tap_away(
    fam: Family, settings: Settings
) -> None:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    path = plan_path(fam.people.ada.pk, fam.weather.goal_set.pk)
    page(fam.people.sam, path)
    worker.run()
    html = main_of(page(fam.people.sam, path))
    assert PENDING not in html
    comment = '<p class="fam-comment">A CLEAR DRAWING, Ada.</p>'  # in the page's language
    assert comment in html
    note = after(html, comment, 600)
    assert note.startswith('<div class="mt-note">')
    assert "Traducción automática" in note
    assert "Ver el original" in note
    assert '<div class="mt-original-text" lang="en">A clear drawing, Ada.</div>' in note
    assert ENGLISH not in html


def test_the_childs_page_and_the_family_home_say_once_that_translations_are_coming(
    fam: Family, settings: Settings
) -> None:
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    for path in (
        reverse("goals:family_child", args=[fam.people.ada.pk]),
        reverse("goals:family"),
    ):
        html = main_of(page(fam.people.sam, path))
        assert html.count(PENDING) == 1, path
        assert "mt-as-written" not in html
        assert re.search(r'lang="en">Boiling water for the model</p>\s*' + re.escape(ENGLISH), html)
