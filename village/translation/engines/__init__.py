"""Translation engines: what Village asks of one, and the engines an operator configured.

An engine translates **HTML fragments** from one language into another:

- ``name``: how the engine is named on a translation it made ("apertium");
- ``supports(source, target)``: whether it has that pair (tags as ``village.translation
  .languages.key`` writes them: ``es``, ``zh-Hant``); it may raise ``TranslationError`` when it
  cannot tell now (its server is down);
- ``translate(texts, source, target)``: one ``EngineResult`` per fragment, in order: the
  translated fragment, and the words it could not translate (Apertium marks them). Raises
  ``TranslationError`` when the whole batch failed; the worker tries it again later.

Every fragment is HTML: plain text arrives escaped, with ``<br>`` for its line breaks. Markup
must come back as it went, and so must every ``<span translate="no">`` (HTML's own way of
saying "leave this as it is"): Village puts the names, web and email addresses, numbers and
glossary terms of a text there, and puts them back itself afterwards (``village.translation
.markup``).

``VILLAGE_TRANSLATION_ENGINES`` lists the engines in order of preference: ``apertium``,
``libretranslate``, or the dotted path of a class of one's own (a neural model, a commercial
service) built with no arguments or with a ``from_settings()`` class method. For each pair of
languages the first engine that supports it is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class TranslationError(Exception):
    """An engine could not translate now (timed out, refused, answered nonsense)."""


@dataclass(frozen=True, slots=True)
class EngineResult:
    """One translated fragment and the words the engine could not translate."""

    text: str
    unknown: tuple[str, ...] = ()


@runtime_checkable
class TranslationEngine(Protocol):
    name: str

    def supports(self, source: str, target: str) -> bool: ...

    def translate(self, texts: list[str], source: str, target: str) -> list[EngineResult]: ...


BUILT_IN = {
    "apertium": "village.translation.engines.apertium.ApertiumEngine",
    "libretranslate": "village.translation.engines.libretranslate.LibreTranslateEngine",
}

_built: dict[tuple[str, tuple[object, ...]], TranslationEngine] = {}


def _settings_of(name: str) -> tuple[object, ...]:
    """What an engine is built from: a change of settings (a test's) builds it again."""
    return (
        settings.VILLAGE_APERTIUM_COMMAND,
        settings.VILLAGE_APERTIUM_TIMEOUT,
        settings.VILLAGE_LIBRETRANSLATE_URL,
        settings.VILLAGE_LIBRETRANSLATE_API_KEY,
        settings.VILLAGE_LIBRETRANSLATE_TIMEOUT,
        name,
    )


def build(name: str) -> TranslationEngine:
    """The engine ``name`` stands for (built-in, or a dotted path), kept for the process: an
    engine keeps what it learnt of its pairs."""
    signature = (name, _settings_of(name))
    if signature not in _built:
        try:
            factory = import_string(BUILT_IN.get(name, name))
        except ImportError as error:
            raise ImproperlyConfigured(
                f"VILLAGE_TRANSLATION_ENGINES: {name!r} is neither apertium, libretranslate nor "
                f"the dotted path of an engine class ({error})."
            ) from None
        from_settings = getattr(factory, "from_settings", None)
        engine = from_settings() if callable(from_settings) else factory()
        if not isinstance(engine, TranslationEngine):
            raise ImproperlyConfigured(
                f"VILLAGE_TRANSLATION_ENGINES: {name!r} has no name, supports() and translate()."
            )
        _built[signature] = engine
    return _built[signature]


def configured() -> list[TranslationEngine]:
    """The engines of ``VILLAGE_TRANSLATION_ENGINES``, in order."""
    return [build(name) for name in settings.VILLAGE_TRANSLATION_ENGINES]


def choose(
    engines: Sequence[TranslationEngine], source: str, target: str
) -> TranslationEngine | None:
    """The first of ``engines`` that has the pair, or ``None``. ``TranslationError`` when an
    engine before it cannot tell now: the pair is tried again later rather than given up."""
    for engine in engines:
        if engine.supports(source, target):
            return engine
    return None
