"""``village purge``: remove data Village no longer needs, as each app's retention says.

Each installed app whose ``AppConfig`` has ``purge_expired`` removes what is past its retention
(periods are set with the ``VILLAGE_RETAIN_*`` variables). Prints one ``app.kind: count`` line
per kind. ``village worker`` does the same about once an hour; this command is for a cron job or
a one-off clean-up.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from village.core.retention import purge_expired


class Command(BaseCommand):
    help = "Remove expired data (old failed attempts, finished codes, old uploaded files)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = purge_expired()
        for line in outcome.lines():
            self.stdout.write(line)
        if outcome.failed:
            raise CommandError(
                f"Removing expired data failed for: {', '.join(outcome.failed)} (see the log)."
            )
