"""Removing data Village no longer needs, app by app.

An app that keeps data only for a while gives its ``AppConfig`` a method
``purge_expired(now: datetime) -> dict[str, int]``: it removes what is past its retention at
``now`` and says how many of each kind it removed. The kernel knows no app; it asks every
installed one. ``village purge`` runs this once; ``village worker`` at start and about once an
hour after that.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 60.0 * 60


@dataclass(frozen=True)
class PurgeOutcome:
    """How many rows or files of each kind each app removed, and which apps failed."""

    removed: dict[str, dict[str, int]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def lines(self, *, skip_zero: bool = False) -> list[str]:
        """One ``app.kind: count`` line per kind, in app order."""
        return [
            f"{label}.{kind}: {count}"
            for label, kinds in self.removed.items()
            for kind, count in kinds.items()
            if count or not skip_zero
        ]


def purge_expired(now: dt.datetime | None = None) -> PurgeOutcome:
    """Ask every installed app that can to remove its expired data.

    An app that fails is logged and named in the outcome; the others still run.
    """
    moment = now or timezone.now()
    outcome = PurgeOutcome()
    for config in apps.get_app_configs():
        purge = getattr(config, "purge_expired", None)
        if not callable(purge):
            continue
        try:
            outcome.removed[config.label] = dict(purge(moment))
        except Exception:
            logger.exception("Removing the expired data of %s failed", config.label)
            outcome.failed.append(config.label)
    return outcome


class PurgeSchedule:
    """When a long-running loop should purge: on its first pass, then every ``interval``
    seconds (measured on a monotonic clock, so a change of the wall clock does not matter)."""

    def __init__(
        self,
        interval: float = PURGE_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.last: float | None = None

    def due(self) -> bool:
        """Is a purge due now? Answering yes starts the next interval."""
        now = self.clock()
        if self.last is not None and now - self.last < self.interval:
            return False
        self.last = now
        return True
