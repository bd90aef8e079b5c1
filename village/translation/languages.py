"""Language tags as translation compares and names them.

Two tags name the same language for translation when their primary subtags match (``es`` and
``es-MX``); a script subtag counts too, where it tells two written forms apart (``zh-Hans`` and
``zh-Hant``). A language is named in the reader's language: Village's own list of home languages
first (``village.accounts.languages``), then Django's, then the tag itself.
"""

from __future__ import annotations

import functools

from django.utils import translation
from django.utils.translation import gettext

from village.accounts.languages import LANGUAGES

_VILLAGE = {language.code.lower(): language for language in LANGUAGES}


@functools.lru_cache(maxsize=512)
def key(tag: str) -> str:
    """The language ``tag`` names, as translation keys it: ``es-MX`` → ``es``, ``zh-hant-TW`` →
    ``zh-Hant``; blank for a blank tag. (Kept for the few tags a process meets: a digest batch
    asks for each of thousands of texts.)"""
    parts = [part for part in tag.strip().replace("_", "-").split("-") if part]
    if not parts:
        return ""
    primary = parts[0].lower()
    script = next((part.title() for part in parts[1:] if len(part) == 4 and part.isalpha()), "")
    return f"{primary}-{script}" if script else primary


def primary(tag: str) -> str:
    return key(tag).split("-")[0]


def same(one: str, other: str) -> bool:
    """Do ``one`` and ``other`` name the same language for translation?"""
    return key(one) == key(other)


def name(tag: str) -> str:
    """The language's name in the active language (``es`` → "Spanish", or "Español" when the
    reader reads Spanish)."""
    wanted = key(tag)
    for candidate in (wanted.lower(), primary(tag)):
        if candidate in _VILLAGE:
            return gettext(_VILLAGE[candidate].name)
    for candidate in (wanted.lower(), primary(tag)):
        try:
            return str(translation.get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return tag
