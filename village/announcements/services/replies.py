"""Replying to an announcement: privately, to its sender only.

A family's or a student's reply starts a conversation between them and the sender
(``village.messaging``: a family conversation about the child it came through, or a student's
own), or continues the one their earlier reply started; nobody else who received the
announcement ever sees it (ParentSquare's "private message", never reply-all). Messaging's
policy and checks apply: what it refuses is refused here, naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.announcements.models import RecipientRole, Reply
from village.announcements.policies import Reading, ReplyAbout
from village.messaging import services as messaging
from village.messaging.models import ConversationKind, Message
from village.messaging.policies import Access, Invitees, my_places
from village.translation import languages
from village.translation.texts import Shown


def _subject(title: Shown, writer: User) -> str:
    """The conversation's subject, in the writer's language (a conversation's subject is in its
    starter's): the title as they read it, else words of Village's own."""
    if languages.same(title.language, writer.preferred_language):
        return (_("Re: %(title)s") % {"title": title.text})[: messaging.MAX_SUBJECT]
    return _("Reply to an announcement")


def announcement_reply(
    *,
    reading: Reading,
    writer: User,
    about: ReplyAbout,
    title: Shown,
    body: str,
    files: Sequence[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Message:
    """Write to the sender of the announcement ``reading`` holds, about ``about`` (from
    ``policies.reply_about``); ``title`` is the title as the writer reads it."""
    announcement = reading.announcement
    receipt = reading.receipt
    if receipt is None or not announcement.replies_allowed:
        raise ValidationError({"body": _("Replies to this announcement are closed.")})
    now = now or timezone.now()
    earlier = Reply.objects.filter(announcement=announcement, user=writer).first()
    if earlier is not None:
        place = my_places(writer).filter(conversation_id=earlier.conversation_id).first()
        if place is not None:
            access = Access(earlier.conversation, place)
            return messaging.reply(access, writer, body, files, now=now)
    kind = ConversationKind.FAMILY
    if receipt.role == RecipientRole.STUDENT:
        kind = ConversationKind.STUDENT
    started = messaging.start(
        starter=writer,
        student=about.student,
        school_id=about.school_id,
        kind=kind,
        subject=_subject(title, writer),
        body=body,
        invitees=Invitees(staff=[announcement.author_id]),
        files=files,
        school_class_id=announcement.school_class_id,
        now=now,
    )
    Reply.objects.update_or_create(
        announcement=announcement,
        user=writer,
        defaults={"conversation": started.conversation, "created_at": now},
    )
    return started.message
