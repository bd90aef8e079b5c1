"""What callers hand to translation (``Text``) and what pages show (``Shown``)."""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from village.translation import languages


@dataclass(frozen=True)
class Text:
    """Something a person wrote, in ``language``: plain text, or sanitised HTML (``is_html``),
    with names to keep as written wherever they appear (``keep``: a child's name, a class's).

    Texts are keyed by what was asked: the same words with other names kept are another text.
    """

    text: str
    language: str
    is_html: bool = False
    keep: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "keep", tuple(sorted({name for name in self.keep if name})))

    @functools.cached_property
    def digest(self) -> str:
        kind = "html" if self.is_html else "text"
        asked = "\x00".join([kind, "\x1f".join(self.keep), self.text])
        return hashlib.sha256(asked.encode()).hexdigest()

    @functools.cached_property
    def blank(self) -> bool:
        return not self.text.strip()


def texts(values: Iterable[str], language: str, *, keep: Iterable[str] = ()) -> list[Text]:
    """Plain texts in ``language``, blank ones left out."""
    names = tuple(keep)
    return [Text(value, language, keep=names) for value in values if value and value.strip()]


class Reason(enum.StrEnum):
    """Why a page shows what was written rather than a translation."""

    SAME_LANGUAGE = "same_language"
    PENDING = "pending"
    NO_ENGINE = "no_engine"
    FAILED = "failed"
    NOT_REQUESTED = "not_requested"


@dataclass(frozen=True, slots=True)
class Shown:
    """A text as one reader sees it: a machine translation into their language, or what was
    written (with ``reason``), always with the original one tap away."""

    text: str
    language: str
    original: str
    original_language: str
    is_html: bool = False
    translated: bool = False
    #: Words the engine could not translate (the translation is uncertain).
    uncertain: tuple[str, ...] = ()
    reason: Reason | None = None
    engine: str = ""

    @classmethod
    def as_written(cls, text: Text, reason: Reason) -> Shown:
        return cls(
            text=text.text,
            language=text.language,
            original=text.text,
            original_language=text.language,
            is_html=text.is_html,
            reason=reason,
        )

    @classmethod
    def translation(
        cls, text: Text, target: str, translated: str, uncertain: Iterable[str], engine: str
    ) -> Shown:
        return cls(
            text=translated,
            language=languages.key(target),
            original=text.text,
            original_language=text.language,
            is_html=text.is_html,
            translated=True,
            uncertain=tuple(uncertain),
            engine=engine,
        )

    @property
    def is_uncertain(self) -> bool:
        return bool(self.uncertain)

    def __str__(self) -> str:
        return self.text


class Translations:
    """What one reader's page shows of each text, found by where it was written (a class's or
    a school's id, as the page looked it up) and the text as written; templates ask with
    ``{% translated %}`` (``village.translation.templatetags.translation_tags``)."""

    def __init__(self, found: Mapping[tuple[int, Text], Shown] | None = None) -> None:
        self._shown = {
            (place, text.text, text.is_html): shown
            for (place, text), shown in (found or {}).items()
        }

    def get(self, place: int, text: str, *, is_html: bool = False) -> Shown | None:
        return self._shown.get((place, text, is_html))

    @property
    def translated_from(self) -> list[str]:
        """The languages of the originals of the texts shown translated."""
        found = {shown.original_language for shown in self._shown.values() if shown.translated}
        return sorted(found)

    @property
    def pending(self) -> bool:
        """Is some text still on its way (a page kept for later should be kept briefly)?"""
        return any(shown.reason == Reason.PENDING for shown in self._shown.values())

    def __len__(self) -> int:
        return len(self._shown)
