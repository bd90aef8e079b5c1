"""Writing announcements: one now or for later, withdrawing one not sent yet, and opening one
(its read receipt).

Every refusal is a ``ValidationError`` naming the field, and changes nothing. An announcement
whose time has come is sent in the same transaction that writes it
(``services.sending.announcement_send``); a later one by the worker's sweep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.announcements import audience
from village.announcements.models import Announcement, Attachment, AudienceScope, Recipient
from village.announcements.policies import NotAllowedError, Target, check_audience
from village.announcements.services import sending
from village.classwork.services.submissions import CheckedFile, check_upload
from village.core.text import single_line
from village.notifications.services import centre

MAX_TITLE = 200
MAX_BODY = 10_000
MAX_ATTACHMENTS = 5
#: How far ahead an announcement may be scheduled.
LONGEST_WAIT = dt.timedelta(days=366)
#: A time this little in the past still means "now" (the form was filled in a minute ago).
GRACE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Draft:
    """What the announcer wrote and chose, before the checks."""

    title: str
    body: str
    to_families: bool = True
    to_students: bool = False
    to_staff: bool = False
    replies_allowed: bool = True
    urgent: bool = False
    pinned_until: dt.date | None = None
    #: ``None``: at once.
    send_at: dt.datetime | None = None


def _checked_title(title: str) -> str:
    title = " ".join(title.split())
    single_line(title, field="title")
    if not title:
        raise ValidationError({"title": _("Give the announcement a title.")})
    if len(title) > MAX_TITLE:
        raise ValidationError(
            {"title": _("A title is at most %(count)s characters.") % {"count": MAX_TITLE}}
        )
    return title


def _checked_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the announcement.")})
    if "\x00" in body:
        raise ValidationError(
            {"body": _("The announcement holds a character that cannot be kept.")}
        )
    if len(body) > MAX_BODY:
        raise ValidationError(
            {"body": _("An announcement is at most %(count)s characters.") % {"count": MAX_BODY}}
        )
    return body


def _checked_time(send_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if send_at is None:
        return now
    if timezone.is_naive(send_at):
        raise ValidationError({"send_at": _("Give the time with its time zone.")})
    if send_at < now - GRACE:
        raise ValidationError(
            {"send_at": _("Choose a time from now on, or leave it empty to send it now.")}
        )
    if send_at > now + LONGEST_WAIT:
        raise ValidationError({"send_at": _("Choose a time within the coming year.")})
    return max(send_at, now)


def _checked_pin(pinned_until: dt.date | None, send_at: dt.datetime) -> dt.date | None:
    if pinned_until is not None and pinned_until < timezone.localdate(send_at):
        raise ValidationError({"pinned_until": _("Choose a day on or after the day it is sent.")})
    return pinned_until


def check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    """Attachments checked as hand-ins are (``attachments`` names the field)."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("Attach at most %(count)s files.") % {"count": MAX_ATTACHMENTS}}
        )
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            raise ValidationError(
                {"attachments": error.message_dict.get("file", error.messages)}
            ) from error
    return checked


def announcement_create(
    *,
    author: User,
    target: Target,
    draft: Draft,
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Announcement:
    """Write an announcement to ``target`` (loaded through
    ``policies.target_for_announcer``), and send it if its time has come."""
    now = now or timezone.now()
    title = _checked_title(draft.title)
    body = _checked_body(draft.body)
    try:
        check_audience(
            target,
            to_families=draft.to_families,
            to_students=draft.to_students,
            to_staff=draft.to_staff,
            urgent=draft.urgent,
        )
    except NotAllowedError as error:
        raise ValidationError({error.field: str(error.message)}) from error
    if target.scope == AudienceScope.GRADE and not target.grade.strip():
        raise ValidationError({"grade": _("Choose the grade.")})
    send_at = _checked_time(draft.send_at, now)
    pinned_until = _checked_pin(draft.pinned_until, send_at)
    checked = check_files(files)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            organisation_id=target.organisation_id,
            scope=target.scope,
            school_class_id=target.class_id,
            grade=target.grade.strip() if target.scope == AudienceScope.GRADE else "",
            author=author,
            title=title,
            body=body,
            language=author.preferred_language or settings.LANGUAGE_CODE,
            to_families=draft.to_families,
            to_students=draft.to_students,
            to_staff=draft.to_staff,
            replies_allowed=draft.replies_allowed,
            urgent=draft.urgent,
            pinned_until=pinned_until,
            send_at=send_at,
            created_at=now,
        )
        _attach(announcement, checked)
        if send_at <= now:
            sending.announcement_send(announcement_id=announcement.pk, now=now)
            announcement.refresh_from_db(fields=["sent_at"])
        else:
            # Translated by the worker before it goes, so its emails can carry them.
            languages = audience.languages(announcement, timezone.localdate(send_at))
            sending.ask_translations(announcement, languages)
    return announcement


def _attach(announcement: Announcement, checked: list[CheckedFile]) -> None:
    for item in checked:
        attachment = Attachment(
            announcement=announcement,
            name=item.original_name,
            content_type=item.content_type,
            size=item.size,
        )
        attachment.file.save(item.original_name, item.upload, save=False)
        attachment.save()


def announcement_cancel(*, announcement: Announcement, now: dt.datetime | None = None) -> None:
    """Withdraw a scheduled announcement before it goes (loaded through
    ``policies.announcement_for_manager``)."""
    now = now or timezone.now()
    withdrawn = Announcement.objects.filter(
        pk=announcement.pk, sent_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    if not withdrawn:
        raise ValidationError(
            {"announcement": _("It was sent already, or withdrawn: it cannot be withdrawn now.")}
        )
    announcement.cancelled_at = now


def announcement_open(*, receipt: Recipient, now: dt.datetime | None = None) -> None:
    """The recipient opened the announcement: its read receipt (the first opening counts), and
    its notification is read too."""
    if receipt.read_at is not None:
        return
    now = now or timezone.now()
    Recipient.objects.filter(pk=receipt.pk, read_at__isnull=True).update(read_at=now)
    receipt.read_at = now
    centre.mark_read_about(
        receipt.user_id, sending.notification_subject(receipt.announcement_id), now=now
    )
