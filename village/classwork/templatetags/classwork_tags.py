"""Filters for classwork's pages."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from village.classwork.richtext import linkify

register = template.Library()


@register.filter
def linkify_text(text: str | None) -> SafeString:
    """Plain text (a comment, a hand-in) escaped, with its line breaks and web addresses as
    links (``rel="noopener nofollow ugc"``)."""
    return linkify(str(text or ""))
