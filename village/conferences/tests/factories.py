"""Conference rounds and slots for the tests, and separated households (Jordan, Leo's father,
who does not live with him, taking part; a round keeping households apart), made through the
services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.accounts.models import User
from village.community.models import GuardianLink, SchoolClass, Scope
from village.community.services import guardian_link_set_access
from village.conferences.models import ConferenceRound, Mode, Slot
from village.conferences.services.rounds import RoundSpec, round_create, round_update
from village.conferences.services.slots import SlotRange, slots_generate
from village.demo.personas import Personas

#: Conferences are held this many days from today, from 15:00 (the school's time).
DAYS_AHEAD = 4


def conference_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=DAYS_AHEAD)


def open_round(
    personas: Personas,
    *,
    title: str = "Fall conferences",
    published: bool = True,
    opens_in: dt.timedelta = dt.timedelta(days=-1),
    closes_in: dt.timedelta = dt.timedelta(days=3),
    cutoff_hours: int = 24,
    school: object = None,
    by: User | None = None,
) -> ConferenceRound:
    """A round at Riverside K-8 (or ``school``), open for booking now unless told otherwise."""
    now = timezone.now()
    return round_create(
        school=school or personas.school,  # type: ignore[arg-type]
        by=by or personas.nguyen,
        spec=RoundSpec(
            title=title,
            opens_at=now + opens_in,
            closes_at=now + closes_in,
            cutoff_hours=cutoff_hours,
            published=published,
        ),
    )


def add_slots(
    conference_round: ConferenceRound,
    teacher: User,
    *,
    day: dt.date | None = None,
    start: dt.time = dt.time(15, 0),
    end: dt.time = dt.time(16, 0),
    minutes: int = 15,
    gap: int = 5,
    mode: str = Mode.IN_PERSON,
    place: str = "Room 12",
    school_class: SchoolClass | None = None,
) -> list[Slot]:
    """15:00 to 16:00 by default: three slots of 15 minutes, 5 minutes apart."""
    return slots_generate(
        conference_round=conference_round,
        teacher=teacher,
        spec=SlotRange(
            day=day or conference_day(),
            start=start,
            end=end,
            minutes=minutes,
            gap=gap,
            mode=mode,
            place=place,
            school_class=school_class,
        ),
    )


def jordan_talks_with_school(personas: Personas) -> User:
    """Jordan's link to Leo allows messages too, so he books Leo's conferences; he still does
    not live with Leo."""
    link = GuardianLink.objects.get(guardian=personas.jordan, student=personas.leo)
    guardian_link_set_access(
        link=link,
        scopes=[*link.scopes, Scope.MESSAGES],
        no_access=False,
        access_note=link.access_note,
    )
    return personas.jordan


def keep_households_apart(conference_round: ConferenceRound, on: bool = True) -> ConferenceRound:
    """The round keeps households apart (``on=False``: no longer), all else as it was."""
    return round_update(
        conference_round=conference_round,
        spec=RoundSpec(
            title=conference_round.title,
            opens_at=conference_round.opens_at,
            closes_at=conference_round.closes_at,
            cutoff_hours=conference_round.cutoff_hours,
            published=conference_round.published,
            households_apart=on,
        ),
    )


def assert_queries_do_not_grow(
    client: Client, path: str, grow: Callable[[], None], django_assert_num_queries: Any
) -> None:
    """``path`` answers 200 with as many queries after ``grow()`` as before it (each counted on
    a second look, once anything kept from the first is there)."""
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    baseline = len(few.captured_queries)  # read now: the next request clears the log
    grow()
    client.get(path)
    with django_assert_num_queries(baseline):
        assert client.get(path).status_code == 200
