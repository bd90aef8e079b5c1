"""Starting conversations, writing, reading, hiding and reporting messages, office hours.

Each write is one transaction that also writes what it causes: the notifications of the other
participants (``village.notifications``: in-app at once, email as each recipient chose, quiet
hours honoured, and for staff not before their next office hours) and the translations to compute
(``village.translation``, in the background). Every refusal is a ``ValidationError`` naming the
field, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork.services.submissions import CheckedFile, check_upload
from village.messaging import kinds
from village.messaging.hours import next_working_moment
from village.messaging.models import (
    Attachment,
    Conversation,
    ConversationKind,
    Message,
    MessageReport,
    OfficeHours,
    Participant,
    ParticipantRole,
)
from village.messaging.policies import (
    Access,
    Invitees,
    NotAllowedError,
    candidates,
    check_invitees,
    starter_role,
)
from village.messaging.texts import message_text, subject_text
from village.notifications.services.notify import Pending, notify
from village.notifications.text import teacher
from village.translation import services as translation_services

#: Longest message, in characters.
MAX_BODY = 5000
MAX_SUBJECT = 200
MAX_ATTACHMENTS = 5
#: The author may hide their own message this long after writing it.
HIDE_WINDOW = dt.timedelta(minutes=5)


def _rate_limit() -> int:
    return int(settings.VILLAGE_MESSAGES_PER_HOUR)


def _check_text(body: str, field: str = "body") -> str:
    body = body.strip()
    if not body:
        raise ValidationError({field: _("Write a message.")})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {field: _("A message is at most %(count)s characters.") % {"count": MAX_BODY}}
        )
    return body


def _check_rate(author: User, now: dt.datetime) -> None:
    recent = Message.objects.filter(
        author=author, created_at__gt=now - dt.timedelta(hours=1)
    ).count()
    if recent >= _rate_limit():
        raise ValidationError(
            {
                "body": _(
                    "You have sent many messages in the last hour. Wait a little, then try again."
                )
            }
        )


@dataclass(frozen=True)
class Started:
    conversation: Conversation
    message: Message


def start(
    *,
    starter: User,
    student: User,
    school_id: int,
    kind: ConversationKind,
    subject: str,
    body: str,
    invitees: Invitees,
    files: Sequence[UploadedFile] = (),
    school_class_id: int | None = None,
    assignment_id: int | None = None,
    now: dt.datetime | None = None,
) -> Started:
    """Start a conversation about ``student`` with its first message. The caller loaded the
    student through ``policies.student_for_messages``."""
    now = now or timezone.now()
    role = starter_role(starter, student, school_id)
    if role is None:
        raise ValidationError({"student": _("You cannot write to anyone about this student.")})
    subject = " ".join(subject.split())
    if not subject:
        raise ValidationError({"subject": _("Give the conversation a subject.")})
    if len(subject) > MAX_SUBJECT:
        raise ValidationError(
            {"subject": _("A subject is at most %(count)s characters.") % {"count": MAX_SUBJECT}}
        )
    body = _check_text(body)
    found = candidates(kind, student, school_id)
    try:
        check_invitees(role, kind, starter, found, invitees)
    except NotAllowedError as error:
        raise ValidationError({error.field: str(error.message)}) from error
    checked = _check_files(files)
    _check_rate(starter, now)
    people: list[tuple[int, ParticipantRole]] = [(starter.pk, role)]
    people += [(pk, ParticipantRole.STAFF) for pk in invitees.staff]
    people += [(pk, ParticipantRole.GUARDIAN) for pk in invitees.guardians]
    if invitees.with_student or (
        kind == ConversationKind.STUDENT and role != ParticipantRole.STUDENT
    ):
        people.append((student.pk, ParticipantRole.STUDENT))
    with transaction.atomic():
        conversation = Conversation.objects.create(
            school_id=school_id,
            kind=kind,
            subject=subject,
            language=starter.preferred_language or settings.LANGUAGE_CODE,
            student=student,
            school_class_id=school_class_id,
            assignment_id=assignment_id,
            started_by=starter,
            created_at=now,
            last_message_at=now,
        )
        Participant.objects.bulk_create(
            [
                Participant(
                    conversation=conversation,
                    user_id=pk,
                    role=place,
                    added_by=starter,
                    added_at=now,
                    last_read_at=now if pk == starter.pk else None,
                )
                for pk, place in dict(people).items()
            ]
        )
        message = _write(conversation, starter, body, checked, now, first=True)
    return Started(conversation, message)


def reply(
    access: Access,
    author: User,
    body: str,
    files: Sequence[UploadedFile] = (),
    *,
    now: dt.datetime | None = None,
) -> Message:
    """Write in a conversation the author takes part in (loaded through
    ``policies.conversation_for_participant``)."""
    if access.place is None:
        raise ValidationError({"body": _("You are reading this conversation; you are not in it.")})
    now = now or timezone.now()
    body = _check_text(body)
    checked = _check_files(files)
    _check_rate(author, now)
    with transaction.atomic():
        message = _write(access.conversation, author, body, checked, now)
        Participant.objects.filter(pk=access.place.pk).update(last_read_at=now)
    return message


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
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


def _write(
    conversation: Conversation,
    author: User,
    body: str,
    checked: list[CheckedFile],
    now: dt.datetime,
    *,
    first: bool = False,
) -> Message:
    message = Message.objects.create(
        conversation=conversation,
        author=author,
        body=body,
        language=author.preferred_language or settings.LANGUAGE_CODE,
        created_at=now,
    )
    for item in checked:
        attachment = Attachment(
            message=message,
            name=item.original_name,
            content_type=item.content_type,
            size=item.size,
        )
        attachment.file.save(item.original_name, item.upload, save=False)
        attachment.save()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    others = _others(conversation, author)
    _ask_translations(conversation, message, others, with_subject=first)
    _notify_others(conversation, message, others, now)
    return message


def _others(conversation: Conversation, author: User) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation=conversation, removed_at__isnull=True)
        .exclude(user_id=author.pk)
        .select_related("user")
    )


def _ask_translations(
    conversation: Conversation, message: Message, others: list[Participant], *, with_subject: bool
) -> None:
    """Translations of the message (and, with the first one, the subject) into each other
    participant's language, computed in the background (``village.translation``)."""
    targets = {place.user.preferred_language for place in others}
    texts = [message_text(conversation, message)]
    if with_subject:
        texts.append(subject_text(conversation))
    translation_services.request(school_id=conversation.school_id, texts=texts, targets=targets)


