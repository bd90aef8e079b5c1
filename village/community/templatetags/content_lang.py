"""The language of teacher-written text (WCAG 3.1.2, language of parts).

Village's own words follow the reader's language; what teachers write (titles, class names,
comments, instructions, rubrics, events) is in the school's language. Where the two differ,
teacher-written text carries a ``lang`` attribute, so that screen readers read it with the right
pronunciation rules. Schools do not record their content language yet: it is the site's
``LANGUAGE_CODE``.

- ``{% content_lang %}`` inside an element's start tag, for an element that holds only
  teacher-written text: ``<h1{% content_lang %}>{{ work.title }}</h1>``;
- ``{{ value|in_content_lang }}`` for teacher-written text inside Village's own words: the value
  in a ``<span lang="…">``.

Both leave the markup as it was when the reader reads the content language.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

register = template.Library()


def content_language() -> str:
    """The language teachers write in (a BCP 47 tag such as "en")."""
    return str(settings.LANGUAGE_CODE)


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def reader_differs() -> bool:
    """Does the active (reader's) language differ from the content language?"""
    reader = translation.get_language() or settings.LANGUAGE_CODE
    return _primary(reader) != _primary(content_language())


@register.simple_tag
def content_lang() -> SafeString:
    """`` lang="en"`` (with its leading space) when the reader reads another language."""
    if not reader_differs():
        return SafeString("")
    return format_html(' lang="{}"', content_language())


@register.filter(needs_autoescape=True)
def in_content_lang(value: object, autoescape: bool = True) -> SafeString:
    """``value``, escaped, in a ``<span lang="…">`` when the reader reads another language."""
    text = conditional_escape(str(value)) if autoescape else SafeString(str(value))
    if value is None or value == "" or not reader_differs():
        return SafeString(text)
    return format_html('<span lang="{}">{}</span>', content_language(), text)
