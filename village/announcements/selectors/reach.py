"""Whom an announcement reached, for its sender: read receipts, and the "not reached" list.

Every figure is counted in SQL, a fixed number of queries however many recipients (a district's
announcement has tens of thousands): one for the counts by kind of recipient, one for their
emails' states, one for the newest readers, two for a page of the "not reached" list.

A recipient who has not opened it is **not reached** when, first that applies:

- they have no account in use and no email address (never signed in, no address);
- they have no email address (they see it only by signing in);
- their links do not receive school communications (it waits for them in Village only);
- its email could not be delivered;
- they have not opened it ``VILLAGE_ANNOUNCEMENT_NOT_REACHED_DAYS`` days after it was sent.

The others who have not opened it yet are waiting: their email went, and the days have not
passed. Each person on the list has their phone number where one is known (the mobile number
they gave for texts, else the one the school has), for a call, a printed list or a text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.utils.translation import gettext_lazy as _

from village.accounts.models import display_name
from village.announcements.models import Announcement, Recipient, RecipientRole
from village.announcements.services.sending import kind_of, not_reached_days, notification_key
from village.core.audit import Viewed
from village.notifications.models import Channel, Delivery, DeliveryState, UserSettings
from village.notifications.services.broadcast import notification_key_suffix

#: Readers listed on the page, newest first (the counts hold everyone).
READERS_SHOWN = 100
#: People of the "not reached" list on the page; the printed list holds up to ``PRINTED``.
NOT_REACHED_SHOWN = 100
PRINTED = 5000


class Why:
    """Why someone was not reached, in the list's order."""

    NO_ACCOUNT = "no_account"
    NO_EMAIL = "no_email"
    NO_COMMUNICATIONS = "no_communications"
    EMAIL_FAILED = "email_failed"
    NOT_OPENED = "not_opened"

    ORDER = (NO_ACCOUNT, NO_EMAIL, NO_COMMUNICATIONS, EMAIL_FAILED, NOT_OPENED)
    LABELS = {
        NO_ACCOUNT: _("No account in use and no email address"),
        NO_EMAIL: _("No email address: sees it only in Village"),
        NO_COMMUNICATIONS: _("Does not receive school communications: in Village only"),
        EMAIL_FAILED: _("The email could not be delivered"),
        NOT_OPENED: _("Not opened yet"),
    }


@dataclass(frozen=True)
class Counts:
    recipients: int = 0
    read: int = 0
    #: By kind of recipient: (total, read).
    by_role: dict[str, tuple[int, int]] = field(default_factory=dict)
    emailed: int = 0
    email_failed: int = 0
    email_waiting: int = 0

    def percent(self, part: int) -> int:
        return round(100 * part / self.recipients) if self.recipients else 0

    @property
    def read_percent(self) -> int:
        return self.percent(self.read)

    @property
    def delivered_percent(self) -> int:
        return 100 if self.recipients else 0


@dataclass(frozen=True)
class Reader:
    name: str
    role: str
    child: str
    read_at: dt.datetime
    #: The student whose record the line shows (the child, or the student who read it), and
    #: their school: for the audit log.
    student_id: int | None = None
    school_id: int | None = None


@dataclass(frozen=True)
class NotReached:
    user_id: int
    name: str
    role: str
    child: str
    reason: str
    phone: str
    language: str
    student_id: int | None = None
    school_id: int | None = None

    @property
    def reason_label(self) -> str:
        return str(Why.LABELS.get(self.reason, ""))


@dataclass(frozen=True)
class NotReachedList:
    people: list[NotReached]
    total: int
    days: int
    with_phone: int = 0


@dataclass(frozen=True)
class Reach:
    announcement: Announcement
    counts: Counts
    readers: list[Reader]
    not_reached: NotReachedList


def _email_state(announcement: Announcement) -> Subquery:
    """On ``Recipient`` rows: the state of their email of this announcement, if one was
    queued (found through their notification's key, by its unique index)."""
    suffix = notification_key_suffix(kind_of(announcement), notification_key(announcement))
    key = Concat(Cast(OuterRef("user_id"), CharField()), Value(suffix), output_field=CharField())
    emails = Delivery.objects.filter(notification__key=key, channel=Channel.EMAIL)
    return Subquery(emails.values("state")[:1])


def _reason(announcement: Announcement, now: dt.datetime, days: int) -> Case:
    opened_by = now - dt.timedelta(days=days)
    return Case(
        When(Q(user__email="", user__last_login__isnull=True), then=Value(Why.NO_ACCOUNT)),
        When(user__email="", then=Value(Why.NO_EMAIL)),
        When(communications=False, then=Value(Why.NO_COMMUNICATIONS)),
        When(email_state=DeliveryState.FAILED, then=Value(Why.EMAIL_FAILED)),
        When(delivered_at__lte=opened_by, then=Value(Why.NOT_OPENED)),
        default=Value(""),
        output_field=CharField(),
    )


def _unread(announcement: Announcement, now: dt.datetime, days: int) -> QuerySet[Recipient]:
    return (
        Recipient.objects.filter(announcement=announcement, read_at__isnull=True)
        .annotate(email_state=_email_state(announcement))
        .annotate(reason=_reason(announcement, now, days))
        .exclude(reason="")
    )