def _notify_others(
    conversation: Conversation, message: Message, others: list[Participant], now: dt.datetime
) -> None:
    if not others:
        return
    hours = _office_hours([p.user_id for p in others if p.role == ParticipantRole.STAFF])
    author = message.author
    link = reverse("messaging:conversation", args=[conversation.pk]) + f"#message-{message.pk}"
    pending = []
    for place in others:
        not_before = None
        if place.role == ParticipantRole.STAFF:
            not_before = next_working_moment(now, place.user, hours.get(place.user_id, []))

        def compose(
            name: str = author.display_name, subject: str = conversation.subject
        ) -> tuple[str, str]:
            return (
                _("%(name)s wrote: %(subject)s") % {"name": name, "subject": teacher(subject)},
                "",
            )

        pending.append(
            Pending(
                recipient=place.user,
                kind=kinds.NEW_MESSAGE,
                key=f"message:{message.pk}",
                compose=compose,
                link=link,
                child_id=conversation.student_id
                if place.role == ParticipantRole.GUARDIAN
                else None,
                school_id=conversation.school_id,
                subject=f"messaging.message:{message.pk}",
                not_before=not_before,
            )
        )
    notify(pending, now=now)


def _office_hours(user_ids: list[int]) -> dict[int, list[OfficeHours]]:
    found: dict[int, list[OfficeHours]] = {}
    for row in OfficeHours.objects.filter(user_id__in=user_ids):
        found.setdefault(row.user_id, []).append(row)
    return found


def mark_read(access: Access, *, now: dt.datetime | None = None) -> None:
    """Everything in the conversation is read by this participant (an admin reading for
    safeguarding marks nothing)."""
    if access.place is None:
        return
    now = now or timezone.now()
    Participant.objects.filter(pk=access.place.pk).update(last_read_at=now)


def hide(
    access: Access,
    message: Message,
    user: User,
    *,
    reason: str = "",
    as_admin: bool = False,
    now: dt.datetime | None = None,
) -> None:
    """Hide a message from view, keeping it: its author within ``HIDE_WINDOW`` of writing it,
    or a school admin of the conversation's school, with a reason."""
    now = now or timezone.now()
    if message.hidden_at is not None:
        raise ValidationError({"message": _("This message is hidden already.")})
    reason = " ".join(reason.split())
    if as_admin:
        if not reason:
            raise ValidationError({"reason": _("Say why the message is hidden.")})
    else:
        if message.author_id != user.pk or access.place is None:
            raise ValidationError({"message": _("You can hide only your own messages.")})
        if now - message.created_at > HIDE_WINDOW:
            raise ValidationError(
                {"message": _("A message can be hidden only in the first 5 minutes.")}
            )
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, hidden_at__isnull=True).update(
            hidden_at=now, hidden_by=user, hidden_reason=reason[:300]
        )
        Conversation.objects.filter(pk=message.conversation_id).update(changed_at=now)


def report(
    message: Message, reporter: User, reason: str, *, now: dt.datetime | None = None
) -> MessageReport:
    """Report a message to the school (once per person and message)."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say what is wrong with this message.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("Say it in at most 500 characters.")})
    existing = MessageReport.objects.filter(message=message, reporter=reporter).first()
    if existing is not None:
        return existing
    return MessageReport.objects.create(
        message=message, reporter=reporter, reason=reason, created_at=now or timezone.now()
    )


def set_office_hours(user: User, stretches: Sequence[tuple[int, dt.time, dt.time]]) -> None:
    """Replace ``user``'s office hours with ``stretches`` (weekday, from, until)."""
    with transaction.atomic():
        OfficeHours.objects.filter(user=user).delete()
        OfficeHours.objects.bulk_create(
            [
                OfficeHours(user=user, weekday=day, starts=starts, ends=ends)
                for day, starts, ends in stretches
            ]
        )
