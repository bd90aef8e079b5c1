"""Sweeps: what the clock causes (work turning missing at its due time), run by the worker.

Each registered sweep runs at most once a minute (``SWEEP_EVERY``); it is set-based, a fixed
number of queries per school, and idempotent (its notifications are keyed), so running it twice
or from two workers writes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction

from village.notifications import registry
from village.notifications.models import SweepMark

logger = logging.getLogger(__name__)

SWEEP_EVERY = dt.timedelta(minutes=1)


def run_due(now: dt.datetime, *, force: bool = False) -> int:
    done = 0
    for name, sweep in registry.sweeps().items():
        key = f"notifications:sweep:{name}"
        last = cache.get(key)
        if not force and last is not None and now - last < SWEEP_EVERY:
            continue
        try:
            done += sweep(now)
        except Exception:
            logger.exception("The %s sweep failed; the next pass tries again", name)
            continue
        cache.set(key, now, timeout=int(SWEEP_EVERY.total_seconds() * 10))
    return done


@contextmanager
def watermark(
    name: str, until: dt.datetime, *, first: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The window a sweep looks at: from where it stopped (``first`` the first time) to
    ``until``. The mark moves on only if the sweep's body succeeds, in its transaction; two
    workers sweeping at once take turns on the mark's row."""
    with transaction.atomic():
        mark = SweepMark.objects.select_for_update().filter(name=name).first()
        since = mark.until if mark is not None else first
        end = max(until, since)
        yield since, end
        SweepMark.objects.update_or_create(name=name, defaults={"until": end})
