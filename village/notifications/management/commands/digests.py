"""``village digests send [--now] [--school ID] [--processes N]``: queue the weekly family
digests that are due.

A school's digest goes out on its day and hour (Friday 16:00 unless the school chose another)
in each guardian's time zone; ``--now`` queues every guardian's digest of this week whatever the
schedule. Either way a guardian's digest of a week is written once: running it again sends
nothing new. ``village worker`` sends what is queued (and queues what falls due by itself).
``--processes N`` composes a large evening in N processes (one per core at most).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from village.community.models import Organisation, OrgKind
from village.notifications.services.digests import queue_due


class Command(BaseCommand):
    help = "Queue the weekly family digests that are due."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        send = actions.add_parser("send", help="Queue the digests that are due.")
        send.add_argument(
            "--now",
            action="store_true",
            help="Queue every guardian's digest of this week, whatever the schedule.",
        )
        send.add_argument(
            "--school",
            type=int,
            default=None,
            metavar="ID",
            help="Only the families of this school's students (its id).",
        )
        send.add_argument(
            "--processes",
            type=int,
            default=1,
            metavar="N",
            help="Compose in N processes (up to one per core; a whole district's digests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school_id = options["school"]
        if (
            school_id is not None
            and not Organisation.objects.filter(pk=school_id, kind=OrgKind.SCHOOL).exists()
        ):
            raise CommandError(f"No school has the id {school_id}.")
        if options["processes"] < 1:
            raise CommandError("--processes must be 1 or more.")
        outcome = queue_due(
            school_id=school_id, everyone=options["now"], processes=options["processes"]
        )
        self.stdout.write(
            f"{outcome.considered} digest(s) composed, {outcome.emailed} emailed "
            f"({outcome.considered - outcome.emailed} with nothing to send)."
        )
