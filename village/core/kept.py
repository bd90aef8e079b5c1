"""Rendered page parts kept in the ``pages`` cache until a moment: the moment the clock alone
would change them (a "5 minutes ago", a due date turning into "overdue"), and never longer than
the caller's bound. Each entry is stored with that moment, so one read past it is a miss even if
the cache still holds it. Keys name the versions of what a part shows; see the callers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import caches


def kept(key: str, now: dt.datetime) -> Any | None:
    """What is kept under ``key`` and still good at ``now``, or None."""
    found: tuple[float, Any] | None = caches["pages"].get(key)
    if found is not None and now.timestamp() < found[0]:
        return found[1]
    return None


def keep(key: str, value: Any, until: dt.datetime, *, now: dt.datetime, at_most: int) -> None:
    """Keep ``value`` (never None) under ``key`` until ``until``, at most ``at_most`` seconds;
    nothing is kept when that moment has passed."""
    until = min(until, now + dt.timedelta(seconds=at_most))
    seconds = (until - now).total_seconds()
    if seconds > 0:
        caches["pages"].set(key, (until.timestamp(), value), int(seconds) + 1)
