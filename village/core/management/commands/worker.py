"""``village worker``: deliver queued email, retrying what the mail server refused, do the apps'
background work (``village.core.jobs``: notifications, alerts, digests), and remove expired data
about once an hour.

Email is written to the database when it is sent (django-mailer's backend); this loop hands it to
the real mail backend. A message that fails is *deferred*, never dropped, and put back in the queue
every ``--retry-every`` seconds until ``MAILER_EMAIL_MAX_RETRIES`` is reached. Several workers may
run: django-mailer's lock keeps them from sending a message twice, and removing expired data twice
removes nothing more.

Every ``--purge-every`` seconds (and on the first pass) the worker does what ``village purge``
does; a failure there is logged and mail delivery goes on. A message that fails for any reason
is deferred (``village.core.mail.delivery_failed``), and a pass that fails all the same (the
database gone for a moment) is logged and the next pass tried: the worker does not stop.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from village.core.jobs import run_passes
from village.core.retention import PURGE_INTERVAL_SECONDS, PurgeSchedule, purge_expired

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Deliver queued email and retry deferred messages, and remove expired data hourly, "
        "forever (or once with --once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Do one pass, then stop.")
        parser.add_argument(
            "--burst",
            action="store_true",
            help="Deliver everything that is due, pass after pass, then stop.",
        )
        parser.add_argument("--sleep", type=float, default=5.0, help="Seconds between passes.")
        parser.add_argument(
            "--retry-every",
            type=float,
            default=300.0,
            help="Seconds between retries of deferred mail.",
        )
        parser.add_argument(
            "--purge-every",
            type=float,
            default=PURGE_INTERVAL_SECONDS,
            help="Seconds between removals of expired data (0: never; use `village purge`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mailer import engine
        from mailer.models import Message

        purges = PurgeSchedule(options["purge_every"]) if options["purge_every"] > 0 else None
        last_retry = 0.0
        while True:
            now = time.monotonic()
            try:
                if now - last_retry >= options["retry_every"]:
                    retried = Message.objects.retry_deferred()
                    if retried:
                        self.stdout.write(f"Retrying {retried} deferred message(s).")
                    last_retry = now
                engine.send_all()
            except Exception:
                logger.exception("A pass of the mail worker failed; the next pass goes on")
            outcome = run_passes()
            for line in outcome.lines():
                self.stdout.write(line)
            if purges is not None and purges.due():
                self._purge()
            if options["once"] or (options["burst"] and not outcome.total):
                return
            if options["burst"]:
                continue
            time.sleep(options["sleep"])

    def _purge(self) -> None:
        outcome = purge_expired()  # logs an app that fails; the others still run
        for line in outcome.lines(skip_zero=True):
            self.stdout.write(f"Removed expired data: {line}")
