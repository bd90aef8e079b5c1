"""``village demo``: build the demo school once, then print who to sign in as."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from village.demo.announcements import demo_announcements_build
from village.demo.classwork.term import demo_classwork_build
from village.demo.community.school import (
    DEMO_SEED,
    demo_community_build,
    demo_school_counts,
    demo_school_delete,
    demo_school_exists,
)
from village.demo.conferences.build import demo_conferences_build
from village.demo.families.build import demo_families_build
from village.demo.goals import demo_goals_build
from village.demo.logins import logins_table
from village.demo.messaging import demo_messaging_build
from village.demo.notifications import demo_notifications_build
from village.demo.support import demo_support_build


class Command(BaseCommand):
    help = (
        "Create the demo school (Riverside K-8 and Oak Hill Elementary, with the personas) if it "
        "is not there yet, and print the demo logins. --reset deletes and rebuilds it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo data and build it again."
        )
        parser.add_argument(
            "--address",
            default="http://127.0.0.1:8000/",
            help="The address the web server will serve, printed for signing in.",
        )

    def handle(
        self,
        *args: Any,
        reset: bool = False,
        address: str = "http://127.0.0.1:8000/",
        **options: Any,
    ) -> None:
        started = time.perf_counter()
        if reset:
            deleted = demo_school_delete()
            self.stdout.write(f"Deleted the demo data ({deleted} rows).")
        if demo_school_exists():
            self.stdout.write("The demo school is already there; nothing was changed.")
        else:
            counts = _build()
            summary = ", ".join(f"{count} {label}" for label, count in counts.items())
            seconds = time.perf_counter() - started
            self.stdout.write(self.style.SUCCESS(f"Built the demo school in {seconds:.1f} s:"))
            self.stdout.write(f"  {summary}.")
        self.stdout.write("")
        self.stdout.write(logins_table())
        self.stdout.write("")
        self.stdout.write(f"Sign in at {address}")


def _build() -> dict[str, int]:
    """Each domain's part of the demo district, in order, in one transaction; its counts."""
    today = timezone.localdate()
    with transaction.atomic():
        community = demo_community_build(today=today)
        demo_families_build(community, seed=DEMO_SEED)
        classwork = demo_classwork_build(today=today, seed=DEMO_SEED)
        conversations = demo_messaging_build()
        notifications = demo_notifications_build()
        conferences = demo_conferences_build()
        announcements = demo_announcements_build()
        goals = demo_goals_build()
        support = demo_support_build(today=today)
        return (
            demo_school_counts()
            | classwork
            | conversations
            | notifications
            | conferences
            | announcements
            | goals
            | support
        )
