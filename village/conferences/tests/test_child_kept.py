"""The conferences section of a child's page is kept between requests
(``village.families.sections``): the next request reads no conference, every change a family
must see (a booking made, moved or cancelled, a round changed, a teacher's last free time taken)
shows on the next request, the clock alone opens a round and ends a conference, and one
guardian's kept section is never another's."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.authorization import client_for
from village.accounts.models import User
from village.conferences.models import ConferenceRound
from village.conferences.services.bookings import (
    booking_cancel,
    booking_create,
    booking_reschedule,
)
from village.conferences.services.rounds import RoundSpec, round_update
from village.conferences.services.slots import PlaceChange, slot_cancel, slot_change_place
from village.conferences.tests.conftest import Conferences
from village.conferences.tests.factories import add_slots, conference_day, open_round
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db


def english(user: User) -> User:
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def child_url(child: User, *, printing: bool = False) -> str:
    return f"/family/children/{child.pk}/{'print/' if printing else ''}"


def section(client: Client, child: User, *, printing: bool = False) -> str:
    """The conferences section of the child's page (with typographic apostrophes as plain
    ones), or "" when the page has none."""
    response = client.get(child_url(child, printing=printing))
    assert response.status_code == 200
    html = response.content.decode().replace("\u2019", "'")
    heading = "conferences-print" if printing else f"conferences-{child.pk}"
    marker = f'aria-labelledby="{heading}"'
    if marker not in html:
        return ""
    start = html.index(marker)
    return html[start : html.index("</section>", start)]


def conference_queries(client: Client, child: User) -> int:
    """The queries of one request of the child's page that read conferences' tables."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(child_url(child)).status_code == 200
    return sum('"conferences_' in query["sql"] for query in queries.captured_queries)


def with_round(conference_round: ConferenceRound, **changes: object) -> ConferenceRound:
    """The round as a school admin changes it on its page: ``changes`` to its ``RoundSpec``."""
    spec = {
        "title": conference_round.title,
        "opens_at": conference_round.opens_at,
        "closes_at": conference_round.closes_at,
        "cutoff_hours": conference_round.cutoff_hours,
        "published": conference_round.published,
        "households_apart": conference_round.households_apart,
        **changes,
    }
    return round_update(conference_round=conference_round, spec=RoundSpec(**spec))  # type: ignore[arg-type]


@pytest.fixture
def sam(conferences: Conferences) -> Client:
    return client_for(english(conferences.people.sam))


# --- kept ----------------------------------------------------------------------------------------


def test_the_next_request_reads_no_conference_and_shows_the_same(
    conferences: Conferences, sam: Client
):
    leo = conferences.people.leo
    booking_create(guardian=conferences.people.sam, child=leo, slot=conferences.rivera[0])
    first = section(sam, leo)
    assert "With Elena Rivera" in first
    assert conference_queries(sam, leo) == 0
    assert section(sam, leo) == first
    assert "with Elena Rivera" in section(sam, leo, printing=True)
    assert "with Elena Rivera" in section(sam, leo, printing=True)


# --- writes show at once -------------------------------------------------------------------------


def test_a_booking_made_moved_and_cancelled_shows_on_the_next_request(
    conferences: Conferences, sam: Client
):
    c = conferences
    leo = c.people.leo
    assert "With Elena Rivera" not in section(sam, leo)
    booking = booking_create(guardian=c.people.sam, child=leo, slot=c.rivera[0])
    assert f"/conferences/family/bookings/{booking.pk}/" in section(sam, leo)
    assert "with Elena Rivera" in section(sam, leo, printing=True)
    before = section(sam, leo)
    booking_reschedule(booking=booking, slot=c.rivera[2])
    moved = section(sam, leo)
    assert moved != before
    assert moved.count("With Elena Rivera") == 1
    booking_cancel(booking=booking, by=c.people.sam)
    assert "With Elena Rivera" not in section(sam, leo)
    assert section(sam, leo, printing=True) == ""


def test_a_round_renamed_or_withdrawn_shows_on_the_next_request(
    conferences: Conferences, sam: Client
):
    leo = conferences.people.leo
    assert "Fall conferences" in section(sam, leo)
    with_round(conferences.round, title="Autumn conferences")
    assert "Autumn conferences" in section(sam, leo)
    with_round(conferences.round, published=False)
    assert "Autumn conferences" not in section(sam, leo)


def test_times_a_teacher_adds_or_withdraws_show_on_the_next_request(
    conferences: Conferences, sam: Client
):
    c = conferences
    ada = c.people.ada  # Ms. Rivera's homeroom
    for slot in c.rivera:
        slot_cancel(slot=slot, by=c.people.rivera)
    assert "See Ada's teachers" in section(sam, ada)
    add_slots(c.round, c.people.rivera, start=dt.time(17, 0), end=dt.time(17, 15))
    assert "Book Ada's conference (1 teacher)" in section(sam, ada)


