"""The weekly family digest's schedule and its read confirmation.

:func:`queue_due` finds the guardians whose digest is due and composes them
(``village.notifications.digest``): a school's digest goes out on its day and hour
(``SchoolNotificationSettings``, Friday 16:00 by default) in each guardian's own time zone, for a
guardian with children at several schools at the first of their schools' times. A guardian's
digest of a week is written once (the ``Digest`` row), so running it again, from the command or
the worker's sweep, writes nothing new. :func:`digest_confirm` records the signed "I've read
this" click.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.db import connections
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from village.community.models import OrgRole, Role
from village.community.policies import today
from village.notifications import digest, digest_email
from village.notifications.models import Digest, DigestPeriod, SchoolNotificationSettings
from village.notifications.policies import digest_links
from village.notifications.services.notify import zone_named

logger = logging.getLogger(__name__)

#: The default day (0 = Monday) and hour of the digest, when a school has not chosen.
DEFAULT_WEEKDAY = 4
DEFAULT_HOUR = 16
#: Fewer guardians than this are composed in one process whatever ``processes`` asks.
PARALLEL_FROM = 1000
#: Guardians the worker's sweep composes in one pass (the next pass goes on).
SWEEP_LIMIT = 5000
#: Local hours start on a quarter hour in every time zone: with nothing due, the sweep looks
#: again at the next one.
_QUARTER = 15 * 60
_NEXT_LOOK = "notifications:digests:next-look"


@dataclass(frozen=True)
class QueueOutcome:
    due: int = 0
    considered: int = 0
    emailed: int = 0


def _schedules(school_id: int | None) -> dict[int | None, tuple[int, int]]:
    """Each school's digest day and hour (one query)."""
    rows = SchoolNotificationSettings.objects.all()
    if school_id is not None:
        rows = rows.filter(school_id=school_id)
    return {
        school: (weekday, hour)
        for school, weekday, hour in rows.values_list("school_id", "digest_weekday", "digest_hour")
    }


def _is_due(local: dt.datetime, weekday: int, hour: int) -> bool:
    return local.weekday() > weekday or (local.weekday() == weekday and local.hour >= hour)


def due_guardians(
    now: dt.datetime, *, school_id: int | None = None, everyone: bool = False
) -> list[int]:
    """The guardians whose digest of their current week is due at ``now`` and not written yet,
    or (``everyone``) not written yet whatever the schedule; with ``school_id``, only guardians
    of that school's students. Three queries."""
    school = (
        OrgRole.objects.current(today())
        .filter(user_id=OuterRef("student_id"), role=Role.STUDENT)
        .order_by("-is_primary", "id")
        .values("organisation_id")[:1]
    )
    links = digest_links().annotate(school=Subquery(school))
    if school_id is not None:
        links = links.filter(school=school_id)
    schedules = _schedules(school_id)
    weeks: dict[int, dt.date] = {}
    for guardian_id, zone_name, school_of_child in links.values_list(
        "guardian_id", "guardian__timezone", "school"
    ).order_by():
        local = now.astimezone(zone_named(zone_name))
        weekday, hour = schedules.get(school_of_child, (DEFAULT_WEEKDAY, DEFAULT_HOUR))
        if everyone or _is_due(local, weekday, hour):
            weeks[guardian_id] = local.date() - dt.timedelta(days=local.weekday())
    if not weeks:
        return []
    written = set(
        Digest.objects.filter(
            period=DigestPeriod.WEEKLY, starts__gte=min(weeks.values())
        ).values_list("recipient_id", "starts")
    )
    return sorted(pk for pk, week in weeks.items() if (pk, week) not in written)


def queue_due(
    *,
    now: dt.datetime | None = None,
    school_id: int | None = None,
    everyone: bool = False,
    limit: int | None = None,
    processes: int = 1,
) -> QueueOutcome:
    """Compose and queue the digests that are due (see :func:`due_guardians`), at most
    ``limit`` guardians' of them; with ``processes`` above one, in that many processes, each
    composing every ``processes``-th guardian (a district's evening uses every core)."""
    now = now or timezone.now()
    due = due_guardians(now, school_id=school_id, everyone=everyone)
    chosen = due if limit is None else due[:limit]
    if processes <= 1 or len(chosen) < PARALLEL_FROM:
        outcome = digest.compose(chosen, now=now)
        return QueueOutcome(due=len(due), considered=outcome.considered, emailed=outcome.emailed)
    shards = [(chosen[start::processes], now) for start in range(processes)]
    # Each process opens its own connection: none may be shared across the fork.
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        counts = pool.map(_compose_shard, shards)
    return QueueOutcome(
        due=len(due),
        considered=sum(considered for considered, _emailed in counts),
        emailed=sum(emailed for _considered, emailed in counts),
    )


def _compose_shard(shard: tuple[list[int], dt.datetime]) -> tuple[int, int]:
    guardian_ids, now = shard
    try:
        outcome = digest.compose(guardian_ids, now=now)
    finally:
        connections.close_all()
    return outcome.considered, outcome.emailed


def sweep(now: dt.datetime) -> int:
    """The worker's sweep: the digests due now, ``SWEEP_LIMIT`` guardians at a time. With none
    due, nothing is looked at again before the next quarter hour."""
    wait = cache.get(_NEXT_LOOK)
    if wait is not None and now < wait:
        return 0
    outcome = queue_due(now=now, limit=SWEEP_LIMIT)
    if outcome.due <= SWEEP_LIMIT:
        stamp = int(now.timestamp())
        next_look = dt.datetime.fromtimestamp(stamp - stamp % _QUARTER + _QUARTER, tz=dt.UTC)
        cache.set(_NEXT_LOOK, next_look, timeout=_QUARTER * 2)
    return outcome.considered


def register() -> None:
    from village.notifications import daily, registry

    registry.register_sweep("weekly_digest", sweep)
    registry.register_sweep("daily_digest", daily.sweep)


# --- read confirmation ---------------------------------------------------------------------------


class BadConfirmLinkError(Exception):
    """The link was changed or cut short, or names no digest."""


def digest_for_token(token: str) -> Digest:
    """The digest the signed ``token`` names, or ``BadConfirmLinkError``."""
    try:
        user_id, period, starts = digest_email.read_confirm_token(token)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadConfirmLinkError from error
    found = Digest.objects.filter(recipient_id=user_id, period=period, starts=starts).first()
    if found is None:
        raise BadConfirmLinkError
    return found


def digest_confirm(token: str, *, now: dt.datetime | None = None) -> Digest:
    """Record that the guardian the signed ``token`` names read their digest of its week (the
    first click counts; later ones change nothing)."""
    found = digest_for_token(token)
    if found.confirmed_at is None:
        Digest.objects.filter(pk=found.pk, confirmed_at__isnull=True).update(
            confirmed_at=now or timezone.now()
        )
        found.refresh_from_db(fields=["confirmed_at"])
    return found