def _phone() -> Coalesce:
    mobile = UserSettings.objects.filter(user_id=OuterRef("user_id")).values("phone")[:1]
    return Coalesce(
        NullIf(Subquery(mobile), Value("")),
        NullIf("user__phone", Value("")),
        Value(""),
        output_field=CharField(),
    )


def _rank() -> Case:
    return Case(
        *(When(reason=why, then=Value(n)) for n, why in enumerate(Why.ORDER)),
        output_field=IntegerField(),
    )


def not_reached(
    announcement: Announcement, *, now: dt.datetime, limit: int | None = NOT_REACHED_SHOWN
) -> NotReachedList:
    """The recipients not reached, by reason then name (``limit`` of them; ``None``: up to
    ``PRINTED``). Two queries."""
    days = not_reached_days()
    if announcement.sent_at is None:
        return NotReachedList([], 0, days)
    found = _unread(announcement, now, days).annotate(phone=_phone())
    totals = found.aggregate(total=Count("pk"), with_phone=Count("pk", filter=~Q(phone="")))
    shown = PRINTED if limit is None else limit
    rows = (
        found.annotate(rank=_rank())
        .order_by("rank", "user__last_name", "user__first_name", "pk")
        .values_list(
            "user_id",
            "role",
            "reason",
            "phone",
            "user__preferred_language",
            "child_id",
            "school_id",
            *_NAMES,
        )
    )
    people = [_not_reached(row) for row in rows[:shown]] if shown else []
    return NotReachedList(people, totals["total"], days, totals["with_phone"])


#: The recipient's and the child's names, read with the row.
_NAMES = tuple(
    f"{who}__{part}"
    for who in ("user", "child")
    for part in ("username", "first_name", "preferred_name", "last_name")
)


def _name(row: dict[str, Any], who: str) -> str:
    if row[f"{who}__username"] is None:
        return ""
    return display_name(
        username=row[f"{who}__username"],
        first_name=row[f"{who}__first_name"],
        preferred_name=row[f"{who}__preferred_name"],
        last_name=row[f"{who}__last_name"],
    )


def _not_reached(values: tuple[Any, ...]) -> NotReached:
    user_id, role, reason, phone, language, child_id, school_id, *names = values
    row = dict(zip(_NAMES, names, strict=True))
    return NotReached(
        user_id=user_id,
        name=_name(row, "user"),
        role=role,
        child=_name(row, "child"),
        reason=reason,
        phone=phone,
        language=language,
        student_id=_student_id(role, user_id, child_id),
        school_id=school_id,
    )


def _student_id(role: str, user_id: int, child_id: int | None) -> int | None:
    """The student a recipient's line is about: a guardian's child, or the student."""
    return user_id if role == RecipientRole.STUDENT else child_id


def counts(announcement: Announcement) -> Counts:
    """The announcement's figures (two queries)."""
    if announcement.sent_at is None:
        return Counts()
    mine = Recipient.objects.filter(announcement=announcement)
    by_role: dict[str, tuple[int, int]] = {}
    for role, total, read in (
        mine.values("role")
        .annotate(total=Count("pk"), read=Count("pk", filter=Q(read_at__isnull=False)))
        .values_list("role", "total", "read")
        .order_by()
    ):
        by_role[role] = (total, read)
    states: dict[Any, int] = dict(
        mine.annotate(email_state=_email_state(announcement))
        .values("email_state")
        .annotate(count=Count("pk"))
        .values_list("email_state", "count")
        .order_by()
    )
    return Counts(
        recipients=sum(total for total, _read in by_role.values()),
        read=sum(read for _total, read in by_role.values()),
        by_role={role: by_role[role] for role in RecipientRole.values if role in by_role},
        emailed=states.get(DeliveryState.SENT, 0),
        email_failed=states.get(DeliveryState.FAILED, 0),
        email_waiting=states.get(DeliveryState.QUEUED, 0),
    )


def readers(announcement: Announcement) -> list[Reader]:
    """Who has read it, newest first (``READERS_SHOWN`` of them; one query)."""
    rows = (
        Recipient.objects.filter(announcement=announcement, read_at__isnull=False)
        .select_related("user", "child")
        .order_by("-read_at", "pk")[:READERS_SHOWN]
    )
    return [
        Reader(
            name=row.user.display_name,
            role=row.role,
            child=row.child.display_name if row.child is not None else "",
            read_at=row.read_at,
            student_id=_student_id(row.role, row.user_id, row.child_id),
            school_id=row.school_id,
        )
        for row in rows
        if row.read_at is not None
    ]


def students_shown(
    announcement: Announcement, lines: Iterable[Reader | NotReached]
) -> list[Viewed]:
    """The student records the lines of a reach page show, once each, for the audit log."""
    seen: dict[int, Viewed] = {}
    for line in lines:
        if line.student_id is not None and line.student_id not in seen:
            seen[line.student_id] = Viewed(
                student_id=line.student_id,
                organisation_id=line.school_id,
                object_type="announcement_reach",
                object_id=str(announcement.pk),
            )
    return list(seen.values())


def reach(announcement: Announcement, *, now: dt.datetime) -> Reach:
    """Everything the reach page shows (five queries)."""
    return Reach(
        announcement=announcement,
        counts=counts(announcement),
        readers=readers(announcement),
        not_reached=not_reached(announcement, now=now),
    )