def test_a_place_changed_shows_on_the_next_request(conferences: Conferences, sam: Client):
    c = conferences
    booking_create(guardian=c.people.sam, child=c.people.leo, slot=c.chen[0])
    assert "Room 21" in section(sam, c.people.leo)
    slot_change_place(slot=c.chen[0], change=PlaceChange(mode="in_person", place="Library"))
    kept = section(sam, c.people.leo)
    assert "Library" in kept
    assert "Room 21" not in kept


def test_a_teachers_last_free_time_taken_for_another_child_shows_on_the_next_request(
    conferences: Conferences, sam: Client
):
    """Ms. Rivera teaches Ada and Leo: once Leo's booking takes her last free time, nobody is
    left for Ada to book, though nothing of Ada's changed."""
    c = conferences
    ada, leo = c.people.ada, c.people.leo
    for slot in c.rivera[1:]:
        slot_cancel(slot=slot, by=c.people.rivera)
    assert "Book Ada's conference (1 teacher)" in section(sam, ada)
    booking = booking_create(guardian=c.people.sam, child=leo, slot=c.rivera[0])
    assert "See Ada's teachers" in section(sam, ada)
    booking_cancel(booking=booking, by=c.people.sam)
    assert "Book Ada's conference (1 teacher)" in section(sam, ada)


# --- the clock -----------------------------------------------------------------------------------


def test_a_round_opening_shows_without_a_write(personas: Personas):
    """Within the few minutes the families' keep bounds every section by: the moment comes
    from the section."""
    sam = client_for(english(personas.sam))
    opening = open_round(personas, opens_in=dt.timedelta(minutes=2))
    add_slots(opening, personas.rivera)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert "Booking opens" in section(sam, personas.ada)
        assert "Booking opens" in section(sam, personas.ada)  # kept
    with time_machine.travel(opening.opens_at + dt.timedelta(seconds=30), tick=False):
        opened = section(sam, personas.ada)
    assert "Booking opens" not in opened
    assert "Book Ada's conference (1 teacher)" in opened


def test_a_teachers_last_time_passing_the_cutoff_shows_without_a_write(
    conferences: Conferences, sam: Client
):
    """Ms. Rivera's last free time may be booked until a day before it starts."""
    c = conferences
    for slot in c.rivera[:2]:
        slot_cancel(slot=slot, by=c.people.rivera)
    until = c.rivera[2].starts_at - c.round.cutoff
    with time_machine.travel(until - dt.timedelta(minutes=2), tick=False):
        assert "Book Ada's conference (1 teacher)" in section(sam, c.people.ada)
        assert "Book Ada's conference (1 teacher)" in section(sam, c.people.ada)  # kept
    with time_machine.travel(until + dt.timedelta(seconds=30), tick=False):
        assert "See Ada's teachers" in section(sam, c.people.ada)


def test_a_conference_ending_leaves_the_section_without_a_write(
    conferences: Conferences, sam: Client
):
    """A conference in a round still open then (one of a round closed since leaves the section
    as it starts)."""
    c = conferences
    later = open_round(c.people, title="Winter conferences", closes_in=dt.timedelta(days=9))
    slot = add_slots(later, c.people.chen, day=conference_day() + dt.timedelta(days=1))[0]
    booking_create(guardian=c.people.sam, child=c.people.leo, slot=slot)
    with time_machine.travel(slot.ends_at - dt.timedelta(minutes=2), tick=False):
        assert "With David Chen" in section(sam, c.people.leo)
        assert "With David Chen" in section(sam, c.people.leo)  # kept
    with time_machine.travel(slot.ends_at + dt.timedelta(seconds=30), tick=False):
        assert "With David Chen" not in section(sam, c.people.leo)


# --- whose ---------------------------------------------------------------------------------------


def test_another_guardian_never_gets_the_kept_section(apart: Conferences):
    """Leo's home and Jordan's household each see their own conferences only, kept or not."""
    people = apart.people
    home = booking_create(guardian=people.sam, child=people.leo, slot=apart.rivera[0])
    sam = client_for(english(people.sam))
    jordan = client_for(english(people.jordan))
    for _twice in range(2):
        assert f"/conferences/family/bookings/{home.pk}/" in section(sam, people.leo)
        assert f"/conferences/family/bookings/{home.pk}/" not in section(jordan, people.leo)
    own = booking_create(guardian=people.jordan, child=people.leo, slot=apart.rivera[2])
    assert f"/conferences/family/bookings/{own.pk}/" in section(jordan, people.leo)
    assert f"/conferences/family/bookings/{own.pk}/" not in section(sam, people.leo)
