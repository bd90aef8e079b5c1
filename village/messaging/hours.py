"""Office hours: when a staff member answers messages, in their own time zone.

A message that arrives outside them is delivered at once, but the staff member is told (by
email, in the notification centre it shows at once) at the start of their next stretch, and the
family sees when to expect a reply. Someone who set no hours is told at once (quiet hours
aside).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from village.accounts.models import User
from village.notifications.services.notify import user_zone

#: How far ahead the next stretch is looked for.
_WEEK = 7


class Stretch(Protocol):
    weekday: int
    starts: dt.time
    ends: dt.time


def is_working(moment: dt.datetime, user: User, hours: Sequence[Stretch]) -> bool:
    """Is ``moment`` inside one of ``hours`` (in ``user``'s time zone)? Always, without hours."""
    if not hours:
        return True
    local = moment.astimezone(user_zone(user))
    now = local.time()
    return any(
        stretch.weekday == local.weekday() and stretch.starts <= now < stretch.ends
        for stretch in hours
    )


def next_working_moment(
    moment: dt.datetime, user: User, hours: Sequence[Stretch]
) -> dt.datetime | None:
    """When ``user`` is next at work from ``moment``: ``None`` when they are now (or set no
    hours), else the start of their next stretch."""
    if is_working(moment, user, hours):
        return None
    zone = user_zone(user)
    local = moment.astimezone(zone)
    for ahead in range(_WEEK + 1):
        day = local.date() + dt.timedelta(days=ahead)
        starts = sorted(s.starts for s in hours if s.weekday == day.weekday())
        for start in starts:
            candidate = dt.datetime.combine(day, start, tzinfo=zone)
            if candidate > local:
                return candidate.astimezone(dt.UTC)
    return None
