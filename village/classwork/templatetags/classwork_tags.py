"""Filters for classwork's pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from village.classwork import class_pages as registered_pages
from village.classwork.class_pages import ClassPage
from village.classwork.richtext import linkify

register = template.Library()


@register.filter
def linkify_text(text: str | None) -> SafeString:
    """Plain text (a comment, a hand-in) escaped, with its line breaks and web addresses as
    links (``rel="noopener nofollow ugc"``)."""
    return linkify(str(text or ""))


@register.simple_tag
def class_pages() -> list[ClassPage]:
    """The class's pages other apps add to its navigation (``village.classwork.class_pages``)."""
    return registered_pages.class_pages()
