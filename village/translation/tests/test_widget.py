"""How a page shows machine-translated text: its language on the element, the mark naming the
original's language in the reader's, "uncertain", and the original one tap away."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.utils import translation

from village.translation.texts import Reason, Shown, Text, Translations

PAGE = Template(
    "{% load translation_tags %}"
    '<p class="title"{% text_lang value %}>{{ value }}</p>{% translation_note value %}'
)
LOOKED_UP = Template(
    "{% load translation_tags %}{% translated translations 7 text as value %}"
    "<p{% text_lang value %}>{{ value }}</p>{% translation_note value %}"
)

ORIGINAL = Text("Bring the form on Friday.\nThanks, Ms. Rivera", "en")
SPANISH = Shown.translation(
    ORIGINAL, "es", "Traiga el formulario el viernes.\nGracias, Ms. Rivera", (), "apertium"
)
UNCERTAIN = Shown.translation(
    Text("The blorptastic poster", "en"), "es", "El blorptastic póster", ["blorptastic"], "apertium"
)
VIETNAMESE = Shown.as_written(Text("Con tôi bị ốm hôm nay.", "vi"), Reason.NO_ENGINE)


def render(value: object, language: str, template: Template = PAGE, **context: object) -> str:
    with translation.override(language):
        return template.render(Context({"value": value, **context}))


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_a_translation_into_the_pages_language_is_marked_with_the_original_one_tap_away():
    html = squeeze(render(SPANISH, "es"))
    assert '<p class="title">Traiga el formulario el viernes. Gracias, Ms. Rivera</p>' in html
    assert "Traducción automática. Idioma original: Inglés" in html
    assert '<details class="mt-original"> <summary>Ver el original</summary>' in html
    original = "Bring the form on Friday.<br>Thanks, Ms. Rivera"
    assert f'<div class="mt-original-text" lang="en">{original}</div>' in html
    assert "mt-uncertain" not in html


def test_in_an_english_page_the_translation_carries_its_own_language():
    html = squeeze(render(SPANISH, "en"))
    assert '<p class="title" lang="es">' in html
    assert "Machine-translated from English" in html
    assert "<summary>See original</summary>" in html


def test_an_uncertain_translation_says_so_and_names_the_words():
    html = squeeze(render(UNCERTAIN, "en"))
    assert "Uncertain: some words were not translated" in html
    assert '(<span lang="en">blorptastic</span>)' in html
    html = squeeze(render(UNCERTAIN, "es"))
    assert "Dudosa: algunas palabras no se tradujeron" in html


def test_without_an_engine_for_the_pair_the_original_shows_with_its_language_named():
    html = squeeze(render(VIETNAMESE, "en"))
    assert '<p class="title" lang="vi">Con tôi bị ốm hôm nay.</p>' in html
    assert '<p class="mt-note mt-as-written">Written in Vietnamese</p>' in html
    assert "<details" not in html
    assert "Idioma original: Vietnamita" in squeeze(render(VIETNAMESE, "es"))


def test_while_the_translation_is_on_its_way_the_original_shows():
    pending = Shown.as_written(ORIGINAL, Reason.PENDING)
    html = squeeze(render(pending, "es"))
    assert '<p class="title" lang="en">Bring the form on Friday. Thanks, Ms. Rivera</p>' in html
    assert 'Idioma original: Inglés · <span class="mt-pending">Traducción en camino</span>' in html
    assert "Translation on its way" in render(pending, "en")


def test_text_in_the_readers_own_language_has_no_note():
    same = Shown.as_written(ORIGINAL, Reason.SAME_LANGUAGE)
    html = render(same, "en")
    assert 'class="mt-' not in html
    assert '<p class="title">' in html
    assert '<p class="title" lang="en">' in render(same, "es")


def test_a_plain_string_is_shown_as_written_in_the_content_language():
    assert render("Book report", "en") == '<p class="title">Book report</p>'
    assert render("Book report", "es") == '<p class="title" lang="en">Book report</p>'


def test_a_pages_translations_are_found_by_place_and_text():
    found = Translations({(7, ORIGINAL): SPANISH})
    html = render(None, "es", LOOKED_UP, translations=found, text=ORIGINAL.text)
    assert "Traiga el formulario" in html
    other = render(None, "es", LOOKED_UP, translations=found, text="Something else")
    assert other == '<p lang="en">Something else</p>'
    assert "Something else" in render(None, "es", LOOKED_UP, translations="", text="Something else")


def test_html_translations_are_shown_as_html_and_their_original_too():
    source = Text("<p>Read <strong>this</strong>.</p>", "en", is_html=True)
    shown = Shown.translation(source, "es", "<p>Lea <strong>esto</strong>.</p>", (), "apertium")
    template = Template(
        "{% load translation_tags %}<div{% text_lang value %}>{% shown_text value %}</div>"
        "{% translation_note value %}"
    )
    html = render(shown, "en", template)
    assert '<div lang="es"><p>Lea <strong>esto</strong>.</p></div>' in html
    assert (
        '<div class="mt-original-text" lang="en"><p>Read <strong>this</strong>.</p></div>' in html
    )


def test_the_printed_page_has_the_mark_alone():
    template = Template("{% load translation_tags %}{% translation_note value compact=True %}")
    assert render(SPANISH, "en", template) == (
        '<span class="mt-note mt-compact">(Machine-translated from English)</span>'
    )
