"""How the notification pages show time ("3 hours ago") and a notification's text, with the
language of its teacher-written parts marked."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from village.notifications.text import marked_html, plain

register = template.Library()


@register.filter
def ago(moment: dt.datetime | None) -> str:
    """How long ago ``moment`` was, in the largest unit ("3 hours ago"; "just now")."""
    if moment is None:
        return ""
    now = timezone.now()
    if now - moment < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(moment, now, depth=1)}


@register.filter
def plain_text(text: str) -> str:
    """A notification's text without the marks around teacher-written parts."""
    return plain(text or "")


@register.filter
def with_lang(text: str, reader: str) -> SafeString:
    """A notification's text as HTML, teacher-written parts marked with their language."""
    return marked_html(text or "", reader)


@register.filter
def with_lang_paragraphs(text: str, reader: str) -> SafeString:
    """As ``with_lang``, its lines kept as paragraphs and line breaks."""
    return marked_html(text or "", reader, paragraphs=True)
