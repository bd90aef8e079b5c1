"""The daily digest: one email a day carrying the notifications whose email waits for it
(``email_mode=daily``), for anyone who chose that for a kind (a guardian, a teacher, a
student).

It goes out from ``DAILY_HOUR`` in each recipient's time zone, once per recipient and day (the
``Digest`` row, period ``daily``, starting that day), and carries each notification once
(``digested_at``). A fixed number of queries per batch of recipients; the email is written with
``village.core.mail.render_email`` in the recipient's language.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation

from village.accounts.models import User
from village.core.mail import render_email
from village.notifications.models import (
    Delivery,
    Digest,
    DigestOutcome,
    DigestPeriod,
    EmailMode,
    Notification,
)
from village.notifications.services.notify import delivery_from_message, site_link, user_zone

#: The hour (in each recipient's time zone) from which the day's digest goes out.
DAILY_HOUR = 17
#: Recipients composed together.
BATCH = 500
#: Notifications listed in one email (the centre lists them all).
SHOWN = 20
TEMPLATE = "notifications/email/daily"
KIND = "daily"


@dataclass(frozen=True)
class DailyOutcome:
    considered: int = 0
    emailed: int = 0


def _waiting(user_ids: Collection[int] | None = None) -> dict[int, list[Notification]]:
    """Each recipient's notifications waiting for a daily digest, oldest first (one query)."""
    rows = Notification.objects.filter(
        email_mode=EmailMode.DAILY,
        digested_at__isnull=True,
        dismissed_at__isnull=True,
        recipient__is_active=True,
    ).select_related("recipient")
    if user_ids is not None:
        rows = rows.filter(recipient_id__in=list(user_ids))
    found: dict[int, list[Notification]] = defaultdict(list)
    for note in rows.order_by("created_at", "id"):
        found[note.recipient_id].append(note)
    return found


def _local_day(user: User, now: dt.datetime) -> dt.datetime:
    return now.astimezone(user_zone(user))


def due_daily(now: dt.datetime) -> list[int]:
    """The recipients whose daily digest of today is due (their time zone's ``DAILY_HOUR``
    has come, notifications wait for it, and today's is not written): two queries."""
    waiting = _waiting()
    days: dict[int, dt.date] = {}
    for user_id, notes in waiting.items():
        local = _local_day(notes[0].recipient, now)
        if local.hour >= DAILY_HOUR:
            days[user_id] = local.date()
    if not days:
        return []
    written = set(
        Digest.objects.filter(
            period=DigestPeriod.DAILY, recipient_id__in=list(days), starts__gte=min(days.values())
        ).values_list("recipient_id", "starts")
    )
    return sorted(pk for pk, day in days.items() if (pk, day) not in written)


def compose_daily(user_ids: Collection[int], *, now: dt.datetime | None = None) -> DailyOutcome:
    """Write the daily digests of these recipients not written yet today, BATCH at a time."""
    now = now or timezone.now()
    ids = sorted(set(user_ids))
    considered = emailed = 0
    for start in range(0, len(ids), BATCH):
        outcome = _compose_batch(ids[start : start + BATCH], now)
        considered += outcome.considered
        emailed += outcome.emailed
    return DailyOutcome(considered, emailed)


def _email(user: User, notes: list[Notification], day: dt.date, now: dt.datetime) -> Delivery:
    zone = user_zone(user)
    shown = notes[:SHOWN]
    with translation.override(user.ui_language):
        context = {
            "user": user,
            "day": formats.date_format(day, "MONTH_DAY_FORMAT"),
            "notifications": [
                (note, site_link(reverse("notifications:open", args=[note.pk]))) for note in shown
            ],
            "more": len(notes) - len(shown),
            "centre_url": site_link(reverse("notifications:centre")),
            "settings_url": site_link(reverse("notifications:settings")),
        }
    message = render_email(
        template=TEMPLATE,
        context=context,
        to=[user.email],
        language=user.ui_language,
        time_zone=zone,
    )
    return delivery_from_message(
        message,
        key=f"daily:{user.pk}:{day.isoformat()}",
        recipient=user,
        kind=KIND,
        due=now,
        now=now,
    )


def _compose_batch(ids: list[int], now: dt.datetime) -> DailyOutcome:
    waiting = _waiting(ids)
    if not waiting:
        return DailyOutcome()
    days = {
        user_id: _local_day(notes[0].recipient, now).date() for user_id, notes in waiting.items()
    }
    written = set(
        Digest.objects.filter(
            period=DigestPeriod.DAILY, recipient_id__in=list(days), starts__in=set(days.values())
        ).values_list("recipient_id", "starts")
    )
    todo = {pk: notes for pk, notes in waiting.items() if (pk, days[pk]) not in written}
    digests, deliveries = [], {}
    for user_id, notes in todo.items():
        user = notes[0].recipient
        emailed = bool(user.email)
        digests.append(
            Digest(
                recipient=user,
                period=DigestPeriod.DAILY,
                starts=days[user_id],
                created_at=now,
                outcome=DigestOutcome.EMAILED if emailed else DigestOutcome.NO_ADDRESS,
            )
        )
        if emailed:
            deliveries[user_id] = _email(user, notes, days[user_id], now)
    with transaction.atomic():
        Digest.objects.bulk_create(digests, ignore_conflicts=True)
        won = set(
            Digest.objects.filter(
                period=DigestPeriod.DAILY, recipient_id__in=list(todo), created_at=now
            ).values_list("recipient_id", flat=True)
        )
        mine = [deliveries[pk] for pk in won if pk in deliveries]
        Delivery.objects.bulk_create(mine, ignore_conflicts=True)
        carried = [note.pk for pk in won if pk in deliveries for note in todo[pk]]
        Notification.objects.filter(pk__in=carried).update(digested_at=now)
    return DailyOutcome(considered=len(won), emailed=len(mine))


def sweep(now: dt.datetime) -> int:
    """The worker's sweep: the daily digests due now."""
    return compose_daily(due_daily(now), now=now).considered
