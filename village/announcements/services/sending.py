"""Sending an announcement: at once, or at its time by the worker's sweep.

Sending is one transaction that first claims the announcement (``sent_at``, set only where it
is still unset: a second run, or a second worker, finds it taken and writes nothing), then
writes its recipients from SQL (``village.announcements.audience``: one ``INSERT ... SELECT``
per kind of recipient), asks for its translations into their languages, and tells them through
``village.notifications.services.broadcast``: their notifications, emails and texts, composed
once per language they read, written in bulk. Nothing is loaded, saved or rendered per
recipient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.announcements import audience
from village.announcements.models import Announcement, AudienceScope, Recipient, RecipientRole
from village.announcements.texts import body_text, texts_of, title_text
from village.notifications import registry
from village.notifications.services.announce import (
    CLASS_ANNOUNCEMENT,
    SCHOOL_ANNOUNCEMENT,
    URGENT_ANNOUNCEMENT,
)
from village.notifications.services.broadcast import AudienceRow, Broadcast, Sent, Words, broadcast
from village.notifications.text import teacher
from village.translation import languages
from village.translation import services as translation_services
from village.translation.selectors import lookup_targets
from village.translation.texts import Reason, Shown

SWEEP = "announcements.scheduled"
#: Announcements sent by one pass of the sweep at most (the next pass sends the rest).
SWEEP_BATCH = 20
#: Words of the body a notification carries (the page and the email have all of it).
NOTIFICATION_WORDS = 40
EMAIL_TEMPLATE = "announcements/email/announcement"


def register() -> None:
    registry.register_sweep(SWEEP, scheduled_sweep)


def kind_of(announcement: Announcement) -> str:
    """The notification kind an announcement is told with."""
    if announcement.urgent:
        return URGENT_ANNOUNCEMENT
    if announcement.scope == AudienceScope.CLASS:
        return CLASS_ANNOUNCEMENT
    return SCHOOL_ANNOUNCEMENT


def notification_key(announcement: Announcement) -> str:
    return f"announcement:{announcement.pk}"


def notification_subject(announcement_id: int) -> str:
    return f"announcements.announcement:{announcement_id}"


def scheduled_sweep(now: dt.datetime) -> int:
    """Send the announcements whose time has come (each in its own transaction; idempotent).
    Returns how many recipients were written."""
    due = Announcement.objects.filter(
        sent_at__isnull=True, cancelled_at__isnull=True, send_at__lte=now
    ).order_by("send_at", "pk")
    ids = list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
    return sum(announcement_send(announcement_id=pk, now=now) for pk in ids)


def announcement_send(*, announcement_id: int, now: dt.datetime) -> int:
    """Send the announcement if it is due, not sent and not withdrawn. Returns how many
    recipients it reached now (0 when it was sent already, by this run or another)."""
    with transaction.atomic():
        claimed = Announcement.objects.filter(
            pk=announcement_id, sent_at__isnull=True, cancelled_at__isnull=True, send_at__lte=now
        ).update(sent_at=now)
        if not claimed:
            return 0
        announcement = Announcement.objects.select_related(
            "author", "organisation", "school_class"
        ).get(pk=announcement_id)
        today = timezone.localdate(now)
        written = audience.write_recipients(announcement, now, today)
        if written:
            reading = _reader_languages(announcement)
            ask_translations(announcement, reading)
            tell(announcement, reading, today=today, now=now)
    return written


def _reader_languages(announcement: Announcement) -> list[str]:
    """The languages the recipients read (one query)."""
    found = (
        User.objects.filter(pk__in=_recipient_ids(announcement))
        .values_list("preferred_language", flat=True)
        .distinct()
        .order_by()
    )
    return sorted(set(found))


def _recipient_ids(announcement: Announcement) -> QuerySet[Any]:
    return Recipient.objects.filter(announcement=announcement).values("user_id")


def ask_translations(announcement: Announcement, targets: Collection[str]) -> None:
    """Ask for the title and body in each of ``targets`` (computed by the worker)."""
    translation_services.request(
        school_id=announcement.organisation_id, texts=texts_of(announcement), targets=targets
    )


def _audience_rows(announcement: Announcement, today: dt.date) -> list[AudienceRow]:
    """Every recipient, and each guardian once per child it concerns them through (their rules
    are per child): two queries."""
    written = Recipient.objects.filter(announcement=announcement).values_list(
        "user_id", "role", "school_id"
    )
    rows: list[AudienceRow] = []
    guardians: dict[int, int | None] = {}
    for user_id, role, school_id in written:
        if role == RecipientRole.GUARDIAN:
            guardians[user_id] = school_id
        else:
            rows.append((user_id, None, school_id, True))
    if guardians:
        for guardian_id, child_id, communications in audience.family_links(announcement, today):
            if guardian_id in guardians:
                rows.append((guardian_id, child_id, guardians[guardian_id], communications))
    return rows


def tell(
    announcement: Announcement, reading: list[str], *, today: dt.date, now: dt.datetime
) -> Sent:
    """The recipients' notifications, emails and texts, composed once per language."""
    title, body = title_text(announcement), body_text(announcement)
    shown = lookup_targets(
        school_id=announcement.organisation_id, texts=[title, body], targets=reading
    )
    sender = announcement.author.display_name
    link = reverse("announcements:detail", args=[announcement.pk])
    files = announcement.attachments.count()

    def compose(reads: str) -> Words:
        found = shown.get(reads) or {}
        title_shown = found.get(title) or Shown.as_written(title, Reason.NOT_REQUESTED)
        body_shown = found.get(body) or Shown.as_written(body, Reason.NOT_REQUESTED)
        heading = _("%(name)s: %(title)s") % {"name": sender, "title": teacher(announcement.title)}
        return Words(
            title=(_("Urgent: %(title)s") % {"title": heading}) if announcement.urgent else heading,
            body=teacher(Truncator(announcement.body).words(NOTIFICATION_WORDS)),
            context={
                "announcement": announcement,
                "sender": sender,
                "shown_title": title_shown,
                "shown_body": body_shown,
                "from_language": languages.name(announcement.language),
                "files": files,
            },
        )

    message = Broadcast(
        kind=kind_of(announcement),
        key=notification_key(announcement),
        compose=compose,
        email_template=EMAIL_TEMPLATE,
        link=link,
        subject=notification_subject(announcement.pk),
    )
    return broadcast(
        message,
        audience=_audience_rows(announcement, today),
        users=_recipient_ids(announcement),
        now=now,
    )


def not_reached_days() -> int:
    return int(settings.VILLAGE_ANNOUNCEMENT_NOT_REACHED_DAYS)
