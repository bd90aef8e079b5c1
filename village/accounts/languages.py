"""The languages and time zones a person may choose, and the one check of each.

Every form and import that sets a person's preferred language or time zone uses
:func:`language_code` / :func:`validate_language` and :func:`validate_timezone` (the profile, the
admin's add-person form, the admin site through the model's validators, roster values); the
forms offer :func:`language_choices` and :func:`timezone_choices` as select lists.

A language is one of ``LANGUAGES`` — the home languages of families Village serves, each named in
itself and in the reader's language — optionally with a region or script, as rosters send them
(``es-MX``). Village's own pages are in English or Spanish (``settings.LANGUAGES``); a family
preferring another language reads them in English while their school knows what to translate.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _


@dataclass(frozen=True)
class Language:
    code: str  # a BCP 47 tag: a primary language, and a script where it matters
    own_name: str  # how its speakers name it
    name: str  # translated when shown

    @property
    def label(self) -> str:
        translated = gettext(self.name)
        return self.own_name if translated == self.own_name else f"{self.own_name} ({translated})"


LANGUAGES = (
    Language("en", "English", _("English")),
    Language("es", "Español", _("Spanish")),
    Language("am", "አማርኛ", _("Amharic")),
    Language("ar", "العربية", _("Arabic")),
    Language("bn", "বাংলা", _("Bengali")),
    Language("my", "မြန်မာ", _("Burmese")),
    Language("zh-Hans", "简体中文", _("Chinese (Simplified)")),
    Language("zh-Hant", "繁體中文", _("Chinese (Traditional)")),
    Language("prs", "دری", _("Dari")),
    Language("fr", "Français", _("French")),
    Language("de", "Deutsch", _("German")),
    Language("el", "Ελληνικά", _("Greek")),
    Language("gu", "ગુજરાતી", _("Gujarati")),
    Language("ht", "Kreyòl ayisyen", _("Haitian Creole")),
    Language("he", "עברית", _("Hebrew")),
    Language("hi", "हिन्दी", _("Hindi")),
    Language("hmn", "Hmoob", _("Hmong")),
    Language("it", "Italiano", _("Italian")),
    Language("ja", "日本語", _("Japanese")),
    Language("km", "ខ្មែរ", _("Khmer")),
    Language("ko", "한국어", _("Korean")),
    Language("lo", "ລາວ", _("Lao")),
    Language("ne", "नेपाली", _("Nepali")),
    Language("ps", "پښتو", _("Pashto")),
    Language("fa", "فارسی", _("Persian")),
    Language("pl", "Polski", _("Polish")),
    Language("pt", "Português", _("Portuguese")),
    Language("pa", "ਪੰਜਾਬੀ", _("Punjabi")),
    Language("ro", "Română", _("Romanian")),
    Language("ru", "Русский", _("Russian")),
    Language("so", "Soomaali", _("Somali")),
    Language("sw", "Kiswahili", _("Swahili")),
    Language("tl", "Tagalog", _("Tagalog")),
    Language("ta", "தமிழ்", _("Tamil")),
    Language("te", "తెలుగు", _("Telugu")),
    Language("th", "ไทย", _("Thai")),
    Language("ti", "ትግርኛ", _("Tigrinya")),
    Language("tr", "Türkçe", _("Turkish")),
    Language("uk", "Українська", _("Ukrainian")),
    Language("ur", "اردو", _("Urdu")),
    Language("vi", "Tiếng Việt", _("Vietnamese")),
    Language("yo", "Yorùbá", _("Yoruba")),
)
_BY_CODE = {language.code.lower(): language.code for language in LANGUAGES}
_PRIMARY = {language.code.split("-")[0] for language in LANGUAGES}
_SUBTAG = re.compile(r"^[A-Za-z0-9]{2,8}$")
#: The longest tag the ``preferred_language`` column holds.
MAX_LENGTH = 16


def _subtag(part: str) -> str:
    """A subtag in its usual case: regions upper (``MX``), scripts title (``Hant``)."""
    if len(part) == 2 and part.isalpha():
        return part.upper()
    if len(part) == 4 and part.isalpha():
        return part.title()
    return part.lower()


def language_code(value: str) -> str:
    """The language tag ``value`` names, in its usual spelling (``ES-mx`` → ``es-MX``).

    Raises ``ValidationError`` unless it is one of ``LANGUAGES``, or one of them with a region
    or script (``es-MX``, ``zh-Hant-TW``).
    """
    tag = value.strip()
    if tag.lower() in _BY_CODE:
        return _BY_CODE[tag.lower()]
    primary, *rest = tag.split("-")
    well_formed = len(tag) <= MAX_LENGTH and all(_SUBTAG.match(part) for part in rest)
    if primary.lower() not in _PRIMARY or not well_formed:
        raise ValidationError(
            _("“%(value)s” is not a language Village knows. Choose one from the list."),
            code="unknown_language",
            params={"value": value},
        )
    return "-".join([primary.lower(), *(_subtag(part) for part in rest)])


def validate_language(value: str) -> None:
    language_code(value)


def language_choices() -> list[tuple[str, str]]:
    """The select list of languages, labelled in the active language."""
    return [(language.code, language.label) for language in LANGUAGES]


#: Names the time-zone database holds that are not places: kept out of the list.
_NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})


@cache
def time_zones() -> frozenset[str]:
    """The IANA time zones a person may choose: ``zoneinfo.available_timezones()``, without the
    copies for tools (``posix/…``, ``right/…``) and names that are not places."""
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in _NOT_PLACES and not name.startswith(("posix/", "right/"))
    )


def validate_timezone(value: str) -> None:
    if value not in time_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone Village knows. Choose one from the list."),
            code="unknown_time_zone",
            params={"value": value},
        )


def timezone_choices() -> list[tuple[str, str]]:
    """The select list of time zones, by name (``America/Chicago`` shows as America/Chicago)."""
    return [(name, name.replace("_", " ")) for name in sorted(time_zones())]
