"""Showing machine-translated text (``village.translation.texts.Shown``) in a page.

The text goes in an element of the page's own markup, with its language on the element, and
the note after that element:

    <p class="fam-title"{% text_lang shown %}>{{ shown.text }}</p>{% translation_note shown %}

- ``{% text_lang value %}``: `` lang="…"`` (with its leading space) when the text's language
  differs from the page's;
- ``{% translation_note value %}``: for a translation, "Machine-translated from Spanish" (the
  language named in the reader's language), "uncertain" with the words the engine could not
  translate, and "See original" in a ``<details>`` (no script: one tap, or Enter) with the
  original in its own language; for text shown as written in another language than the
  reader's, "Written in Vietnamese", and "Translation on its way" while it is;
- ``{% shown_text value %}``: the text, escaped, or as it is when it is (sanitised) HTML
  (``html=True`` says a plain string is).

Each takes a ``Shown`` or a plain string; a string is teacher-written text in the content
language, shown as written without a note (as ``content_lang`` does). ``{% translated
translations place text as name %}`` finds a text's ``Shown`` among a page's
``Translations``, or gives the string back; ``{% translation_summary translations %}`` says
in one line that a page (a printed one) shows machine translations.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from village.community.templatetags.content_lang import content_language
from village.translation import languages
from village.translation.texts import Reason, Shown, Translations

register = template.Library()


def _shown(value: object) -> Shown | None:
    if isinstance(value, Shown):
        return value
    return None


def _page_language() -> str:
    return translation.get_language() or content_language()


@register.simple_tag
def text_lang(value: object) -> SafeString:
    shown = _shown(value)
    language = shown.language if shown is not None else content_language()
    if value in (None, "") or languages.same(language, _page_language()):
        return SafeString("")
    return format_html(' lang="{}"', language)


@register.simple_tag
def shown_text(value: object, *, html: bool = False) -> SafeString:
    """The text, escaped; as it is when it is sanitised HTML (a ``Shown`` of HTML, or a
    string the caller says is, ``html=True``: an assignment's stored instructions)."""
    shown = _shown(value)
    if (shown is not None and shown.is_html) or (shown is None and html):
        return mark_safe(str(value))  # noqa: S308 - sanitised HTML (markup.like_original)
    return conditional_escape("" if value is None else str(value))


@register.simple_tag
def translated(
    translations: object, place: int | None, text: str, *, html: bool = False
) -> Shown | str:
    """What the page's ``translations`` (a ``Translations``) show of ``text``, written at
    ``place``: use as ``{% translated translations work.class_id work.title as title %}``.
    Without translations (a page that looked none up), the text as written."""
    if isinstance(translations, Translations) and place is not None:
        found = translations.get(int(place), text, is_html=html)
        if found is not None:
            return found
    return text


@register.inclusion_tag("translation/_summary.html")
def translation_summary(translations: object) -> dict[str, Any]:
    """One line for a page that shows translations without a note on each (a printed page):
    what teachers wrote is machine-translated, from which language."""
    if not isinstance(translations, Translations) or not translations.translated_from:
        return {"languages": ""}
    return {"languages": ", ".join(languages.name(tag) for tag in translations.translated_from)}


@register.simple_tag
def language_name(tag: str) -> str:
    return languages.name(tag)


@register.inclusion_tag("translation/_note.html")
def translation_note(value: object, *, compact: bool = False) -> dict[str, Any]:
    """The note after a text; ``compact``: the mark alone, inline (a printed page, where
    nothing opens)."""
    shown = _shown(value)
    if shown is None or shown.reason == Reason.SAME_LANGUAGE:
        return {"show": False}
    return {
        "show": True,
        "compact": compact,
        "shown": shown,
        "from_language": languages.name(shown.original_language),
        "original_lang": shown.original_language,
        "pending": shown.reason == Reason.PENDING,
    }
