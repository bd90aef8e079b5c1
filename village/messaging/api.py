"""Messaging in the JSON API, at ``/api/v1/messages``: the caller's conversations (with what is
unread), one conversation with its messages in the caller's language and who has read each,
starting one, replying, marking read, hiding and reporting a message.

The same policy as the pages (``village.messaging.policies``): a conversation the caller takes
no part in (and does not read for safeguarding as an admin of its school) answers 404; bad input
answers 422 naming the field, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.accounts.api_auth import api_auth
from village.core.api import LISTED, READ, SIGNED_IN, WRITE, Id, InputSchema, Ref
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.policies import require_page
from village.messaging import policies, selectors, services
from village.messaging.models import ConversationKind, Message, Participant, ParticipantRole
from village.translation.texts import Shown

router = Router(auth=api_auth, tags=["messages"])

PAGE_SIZE = selectors.INBOX_PAGE


# --- shapes ----------------------------------------------------------------------------------


class WordsOut(Schema):
    text: str = Field(description="In the caller's language where a translation is ready.")
    language: str = Field(description="The language ``text`` is in.")
    translated: bool = Field(description="Machine-translated from ``original``.")
    uncertain: list[str] = Field(description="Words the engine could not translate.")
    original: str
    original_language: str
    pending: bool = Field(description="A translation into the caller's language is on its way.")


def _words(shown: Shown) -> WordsOut:
    return WordsOut(
        text=shown.text,
        language=shown.language,
        translated=shown.translated,
        uncertain=list(shown.uncertain),
        original=shown.original,
        original_language=shown.original_language,
        pending=shown.reason == "pending",
    )


class ParticipantOut(Schema):
    id: int
    name: str
    role: ParticipantRole


class ConversationOut(Schema):
    id: int
    kind: ConversationKind
    subject: WordsOut
    student_id: int = Field(description="The student the conversation is about.")
    student_name: str
    people: list[str] = Field(description="The other people in it.")
    unread: int = Field(description="Messages by others the caller has not read.")
    last_message_at: dt.datetime
    last_message: WordsOut | None = Field(description="Null when the last one is hidden.")


class ConversationPageOut(Schema):
    count: int
    page: int
    pages: int
    items: list[ConversationOut]


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str


class MessageOut(Schema):
    id: int
    author_id: int
    author_name: str
    created_at: dt.datetime
    hidden: bool
    body: WordsOut | None = Field(description="Null for a hidden message.")
    attachments: list[AttachmentOut]
    read_by: list[int] = Field(description="Ids of the others who have read it.")


class ThreadOut(Schema):
    id: int
    kind: ConversationKind
    subject: WordsOut
    student_id: int
    participants: list[ParticipantOut]
    messages: list[MessageOut]
    safeguarding: bool = Field(
        description="True when the caller reads as an admin of the school, not as a participant."
    )


class StartIn(InputSchema):
    student_id: Ref
    kind: ConversationKind
    subject: str = Field(max_length=services.MAX_SUBJECT)
    body: str = Field(max_length=services.MAX_BODY)
    staff: list[Ref] = Field(default_factory=list, max_length=50)
    guardians: list[Ref] = Field(default_factory=list, max_length=50)
    with_student: bool = False


class ReplyIn(InputSchema):
    body: str = Field(max_length=services.MAX_BODY)


class ReasonIn(InputSchema):
    reason: str = Field("", max_length=500)


class ReportOut(Schema):
    id: int
    created_at: dt.datetime


class UnreadOut(Schema):
    conversations: int = Field(description="Conversations with something unread.")


def _invalid(error: ValidationError) -> Status[dict[str, Any]]:
    detail = [
        {"loc": ["body", "payload", key], "msg": message, "type": "value_error"}
        for key, messages in error.message_dict.items()
        for message in messages
    ]
    return Status(422, {"detail": detail})


# --- conversations ----------------------------------------------------------------------------


@router.get(
    "/conversations",
    response={200: ConversationPageOut, **LISTED},
    operation_id="messages_conversations",
    summary="The caller's conversations",
    description=(
        f"Newest first, {PAGE_SIZE} a page (``page``, from 1); with ``unread=true`` only those "
        "with something unread. Subjects and last messages in the caller's language where "
        "their translations are ready."
    ),
)
def conversation_list(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=100_000),
    unread: bool = Query(False),
) -> ConversationPageOut:
    user = api_caller(request)
    found = selectors.inbox(user, str(page), unread_only=unread)
    paginator: Paginator[Any] = found.paginator
    return ConversationPageOut(
        count=paginator.count,
        page=found.number,
        pages=paginator.num_pages,
        items=[
            ConversationOut(
                id=row.conversation.pk,
                kind=ConversationKind(row.conversation.kind),
                subject=_words(row.subject),
                student_id=row.conversation.student_id,
                student_name=row.conversation.student.display_name,
                people=row.people,
                unread=row.unread,
                last_message_at=row.conversation.last_message_at,
                last_message=_words(row.last) if row.last is not None else None,
            )
            for row in found.object_list
        ],
    )


@router.get(
    "/unread",
    response={200: UnreadOut, **SIGNED_IN},
    operation_id="messages_unread",
    summary="How many conversations have something unread",
    description="Conversations the caller takes part in with messages by others not read yet.",
)
def unread_count(request: HttpRequest) -> UnreadOut:
    return UnreadOut(conversations=selectors.unread_total(api_caller(request)))


def _thread_out(request: HttpRequest, access: policies.Access) -> ThreadOut:
    user = api_caller(request)
    shown = selectors.thread(
        access,
        now=timezone.now(),
        hide_window=services.HIDE_WINDOW,
        reader_language=user.preferred_language,
    )
    conversation = access.conversation
    return ThreadOut(
        id=conversation.pk,
        kind=ConversationKind(conversation.kind),
        subject=_words(shown.subject),
        student_id=conversation.student_id,
        safeguarding=access.safeguarding,
        participants=[
            ParticipantOut(
                id=place.user_id,
                name=place.user.display_name,
                role=ParticipantRole(place.role),
            )
            for place in shown.participants
            if place.removed_at is None
        ],
        messages=[_message_out(entry, conversation.pk) for entry in shown.entries],
    )


def _message_out(entry: selectors.Entry, conversation_id: int) -> MessageOut:
    message: Message = entry.message
    hidden = message.hidden_at is not None
    readers: list[Participant] = entry.readers
    return MessageOut(
        id=message.pk,
        author_id=message.author_id,
        author_name=message.author.display_name,
        created_at=message.created_at,
        hidden=hidden,
        body=None if hidden else _words(entry.body),
        attachments=[]
        if hidden
        else [
            AttachmentOut(
                id=file.pk,
                name=file.name,
                size=file.size,
                content_type=file.content_type,
                url=f"/messages/{conversation_id}/files/{file.pk}/",
            )
            for file in entry.files
        ],
        read_by=[place.user_id for place in readers],
    )


def _audit(request: HttpRequest, access: policies.Access) -> None:
    user = api_caller(request)
    conversation = access.conversation
    if user.pk == conversation.student_id:
        return
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(
                student_id=conversation.student_id,
                organisation_id=conversation.school_id,
                object_type="conversation",
                object_id=str(conversation.pk),
            )
        ],
        request=request,
        channel="api",
    )


@router.get(
    "/conversations/{conversation_id}",
    response={200: ThreadOut, **READ},
    operation_id="messages_conversation",
    summary="One conversation with its messages",
    description=(
        "Reading it does not mark it read (``POST .../read`` does). Admins of the "
        "conversation's school may read it for safeguarding; each such read is audited."
    ),
)
def conversation_read(request: HttpRequest, conversation_id: Id) -> ThreadOut:
    access = policies.conversation_for_reader(api_caller(request), conversation_id)
    _audit(request, access)
    return _thread_out(request, access)


@router.post(
    "/conversations",
    response={201: ThreadOut, **WRITE},
    operation_id="messages_start",
    summary="Start a conversation about a student",
    description=(
        "Staff of the student may start any kind and include the student's staff, guardians "
        "(whose link allows messages) and, in a family conversation, the student; a guardian "
        "writes to the student's staff only; a student to their teachers only. 404 for a "
        "student the caller may not write about."
    ),
)
def conversation_start(request: HttpRequest, payload: StartIn) -> Status[Any]:
    user = api_caller(request)
    student, school_id = policies.student_for_messages(user, payload.student_id)
    try:
        started = services.start(
            starter=user,
            student=student,
            school_id=school_id,
            kind=payload.kind,
            subject=payload.subject,
            body=payload.body,
            invitees=policies.Invitees(
                staff=payload.staff,
                guardians=payload.guardians,
                with_student=payload.with_student,
            ),
        )
    except ValidationError as error:
        return _invalid(error)
    access = policies.conversation_for_participant(user, started.conversation.pk)
    return Status(201, _thread_out(request, access))


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut, **WRITE},
    operation_id="messages_reply",
    summary="Write in a conversation",
    description="Its participants only (an admin reading for safeguarding gets 404).",
)
def conversation_reply(request: HttpRequest, conversation_id: Id, payload: ReplyIn) -> Status[Any]:
    user = api_caller(request)
    access = policies.conversation_for_participant(user, conversation_id)
    try:
        message = services.reply(access, user, payload.body)
    except ValidationError as error:
        return _invalid(error)
    shown = selectors.thread(
        access,
        now=timezone.now(),
        hide_window=services.HIDE_WINDOW,
        reader_language=user.preferred_language,
    )
    entry = next(entry for entry in shown.entries if entry.message.pk == message.pk)
    return Status(201, _message_out(entry, conversation_id))


@router.post(
    "/conversations/{conversation_id}/read",
    response={200: UnreadOut, **READ},
    operation_id="messages_mark_read",
    summary="Mark a conversation read",
    description=(
        "Every message in it is read by the caller (its writers see so); answers how many "
        "conversations still have something unread. Participants only."
    ),
)
def conversation_mark_read(request: HttpRequest, conversation_id: Id) -> UnreadOut:
    user = api_caller(request)
    services.mark_read(policies.conversation_for_participant(user, conversation_id))
    return UnreadOut(conversations=selectors.unread_total(user))


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/hide",
    response={200: MessageOut, **WRITE},
    operation_id="messages_hide",
    summary="Hide a message (it is kept)",
    description=(
        "Its author within five minutes of writing it, or an admin of the school with a ``reason``."
    ),
)
def message_hide(
    request: HttpRequest, conversation_id: Id, message_id: Id, payload: ReasonIn
) -> Status[Any]:
    user = api_caller(request)
    access = policies.conversation_for_reader(user, conversation_id)
    message = policies.message_in(access, message_id)
    as_admin = message.author_id != user.pk and policies.may_moderate(user, access.conversation)
    require_page(access.place is not None or as_admin)
    try:
        services.hide(access, message, user, reason=payload.reason, as_admin=as_admin)
    except ValidationError as error:
        return _invalid(error)
    shown = selectors.thread(
        access,
        now=timezone.now(),
        hide_window=services.HIDE_WINDOW,
        reader_language=user.preferred_language,
    )
    entry = next(entry for entry in shown.entries if entry.message.pk == message.pk)
    return Status(200, _message_out(entry, conversation_id))


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/report",
    response={201: ReportOut, **WRITE},
    operation_id="messages_report",
    summary="Report a message to the school",
    description=(
        "The school's admins see the report; the writer is not told who reported it. Once per "
        "caller and message (a second report answers the first). Participants only."
    ),
)
def message_report(
    request: HttpRequest, conversation_id: Id, message_id: Id, payload: ReasonIn
) -> Status[Any]:
    user = api_caller(request)
    access = policies.conversation_for_participant(user, conversation_id)
    message = policies.message_in(access, message_id)
    try:
        found = services.report(message, user, payload.reason)
    except ValidationError as error:
        return _invalid(error)
    return Status(201, ReportOut(id=found.pk, created_at=found.created_at))
