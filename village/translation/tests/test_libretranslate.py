"""LibreTranslate over HTTP, against a local server that speaks its API."""

from __future__ import annotations

import time

import pytest

from village.translation import engines, markup
from village.translation.engines import TranslationError
from village.translation.engines.libretranslate import LibreTranslateEngine
from village.translation.tests.fakes import Behaviour


def engine() -> LibreTranslateEngine:
    found = engines.build("libretranslate")
    assert isinstance(found, LibreTranslateEngine)
    return found


def test_pairs_come_from_the_servers_languages_asked_once(libretranslate: Behaviour):
    assert engine().supports("en", "es")
    assert engine().supports("es-MX", "en")
    assert not engine().supports("es", "fr")
    assert not engine().supports("en", "vi")
    assert libretranslate.languages_asked == 1


def test_texts_are_translated_in_one_request_with_the_api_key(libretranslate: Behaviour):
    results = engine().translate(["Bring the form by Friday.", "Great work!"], "en", "es")
    assert [result.text for result in results] == [
        "Traiga el formulario antes del Viernes.",
        "Gran trabajo!",
    ]
    [asked] = libretranslate.requests
    assert asked == {
        "q": ["Bring the form by Friday.", "Great work!"],
        "source": "en",
        "target": "es",
        "format": "text",
        "api_key": "school-key",
    }


def test_html_goes_as_html_and_keeps_its_markup(libretranslate: Behaviour):
    source = (
        '<p>Read <a href="https://books.example/3">chapter three</a>.<br>Please '
        "<strong>write</strong>.</p>"
    )
    [result] = engine().translate([source], "en", "es")
    assert result.text == (
        '<p>Lea <a href="https://books.example/3">capítulo tres</a>.<br>Por favor '
        "<strong>escriba</strong>.</p>"
    )
    assert libretranslate.requests[0]["format"] == "html"


def test_names_addresses_and_glossary_terms_come_back_intact(libretranslate: Behaviour):
    rules = [markup.GlossaryRule("field trip", "excursión"), markup.GlossaryRule("Friday")]
    masked = markup.mask(
        "Bring the field trip form by Friday, Will. See https://trip.example/form.",
        is_html=False,
        keep=["Will"],
        rules=rules,
    )
    [result] = engine().translate([masked.fragment], "en", "es")
    back = markup.unmask(masked, result.text)
    assert back.text == (
        "Traiga el excursión formulario antes del Friday, Will. Vea https://trip.example/form."
    )
    assert back.lost == ()


def test_an_error_answer_is_an_error_naming_the_servers_reason(libretranslate: Behaviour):
    engine().pairs()
    libretranslate.status, libretranslate.body = 500, b'{"error": "Model not loaded"}'
    with pytest.raises(TranslationError, match="500: Model not loaded"):
        engine().translate(["Great work"], "en", "es")


def test_a_wrong_api_key_is_an_error(libretranslate: Behaviour):
    engine().pairs()
    libretranslate.status, libretranslate.body = 403, b'{"error": "Invalid API key"}'
    with pytest.raises(TranslationError, match="403: Invalid API key"):
        engine().translate(["Great work"], "en", "es")


def test_an_answer_that_is_not_json_is_an_error(libretranslate: Behaviour):
    engine().pairs()
    libretranslate.body = b"<html>Bad gateway</html>"
    with pytest.raises(TranslationError, match="not JSON"):
        engine().translate(["Great work"], "en", "es")


def test_an_answer_without_a_translation_of_each_text_is_an_error(libretranslate: Behaviour):
    engine().pairs()
    libretranslate.body = b'{"translatedText": ["only one"]}'
    with pytest.raises(TranslationError, match="each text"):
        engine().translate(["Great work", "Bring the form"], "en", "es")


def test_a_server_that_does_not_answer_in_time_is_an_error(libretranslate: Behaviour):
    engine().pairs()
    libretranslate.delay = 4
    started = time.monotonic()
    with pytest.raises(TranslationError, match="more than 2 s"):
        engine().translate(["Great work"], "en", "es")
    assert time.monotonic() - started < 3.5


def test_a_server_that_cannot_be_reached_is_an_error():
    nowhere = LibreTranslateEngine(url="http://127.0.0.1:9", timeout=1)
    with pytest.raises(TranslationError, match="could not be reached"):
        nowhere.supports("en", "es")


def test_languages_that_are_not_a_list_are_an_error(libretranslate: Behaviour):
    libretranslate.languages = {"en": "English"}  # type: ignore[assignment]
    with pytest.raises(TranslationError, match="/languages"):
        engine().supports("en", "es")
