"""Notifications for the tests, written as the engine writes them (one row per key)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from village.accounts.models import User
from village.notifications.models import Notification

_keys = itertools.count()


def notification(
    recipient: User,
    title: str = "Something happened",
    *,
    kind: str = "weekly_digest",
    child: User | None = None,
    link: str = "",
    body: str = "",
    ago: dt.timedelta = dt.timedelta(0),
    read: bool = False,
    urgent: bool = False,
) -> Notification:
    now = timezone.now() - ago
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        child=child,
        title=title,
        body=body,
        link=link,
        language=recipient.ui_language,
        urgent=urgent,
        key=f"test:{recipient.pk}:{next(_keys)}",
        created_at=now,
        read_at=now if read else None,
    )
