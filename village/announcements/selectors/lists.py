"""Reading announcements for pages and the API, a fixed number of queries however many there
are: a recipient's list (pinned first, unread marked, in their language), the home page's few,
one announcement as its reader sees it, and the sender's list with its figures."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from village.accounts.models import User
from village.announcements.models import Announcement, Attachment, Recipient, Reply
from village.announcements.policies import Reading, managed_announcements, my_receipts
from village.announcements.texts import body_text, title_text
from village.translation.selectors import lookup, lookup_schools
from village.translation.texts import Shown, Text

PAGE = 25
#: Announcements on the home page at most (pinned and unread).
ON_HOME = 3


@dataclass(frozen=True)
class Row:
    """An announcement in a recipient's list, in their language where translated."""

    announcement: Announcement
    title: Shown
    body: Shown
    unread: bool
    pinned: bool


def _pinned(today: dt.date) -> Case:
    return Case(
        When(announcement__pinned_until__gte=today, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def is_pinned(announcement: Announcement, today: dt.date) -> bool:
    return announcement.pinned_until is not None and announcement.pinned_until >= today


def receipts(user: User, *, today: dt.date) -> QuerySet[Recipient]:
    """The user's receipts, pinned first, then newest (annotated ``pinned``)."""
    return (
        my_receipts(user)
        .select_related(
            "announcement__author", "announcement__organisation", "announcement__school_class"
        )
        .annotate(pinned=_pinned(today))
        .order_by("-pinned", "-announcement__sent_at", "-announcement_id")
    )


def rows_of(found: list[Recipient], reader: User) -> list[Row]:
    """The receipts as rows, titles and bodies looked up in one query."""
    wanted: dict[int, list[Text]] = defaultdict(list)
    for receipt in found:
        announcement = receipt.announcement
        wanted[announcement.organisation_id] += [
            title_text(announcement),
            body_text(announcement),
        ]
    shown = lookup_schools(wanted, target=reader.preferred_language)
    rows = []
    for receipt in found:
        announcement = receipt.announcement
        place = announcement.organisation_id
        rows.append(
            Row(
                announcement=announcement,
                title=shown[(place, title_text(announcement))],
                body=shown[(place, body_text(announcement))],
                unread=receipt.read_at is None,
                pinned=bool(getattr(receipt, "pinned", False)),
            )
        )
    return rows


def received(user: User, page_number: str | int | None, *, today: dt.date) -> Page[Any]:
    """One page of the announcements sent to ``user``, pinned first, then newest (three
    queries: the count, the page, the translations)."""
    page = Paginator(receipts(user, today=today), PAGE).get_page(page_number)
    page.object_list = cast(Any, rows_of(list(page.object_list), user))
    return page


def unread_count(user: User) -> int:
    return my_receipts(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class HomeAnnouncements:
    rows: list[Row]
    unread: int


def on_home(user: User, *, today: dt.date) -> HomeAnnouncements | None:
    """The pinned and the unread announcements for the home page (``ON_HOME`` of them, three
    queries), or ``None`` when there are none."""
    current = receipts(user, today=today).filter(
        Q(read_at__isnull=True) | Q(announcement__pinned_until__gte=today)
    )
    shown = list(current[:ON_HOME])
    if not shown:
        return None
    return HomeAnnouncements(rows_of(shown, user), unread_count(user))


# --- one announcement ----------------------------------------------------------------------------


@dataclass
class Opened:
    """An announcement as its reader's page shows it."""

    reading: Reading
    title: Shown
    body: Shown
    files: list[Attachment] = field(default_factory=list)
    #: The conversation the reader's earlier reply started, if any.
    conversation_id: int | None = None


def opened(reading: Reading, reader: User) -> Opened:
    """The announcement in ``reader``'s language where translated, its files, and the reader's
    earlier reply (three queries)."""
    announcement = reading.announcement
    title, body = title_text(announcement), body_text(announcement)
    found = lookup(
        school_id=announcement.organisation_id,
        texts=[title, body],
        target=reader.preferred_language,
    )
    files = list(Attachment.objects.filter(announcement=announcement).order_by("pk"))
    earlier = (
        Reply.objects.filter(announcement=announcement, user=reader)
        .values_list("conversation_id", flat=True)
        .first()
    )
    return Opened(reading, found[title], found[body], files, earlier)


# --- the sender's list ---------------------------------------------------------------------------


def _count(condition: Q) -> Coalesce:
    counted = (
        Recipient.objects.filter(condition, announcement_id=OuterRef("pk"))
        .order_by()
        .values("announcement_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def sent_list(user: User, *, mine_only: bool = False) -> QuerySet[Announcement]:
    """The announcements whose reach ``user`` sees (their own, or also their schools'), with
    how many received and read each, newest first (one query a page)."""
    found = managed_announcements(user)
    if mine_only:
        found = found.filter(author_id=user.pk)
    return (
        found.select_related("author", "organisation", "school_class")
        .annotate(
            recipients_count=_count(Q()),
            read_count=_count(Q(read_at__isnull=False)),
        )
        .order_by("-send_at", "-pk")
    )


def sent(user: User, page_number: str | int | None, *, mine_only: bool = False) -> Page[Any]:
    """One page of :func:`sent_list` (two queries)."""
    return Paginator(sent_list(user, mine_only=mine_only), PAGE).get_page(page_number)
