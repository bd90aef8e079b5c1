"""The demo's announcements, sent through the announcement services as people would send them:

- Ms. Rivera to the families of Grade 5 Homeroom, two days ago: most families have read it (Sam
  in Spanish); two were not reached: one family with no account in use and no email address,
  and one whose email bounced. A few others have not opened it yet, within the days the
  "not reached" list waits;
- Principal Nguyen to Riverside K-8's families and students, yesterday, pinned for two weeks;
- Ms. Rivera's announcement to Grade 8 Science, scheduled for the coming week.

The emails of what was sent count as sent (the bounced one as failed), as the worker would
have left them.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from village.accounts.models import User
from village.announcements import policies
from village.announcements.models import Announcement, AudienceScope, Recipient, RecipientRole
from village.announcements.services.announcements import (
    Draft,
    announcement_create,
    announcement_open,
)
from village.community.models import LinkStatus, SchoolClass
from village.notifications.models import Delivery, DeliveryState

HOMEROOM = "demo-class-G5-HR"
SCIENCE = "demo-class-G8-SCI"
#: Families of the homeroom who have not opened it yet (emailed; not on the list yet).
WAITING = 3

FIELD_TRIP = (
    "Field trip to the river on Friday",
    "On Friday, Grade 5 Homeroom visits Riverside Park to study the river as part of our "
    "unit on water. We leave at 9:00 and are back by 14:00.\n\n"
    "Please send your child with a packed lunch, a water bottle, boots and a raincoat. "
    "If your child cannot come, reply to this announcement and we will plan a day in the "
    "library instead.",
)
BOOK_FAIR = (
    "Book fair and family reading evening",
    "Our book fair runs all next week in the library, 8:00 to 16:00. On Thursday at 18:00 "
    "families are welcome to a reading evening with the Riverside Library team. Books in "
    "English and Spanish for every age.",
)
SCIENCE_FAIR = (
    "Science fair projects",
    "Science fair projects are due in three weeks. Next week each student chooses a question "
    "to investigate; families can help by talking about everyday things worth testing at home.",
)


def demo_announcements_build(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    people = User.objects.in_bulk(["rivera", "nguyen"], field_name="username")
    homeroom = SchoolClass.objects.filter(sourced_id=HOMEROOM).first()
    science = SchoolClass.objects.filter(sourced_id=SCIENCE).first()
    if len(people) < 2 or homeroom is None or science is None:
        return {"announcements": 0}
    rivera, nguyen = people["rivera"], people["nguyen"]
    sent = now - dt.timedelta(days=2)
    offline, bounced = _families_not_reached(homeroom)
    trip = _send(rivera, AudienceScope.CLASS, homeroom.pk, FIELD_TRIP, now=sent)
    _deliveries_went(trip, bounced=bounced)
    _read(trip, now=sent, keep_unread={offline.pk, bounced.pk}, waiting=WAITING)
    fair = _send(
        nguyen,
        AudienceScope.SCHOOL,
        homeroom.school_id,
        BOOK_FAIR,
        now=now - dt.timedelta(days=1),
        to_students=True,
        pinned_until=timezone.localdate(now) + dt.timedelta(days=14),
    )
    _deliveries_went(fair, bounced=None)
    _send(
        rivera,
        AudienceScope.CLASS,
        science.pk,
        SCIENCE_FAIR,
        now=now,
        to_students=True,
        send_at=now + dt.timedelta(days=5),
    )
    return {"announcements": Announcement.objects.count()}


def _families_not_reached(homeroom: SchoolClass) -> tuple[User, User]:
    """Two guardians of the homeroom who will not be reached: one with no account in use and
    no email address (the school has a phone number), and one whose email will bounce."""
    guardians = list(
        User.objects.filter(
            children_links__student__enrollments__school_class=homeroom,
            children_links__status=LinkStatus.ACTIVE,
            children_links__no_access=False,
            children_links__receives_communications=True,
        )
        .exclude(username="sam")
        .distinct()
        .order_by(F("last_login").asc(nulls_first=True), "pk")  # who never signed in first
    )
    offline, bounced = guardians[0], guardians[-1]
    User.objects.filter(pk=offline.pk).update(email="", last_login=None)
    return offline, bounced


def _send(
    author: User,
    scope: AudienceScope,
    target_id: int,
    words: tuple[str, str],
    *,
    now: dt.datetime,
    to_students: bool = False,
    pinned_until: dt.date | None = None,
    send_at: dt.datetime | None = None,
) -> Announcement:
    if scope == AudienceScope.CLASS:
        target = policies.target_for_announcer(author, scope=scope, class_id=target_id)
    else:
        target = policies.target_for_announcer(author, scope=scope, school_id=target_id)
    title, body = words
    draft = Draft(
        title=title,
        body=body,
        to_students=to_students,
        pinned_until=pinned_until,
        send_at=send_at,
    )
    return announcement_create(author=author, target=target, draft=draft, now=now)


def _deliveries_went(announcement: Announcement, *, bounced: User | None) -> None:
    """Its emails as the worker would have left them: sent, one of them bounced."""
    emails = Delivery.objects.filter(
        notification__subject=f"announcements.announcement:{announcement.pk}"
    )
    emails.update(state=DeliveryState.SENT, sent_at=F("due_at"), tried_at=F("due_at"), attempts=1)
    if bounced is not None:
        emails.filter(recipient=bounced).update(
            state=DeliveryState.FAILED,
            sent_at=None,
            last_error="550 5.1.1 The email account that you tried to reach does not exist.",
        )


def _read(
    announcement: Announcement, *, now: dt.datetime, keep_unread: set[int], waiting: int
) -> None:
    """Most families open it within the day; ``waiting`` of them have not yet."""
    receipts = list(
        Recipient.objects.filter(announcement=announcement, role=RecipientRole.GUARDIAN)
        .exclude(user_id__in=keep_unread)
        .select_related("user")
        .order_by("pk")
    )
    unread = {
        receipt.pk
        for receipt in receipts
        if receipt.communications and receipt.user.username != "sam"
    }
    unread = set(sorted(unread)[:waiting])
    for n, receipt in enumerate(receipts):
        if receipt.pk in unread:
            continue
        announcement_open(
            receipt=receipt, now=now + dt.timedelta(hours=2 + n % 9, minutes=7 * n % 60)
        )
