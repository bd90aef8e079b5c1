"""Writing calendar feeds: create, revoke, regenerate, and note when a feed was last read.

The secret token is returned once, to be shown once; only its keyed digest is stored.
Callers check who may do what first (``village.calendar.policies``).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from village.accounts.models import User
from village.calendar.models import CalendarFeed, feed_digest

#: ``last_used_at`` is written at most this often: calendar apps poll feeds many times a day.
TOUCH_INTERVAL = dt.timedelta(hours=1)


class FeedExistsError(Exception):
    """The guardian already has an active feed for this child (or a family feed)."""


class FeedRevokedError(Exception):
    """The feed was revoked meanwhile (by another request)."""


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_create(*, owner: User, student: User | None) -> tuple[CalendarFeed, str]:
    """A new active feed and its token; ``student=None`` makes the family feed.

    Precondition: ``owner`` may have this feed (``village.calendar.policies``). Raises
    ``FeedExistsError`` when an active one exists already.
    """
    return _create(owner_id=owner.pk, student_id=student.pk if student else None)


def _create(*, owner_id: int, student_id: int | None) -> tuple[CalendarFeed, str]:
    token = _new_token()
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(
                owner_id=owner_id, student_id=student_id, digest=feed_digest(token)
            )
    except IntegrityError as error:  # the partial unique constraints: one active feed each
        raise FeedExistsError from error
    return feed, token


def calendar_feed_revoke(*, feed: CalendarFeed, now: dt.datetime | None = None) -> CalendarFeed:
    """Stop the feed's address working, at once. Revoking twice changes nothing."""
    if feed.revoked_at is None:
        feed.revoked_at = now or timezone.now()
        CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=feed.revoked_at, updated_at=feed.revoked_at
        )
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, feed: CalendarFeed) -> tuple[CalendarFeed, str]:
    """Revoke ``feed`` and make a new one for the same guardian and child, with a new token.

    Raises ``FeedRevokedError`` when the feed was revoked meanwhile (two clicks, two tabs).
    """
    now = timezone.now()
    revoked = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    if not revoked:
        raise FeedRevokedError
    feed.revoked_at = now
    return _create(owner_id=feed.owner_id, student_id=feed.student_id)


def calendar_feed_touch(*, feed: CalendarFeed, now: dt.datetime) -> None:
    """Note that the feed was read, unless that was noted less than an hour ago."""
    if feed.last_used_at is not None and now - feed.last_used_at < TOUCH_INTERVAL:
        return
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    feed.last_used_at = now
