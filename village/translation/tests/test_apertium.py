"""Apertium, for real: Debian's ``apertium`` with ``apertium-eng-spa`` (``make test-deps``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from village.translation import engines, markup
from village.translation.engines import TranslationError
from village.translation.engines.apertium import ApertiumEngine, language_of, pairs_of

pytestmark = pytest.mark.usefixtures("apertium")


def engine() -> ApertiumEngine:
    found = engines.build("apertium")
    assert isinstance(found, ApertiumEngine)
    return found


def translated(text: str, source: str = "en", target: str = "es", **options) -> tuple[str, tuple]:
    masked = markup.mask(text, is_html=options.pop("is_html", False), **options)
    [result] = engine().translate([masked.fragment], source, target)
    back = markup.unmask(masked, result.text)
    return back.text, result.unknown + back.lost


def test_the_installed_pairs_are_found_with_their_languages():
    assert engine().supports("en", "es")
    assert engine().supports("es-MX", "en-US")
    assert not engine().supports("en", "vi")
    assert engine().pairs()[("es", "en")] == "spa-eng"


def test_english_into_spanish():
    text, unknown = translated("The meeting is on Friday.")
    assert text == "La reunión es el viernes."
    assert unknown == ()


def test_spanish_into_english():
    text, unknown = translated("¿A qué hora es la reunión?", "es", "en")
    assert "meeting" in text
    assert unknown == ()


def test_a_word_apertium_does_not_know_is_reported_and_shown_without_its_mark():
    text, unknown = translated("The blorptastic poster is due on Friday.")
    assert "blorptastic" in text
    assert "*" not in text
    assert unknown == ("blorptastic",)


def test_a_word_translated_but_not_inflected_loses_its_mark_and_is_not_reported():
    text, unknown = translated("Check the blorptastic label.")
    assert "#" not in text
    assert "sello" in text
    assert unknown == ("blorptastic",)


def test_a_mark_the_writer_typed_is_neither_taken_out_nor_reported():
    text, unknown = translated("Do question #3 and read chapter 2.")
    assert "#3" in text
    assert unknown == ()


def test_names_addresses_times_and_markup_come_back_intact():
    source = (
        '<p>Leo, read <a href="https://books.example/ch3">chapter three</a> and write to '
        "ms.rivera@school.example before 10:30 on Friday.</p>"
    )
    text, unknown = translated(source, is_html=True, keep=["Leo"])
    assert text.startswith("<p>Leo")
    assert '<a href="https://books.example/ch3">' in text
    assert "ms.rivera@school.example" in text
    assert "10:30" in text
    assert text.endswith("</p>")
    assert unknown == ()


@pytest.mark.parametrize(
    ("source", "direction", "expected"),
    [
        ("Leo can hand it in on Monday.", ("en", "es"), "Leo puede"),
        ("Gracias. Leo estuvo enfermo el martes.", ("es", "en"), "Leo was"),
        ("Ask Leo Okoye today.", ("en", "es"), "Leo Okoye hoy"),
    ],
)
def test_the_word_after_a_kept_name_keeps_its_case(source, direction, expected):
    """Apertium writes the word after an unknown one with a capital; a kept name travels as
    one, so the writer's lower-case word comes back in lower case."""
    text, _unknown = translated(source, *direction, keep=["Leo", "Leo Okoye"])
    assert expected in text


def test_a_kept_name_keeps_the_grammar_of_a_name():
    """A kept name travels as a surname Apertium knows, so "Leo's" reads as a possessive; a
    surname the text itself holds is never used for it."""
    text, unknown = translated("Leo's lab report is late.", keep=["Leo"])
    assert "informe de laboratorio de Leo" in text
    assert unknown == ()
    text, _unknown = translated("Leo and Mr. Jones met.", keep=["Leo"])
    assert "Leo" in text
    assert "Jones" in text
    assert text.count("Leo") == 1


def test_a_glossary_term_is_kept_or_given_its_translation():
    rules = [markup.GlossaryRule("IEP"), markup.GlossaryRule("field trip", "excursión")]
    text, _unknown = translated("Bring the field trip form to the IEP meeting.", rules=rules)
    assert "excursión" in text
    assert "IEP" in text
    assert "campo" not in text


def test_many_texts_are_translated_by_one_run_of_apertium(monkeypatch):
    runs: list[list[str]] = []
    real_run = subprocess.run

    def counted(command, **options):
        runs.append(command)
        return real_run(command, **options)

    engine().pairs()  # learnt once per process
    monkeypatch.setattr(subprocess, "run", counted)
    texts = [f"Bring the form on Friday, part {number}." for number in range(60)]
    texts[7] = "Line one.<br>Line two"  # a text without a full stop does not run into the next
    texts[8] = "big"
    texts[9] = "house"
    results = engine().translate(texts, "en", "es")
    assert len(runs) == 1
    assert len(results) == 60
    assert results[0].text == "Traer la forma el viernes, parte 0."
    assert results[59].text.endswith("parte 59.")
    assert results[7].text == "Línea un.<br>Línea dos"
    assert results[8].text.lower() == "grande"
    assert results[9].text.lower() == "casa"


def test_apertium_taking_too_long_is_an_error(tmp_path: Path):
    slow = tmp_path / "slow-apertium"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    stuck = ApertiumEngine(command=str(slow), timeout=0.5)
    stuck._pairs = {("en", "es"): "eng-spa"}
    with pytest.raises(TranslationError, match=r"more than 0\.5 s"):
        stuck.translate(["Hello"], "en", "es")


def test_without_apertium_no_pair_is_supported():
    missing = ApertiumEngine(command="/nonexistent/apertium")
    assert not missing.supports("en", "es")
    assert missing.pairs() == {}


def test_mode_names_map_to_language_tags():
    assert language_of("eng") == "en"
    assert language_of("spa") == "es"
    assert language_of("eng_US") == "en"
    assert language_of("hbs") == "hbs"
    listing = "  eng-spa\n  spa-eng_US\n  spa-eng\n  en-ca\n  eng-spa-anmor\n"
    assert pairs_of(listing) == {
        ("en", "es"): "eng-spa",
        ("es", "en"): "spa-eng",
        ("en", "ca"): "en-ca",
    }
