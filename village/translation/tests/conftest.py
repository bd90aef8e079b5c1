"""Fixtures of the translation tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from village.translation.tests.fakes import Behaviour, CountingEngine, libretranslate_server

COUNTING = "village.translation.tests.fakes.CountingEngine"


@pytest.fixture
def counting(settings: Settings) -> Iterator[type[CountingEngine]]:
    """Our own engine, configured by its dotted path, with its calls counted."""
    settings.VILLAGE_TRANSLATION_ENGINES = [COUNTING]
    CountingEngine.calls = []
    CountingEngine.fail = False
    yield CountingEngine
    CountingEngine.calls = []
    CountingEngine.fail = False


@pytest.fixture
def apertium(settings: Settings) -> None:
    """Debian's Apertium with its English-Spanish pair (``make test-deps`` installs both)."""
    if shutil.which("apertium") is None:
        pytest.skip("Debian's apertium and apertium-eng-spa are not installed (make test-deps)")
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]
    settings.VILLAGE_APERTIUM_COMMAND = "apertium"


@pytest.fixture
def libretranslate(settings: Settings) -> Iterator[Behaviour]:
    """A local server that speaks LibreTranslate's API, configured as the engine."""
    with libretranslate_server() as (url, behaviour):
        settings.VILLAGE_TRANSLATION_ENGINES = ["libretranslate"]
        settings.VILLAGE_LIBRETRANSLATE_URL = url
        settings.VILLAGE_LIBRETRANSLATE_API_KEY = "school-key"
        settings.VILLAGE_LIBRETRANSLATE_TIMEOUT = 2
        yield behaviour
