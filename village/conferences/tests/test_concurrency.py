"""Two families booking the same time at the same moment, on PostgreSQL with two connections:
exactly one wins; the other is told the time was just taken."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.authorization import olga_at_both_schools
from village.conferences.models import Booking, BookingState
from village.conferences.services.bookings import booking_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite's shared in-memory test database refuses a second writer at once ("table is
    # locked") instead of waiting, so parallel requests cannot be simulated there.
    pytest.mark.postgresql,
]


def race(*attempts) -> list[str]:
    """Run the attempts in threads released together; each one's outcome."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(attempts))

    def one(attempt) -> None:
        start.wait()
        try:
            attempt()
        except ValidationError as error:
            outcome = " ".join(error.message_dict.get("slot", ["other"]))
        except Exception as error:  # counted, and fails the test
            outcome = f"error: {error!r}"
        else:
            outcome = "booked"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=one, args=(attempt,)) for attempt in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_guardians_booking_one_time_at_once_exactly_one_wins(conferences):
    people = conferences.people
    olga = olga_at_both_schools(people)
    for slot in conferences.rivera:
        outcomes = race(
            lambda slot=slot: booking_create(guardian=people.sam, child=people.leo, slot=slot),
            lambda slot=slot: booking_create(guardian=olga, child=people.maya, slot=slot),
        )
        assert sorted(outcomes) == [
            "Someone has just booked this time. Choose another.",
            "booked",
        ], outcomes
        assert Booking.objects.filter(slot=slot, state=BookingState.BOOKED).count() == 1
        Booking.objects.filter(slot=slot).update(state=BookingState.CANCELLED)


def test_one_family_booking_two_times_with_one_teacher_at_once_gets_one(conferences):
    people = conferences.people
    first, second = conferences.rivera[:2]
    outcomes = race(
        lambda: booking_create(guardian=people.sam, child=people.leo, slot=first),
        lambda: booking_create(guardian=people.jordan, child=people.leo, slot=second),
    )
    assert sorted(outcomes) == [
        "Leo already has a conference with Elena Rivera in this round: move that one instead.",
        "booked",
    ], outcomes
    assert Booking.objects.filter(child=people.leo, state=BookingState.BOOKED).count() == 1


def test_two_households_booking_one_teacher_at_once_both_win_but_one_household_once(apart):
    """A round that keeps households apart: Sam (the home) and Jordan (his own) book Leo with
    Ms. Rivera at the same moment, at two times: both win. Jordan twice at once: one wins, the
    other is told he has one already (the database's rule is per household)."""
    people = apart.people
    first, second, third = apart.rivera
    outcomes = race(
        lambda: booking_create(guardian=people.sam, child=people.leo, slot=first),
        lambda: booking_create(guardian=people.jordan, child=people.leo, slot=second),
    )
    assert outcomes == ["booked", "booked"], outcomes
    Booking.objects.filter(guardian=people.jordan).update(state=BookingState.CANCELLED)
    outcomes = race(
        lambda: booking_create(guardian=people.jordan, child=people.leo, slot=second),
        lambda: booking_create(guardian=people.jordan, child=people.leo, slot=third),
    )
    assert sorted(outcomes) == [
        "Leo already has a conference with Elena Rivera in this round: move that one instead.",
        "booked",
    ], outcomes
    households = Booking.objects.filter(child=people.leo, state=BookingState.BOOKED)
    assert sorted(households.values_list("household", flat=True)) == [0, people.jordan.pk]
