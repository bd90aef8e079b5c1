"""Reading conversations for pages and the API: a fixed number of queries however many
conversations, messages and people there are."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from village.accounts.models import User
from village.messaging.hours import next_working_moment
from village.messaging.models import (
    Attachment,
    Conversation,
    Message,
    OfficeHours,
    Participant,
    ParticipantRole,
)
from village.messaging.policies import Access, my_places
from village.messaging.texts import body_text, message_text, subject_text
from village.translation.selectors import lookup, lookup_schools
from village.translation.texts import Shown, Text

INBOX_PAGE = 25


#: Before any message: a participant who never opened the conversation has read nothing.
_NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def by_others_unread(user_id: int | OuterRef) -> QuerySet[Message]:
    """On ``Participant`` rows: the visible messages of their conversation that others wrote
    after the participant last read it."""
    return (
        Message.objects.filter(
            conversation_id=OuterRef("conversation_id"),
            hidden_at__isnull=True,
            created_at__gt=Coalesce(OuterRef("last_read_at"), Value(_NEVER)),
        )
        .exclude(author_id=user_id)  # type: ignore[misc]  # an id, or the outer row's
        .order_by()
    )


@dataclass
class InboxRow:
    conversation: Conversation
    subject: Shown
    unread: int
    #: The last message's words (in the reader's language when translated), if not hidden.
    last: Shown | None
    last_author: str
    people: list[str] = field(default_factory=list)


def inbox(user: User, page_number: str | None, *, unread_only: bool = False) -> Page:
    """One page of the user's conversations as :class:`InboxRow`, in the user's language where
    translations are ready (five queries, and one to count them)."""
    newest = Message.objects.filter(conversation_id=OuterRef("conversation_id")).order_by(
        "-created_at", "-id"
    )
    unread = (
        by_others_unread(user.pk)
        .values("conversation_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    places = (
        my_places(user)
        .select_related("conversation__student")
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
            last_body=Subquery(newest.values("body")[:1]),
            last_language=Subquery(newest.values("language")[:1]),
            last_hidden=Subquery(newest.values("hidden_at")[:1]),
            last_author=Subquery(newest.values("author_id")[:1]),
        )
        .order_by("-conversation__last_message_at", "-conversation_id")
    )
    if unread_only:
        places = places.filter(unread__gt=0)
    page = Paginator(places, INBOX_PAGE).get_page(page_number)
    rows = list(page.object_list)
    people, names = _people([row.conversation_id for row in rows], exclude=user.pk)
    wanted: dict[int, list[Text]] = defaultdict(list)
    texts: dict[int, tuple[Text, Text | None]] = {}
    for row in rows:
        conversation = row.conversation
        subject = subject_text(conversation)
        last = None
        if row.last_body and not row.last_hidden:
            last = body_text(conversation, row.last_body, row.last_language or "")
        texts[row.pk] = (subject, last)
        wanted[conversation.school_id] += [subject] + ([last] if last else [])
    found = lookup_schools(wanted, target=user.preferred_language)
    shown: list[Any] = []
    for row in rows:
        school = row.conversation.school_id
        subject, last = texts[row.pk]
        shown.append(
            InboxRow(
                conversation=row.conversation,
                subject=found[(school, subject)],
                unread=row.unread,
                last=found[(school, last)] if last is not None else None,
                last_author=names.get((row.conversation_id, row.last_author), ""),
                people=people.get(row.conversation_id, []),
            )
        )
    page.object_list = shown
    return page


def inbox_mark(user: User) -> tuple[object, ...]:
    """What changes whenever a row of the user's inbox would (one query): how many places they
    hold and which, the newest message, when they last read one, and the last hidden message.
    Names and the time since the last message are not in it; see ``inbox_list``."""
    found = my_places(user).aggregate(
        places=Count("id"),
        conversations=Sum("conversation_id"),
        newest=Max("conversation__last_message_at"),
        read=Max("last_read_at"),
        changed=Max("conversation__changed_at"),
    )
    return tuple(found[name] for name in ("places", "conversations", "newest", "read", "changed"))


def _people(
    conversation_ids: list[int], *, exclude: int
) -> tuple[dict[int, list[str]], dict[tuple[int, int], str]]:
    """The names of each conversation's other present participants, and the name of everyone
    who has had a place in each, by (conversation, user) for naming authors (one query)."""
    found: dict[int, list[str]] = defaultdict(list)
    names: dict[tuple[int, int], str] = {}
    rows = (
        Participant.objects.filter(conversation_id__in=conversation_ids)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )
    for place in rows:
        name = place.user.display_name
        names[(place.conversation_id, place.user_id)] = name
        if place.removed_at is None and place.user_id != exclude:
            found[place.conversation_id].append(name)
    return found, names


def named(students: QuerySet[User], query: str) -> QuerySet[User]:
    """The students whose first, preferred or last name holds every word of ``query``."""
    for word in query.split():
        students = students.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return students


def unread_total(user: User) -> int:
    """Conversations with something unread for the user (one query)."""
    return my_places(user).filter(Exists(by_others_unread(user.pk))).count()


@dataclass(frozen=True)
class Entry:
    """One message as the conversation page shows it."""

    message: Message
    #: Its words in the reader's language where a translation is ready, else as written.
    body: Shown
    files: list[Attachment]
    #: The participants (other than its author) who have read it.
    readers: list[Participant]
    #: Its author may still hide it.
    hideable: bool


@dataclass(frozen=True)
class Expected:
    """A staff member outside office hours, and when they are next at work."""

    user: User
    moment: dt.datetime


@dataclass
class Thread:
    """A conversation as its page shows it."""

    access: Access
    subject: Shown
    entries: list[Entry]
    participants: list[Participant]
    #: Staff in the conversation who are outside their office hours now.
    expected: list[Expected]


def thread(
    access: Access, *, now: dt.datetime, hide_window: dt.timedelta, reader_language: str
) -> Thread:
    """Everything the conversation page shows, its words in ``reader_language`` where their
    translations are ready (six queries)."""
    conversation = access.conversation
    messages = list(
        Message.objects.filter(conversation=conversation)
        .select_related("author", "hidden_by")
        .order_by("created_at", "id")
    )
    participants = list(
        Participant.objects.filter(conversation=conversation)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )
    files: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(message__conversation=conversation).order_by("pk"):
        files[attachment.message_id].append(attachment)
    present = [place for place in participants if place.removed_at is None]
    staff = [place.user for place in present if place.role == ParticipantRole.STAFF]
    hours: dict[int, list[OfficeHours]] = defaultdict(list)
    for stretch in OfficeHours.objects.filter(user_id__in=[user.pk for user in staff]):
        hours[stretch.user_id].append(stretch)
    expected = []
    for user in staff:
        moment = next_working_moment(now, user, hours.get(user.pk, []))
        if moment is not None:
            expected.append(Expected(user, moment))
    subject = subject_text(conversation)
    texts = {message.pk: message_text(conversation, message) for message in messages}
    shown = lookup(
        school_id=conversation.school_id,
        texts=[subject, *texts.values()],
        target=reader_language,
    )
    entries = [
        Entry(
            message=message,
            body=shown[texts[message.pk]],
            files=files.get(message.pk, []),
            readers=[
                place
                for place in present
                if place.user_id != message.author_id
                and place.last_read_at is not None
                and place.last_read_at >= message.created_at
            ],
            hideable=message.hidden_at is None and now - message.created_at <= hide_window,
        )
        for message in messages
    ]
    return Thread(access, shown[subject], entries, participants, expected)
