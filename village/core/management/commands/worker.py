"""``village worker``: deliver queued email, retrying what the mail server refused.

Email is written to the database when it is sent (django-mailer's backend); this loop hands it to
the real mail backend. A message that fails is *deferred*, never dropped, and put back in the queue
every ``--retry-every`` seconds until ``MAILER_EMAIL_MAX_RETRIES`` is reached. Several workers may
run: django-mailer's lock keeps them from sending a message twice.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Deliver queued email and retry deferred messages, forever (or once with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is queued, then stop.")
        parser.add_argument("--sleep", type=float, default=5.0, help="Seconds between passes.")
        parser.add_argument(
            "--retry-every",
            type=float,
            default=300.0,
            help="Seconds between retries of deferred mail.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mailer import engine
        from mailer.models import Message

        last_retry = 0.0
        while True:
            now = time.monotonic()
            if now - last_retry >= options["retry_every"]:
                retried = Message.objects.retry_deferred()
                if retried:
                    self.stdout.write(f"Retrying {retried} deferred message(s).")
                last_retry = now
            engine.send_all()
            if options["once"]:
                return
            time.sleep(options["sleep"])
