"""Texting the recipients an announcement did not reach: the sender's fallback.

Each recipient on the "not reached" list (``selectors.reach``) with a phone number gets one
text, in the language Village speaks to them, naming the school, the title and where to read
it: the mobile number they gave for texts (notification settings), or else the phone number
the school has for them. Queued in the notifications outbox (one row each, keyed so that
pressing the button again texts nobody twice) and sent by the worker through the SMS gateway;
nothing when texts are not set up (``VILLAGE_SMS_URL``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from village.accounts.models import ui_language
from village.announcements.models import Announcement
from village.announcements.selectors.reach import NotReached, not_reached
from village.announcements.services.sending import kind_of
from village.notifications.services.deliveries import OutgoingText, texts_queue
from village.notifications.services.notify import site_link

TEXT_LIMIT = 320


def texts_on() -> bool:
    return bool(settings.VILLAGE_SMS_URL)


def _text(announcement: Announcement, person: NotReached, link: str) -> str:
    with translation.override(ui_language(person.language)):
        words = _("%(sender)s (%(school)s): %(title)s. Read it in Village: %(link)s") % {
            "sender": announcement.author.display_name,
            "school": announcement.organisation.name,
            "title": announcement.title,
            "link": link,
        }
    return words[:TEXT_LIMIT]


def not_reached_text(*, announcement: Announcement, now: dt.datetime | None = None) -> int:
    """Text everyone on the announcement's "not reached" list who has a phone number (loaded
    through ``policies.announcement_for_manager``). Returns how many texts were queued now."""
    if not texts_on():
        raise ValidationError(
            {"sms": _("Texts are not set up: the school has no SMS gateway (VILLAGE_SMS_URL).")}
        )
    now = now or timezone.now()
    link = site_link(reverse("announcements:detail", args=[announcement.pk]))
    kind = kind_of(announcement)
    texts = [
        OutgoingText(
            key=f"announcement:{announcement.pk}:fallback:{person.user_id}",
            recipient_id=person.user_id,
            address=person.phone,
            text=_text(announcement, person, link),
            kind=kind,
        )
        for person in not_reached(announcement, now=now, limit=None).people
        if person.phone
    ]
    return texts_queue(texts, now=now)
