"""The language of what people wrote on a profile (WCAG 3.1.2, language of parts):
``<p{% written_lang entry.language %}>`` marks an entry written in another language than the
page's."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from village.translation import languages

register = template.Library()


@register.simple_tag
def written_lang(language: str) -> SafeString:
    """`` lang="…"`` (with its leading space) when ``language`` is not the page's; nothing
    when they are the same language."""
    page = translation.get_language() or settings.LANGUAGE_CODE
    if not language or languages.same(language, page):
        return SafeString("")
    return format_html(' lang="{}"', language)
