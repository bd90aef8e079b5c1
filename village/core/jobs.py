"""Work ``village worker`` does for apps on every pass.

An app with background work gives its ``AppConfig`` a method ``worker_pass(now: datetime) ->
dict[str, int]``: it does what is due at ``now`` (send queued messages, look at alerts whose hold
is over, run a sweep that is due) and says how much of each it did. The kernel knows no app; it
asks every installed one. A pass that fails is logged and the other apps' passes still run.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassOutcome:
    done: dict[str, dict[str, int]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.done.values())

    def lines(self) -> list[str]:
        return [
            f"{label}.{kind}: {count}"
            for label, kinds in self.done.items()
            for kind, count in kinds.items()
            if count
        ]


def run_passes(now: dt.datetime | None = None) -> PassOutcome:
    moment = now or timezone.now()
    outcome = PassOutcome()
    for config in apps.get_app_configs():
        work = getattr(config, "worker_pass", None)
        if not callable(work):
            continue
        try:
            outcome.done[config.label] = dict(work(moment))
        except Exception:
            logger.exception("A worker pass of %s failed; the next pass tries again", config.label)
            outcome.failed.append(config.label)
    return outcome
