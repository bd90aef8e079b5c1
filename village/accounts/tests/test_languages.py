"""One check of a person's language and time zone, used by every form that sets them."""

from __future__ import annotations

import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from village.accounts.languages import (
    language_choices,
    language_code,
    time_zones,
    timezone_choices,
    validate_timezone,
)

UNKNOWN = ["klingon", "klingon-xx-yy", "tlh", "xx", "", "es-!!", "es-MX-" + "a" * 12, "other"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("en", "en"),
        ("ES", "es"),
        ("es-mx", "es-MX"),
        ("zh-hant", "zh-Hant"),
        ("zh-hant-tw", "zh-Hant-TW"),
        (" vi ", "vi"),
        ("hmn", "hmn"),
    ],
)
def test_a_listed_language_is_spelled_as_usual(value, expected):
    assert language_code(value) == expected


@pytest.mark.parametrize("value", UNKNOWN)
def test_a_language_off_the_list_is_refused_with_a_message_naming_it(value):
    with pytest.raises(ValidationError) as error:
        language_code(value)
    assert error.value.code == "unknown_language"
    assert f"“{value}” is not a language Village knows" in error.value.messages[0]


def test_the_language_list_names_each_language_in_itself_and_in_the_readers_language():
    with translation.override("en"):
        english = dict(language_choices())
    with translation.override("es"):
        spanish = dict(language_choices())
    assert english["es"] == "Español (Spanish)"
    assert spanish["en"] == "English (Inglés)"
    assert spanish["es"] == "Español"
    assert spanish["vi"] == "Tiếng Việt (Vietnamita)"


def test_the_time_zones_are_the_systems():
    assert "America/Chicago" in time_zones()
    assert "UTC" in time_zones()
    assert time_zones() <= zoneinfo.available_timezones()
    assert [value for value, _label in timezone_choices()] == sorted(time_zones())
    validate_timezone("Europe/Madrid")
    for wrong in ("Mars/Olympus_Mons", "klingon", "", "localtime"):
        with pytest.raises(ValidationError):
            validate_timezone(wrong)


@pytest.mark.django_db
def test_the_model_refuses_an_unknown_language_so_the_admin_site_does_too(personas):
    personas.sam.preferred_language = "klingon"
    with pytest.raises(ValidationError) as error:
        personas.sam.full_clean()
    assert "preferred_language" in error.value.message_dict
