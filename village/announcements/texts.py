"""What announcements say, as the translation engines take it (``village.translation``): the
title and the body, in the author's language. The school's class names and glossary are kept
by the engines' markup already."""

from __future__ import annotations

from village.announcements.models import Announcement
from village.translation.texts import Text


def title_text(announcement: Announcement) -> Text:
    return Text(announcement.title, announcement.language)


def body_text(announcement: Announcement) -> Text:
    return Text(announcement.body, announcement.language)


def texts_of(announcement: Announcement) -> list[Text]:
    return [title_text(announcement), body_text(announcement)]
