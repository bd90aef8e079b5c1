"""Teacher-written words inside a notification's text (WCAG 3.1.2, language of parts).

A notification is stored as plain text in its recipient's language, but what teachers wrote
(a work's title, a class's name, a comment) is in the school's language. Those parts are
wrapped in Unicode's isolate marks (U+2068 FIRST STRONG ISOLATE … U+2069 POP DIRECTIONAL
ISOLATE, which also keep right-to-left text from spilling over its neighbours), so that:

- pages and HTML email show each part in a ``<span lang="…">`` where the reader's language
  differs from the school's (:func:`marked_html`);
- subjects and plain-text email carry the words without the marks (:func:`plain`).
"""

from __future__ import annotations

import re

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from village.community.templatetags.content_lang import content_language

START, END = "\u2068", "\u2069"
_PART = re.compile(f"{START}(.*?){END}", re.S)


def teacher(text: str) -> str:
    """``text`` marked as written by a teacher (in the school's language)."""
    return f"{START}{text}{END}" if text else text


def plain(text: str) -> str:
    """The text without the marks."""
    return text.replace(START, "").replace(END, "")


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def marked_html(text: str, reader: str, *, paragraphs: bool = False) -> SafeString:
    """``text`` escaped for HTML, each teacher-written part in a ``<span lang>`` when the
    ``reader``'s language is not the school's (with ``paragraphs``: line breaks as ``<br>``)."""
    school = content_language()
    differs = _primary(reader) != _primary(school)
    pieces: list[str] = []
    last = 0
    for found in _PART.finditer(text):
        pieces.append(conditional_escape(text[last : found.start()]))
        part = conditional_escape(found.group(1))
        pieces.append(f'<span lang="{school}">{part}</span>' if differs else part)
        last = found.end()
    pieces.append(conditional_escape(plain(text[last:])))
    html = "".join(str(piece) for piece in pieces)
    if paragraphs:
        html = normalize_newlines(html).replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - escaped above
