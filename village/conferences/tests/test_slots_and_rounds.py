"""Rounds, and slots made from a stretch of time: cut set-based, checked, withdrawn."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.conferences import notices
from village.conferences.models import BookingState, Mode, Slot
from village.conferences.services.bookings import booking_create
from village.conferences.services.rounds import RoundSpec, round_create
from village.conferences.services.slots import (
    PlaceChange,
    SlotRange,
    slot_cancel,
    slot_change_place,
    slot_times,
)
from village.conferences.tests.factories import add_slots, conference_day, open_round
from village.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def test_three_hours_of_15_minutes_with_5_between_make_nine_slots():
    spec = SlotRange(
        day=dt.date(2026, 11, 3), start=dt.time(15), end=dt.time(18), minutes=15, gap=5
    )
    times = slot_times(spec, CHICAGO)
    assert [moment.strftime("%H:%M") for moment in times] == [
        "15:00",
        "15:20",
        "15:40",
        "16:00",
        "16:20",
        "16:40",
        "17:00",
        "17:20",
        "17:40",
    ]
    assert all(moment.tzinfo == CHICAGO for moment in times)


def test_the_last_slot_must_end_by_the_end():
    spec = SlotRange(day=dt.date(2026, 11, 3), start=dt.time(15), end=dt.time(15, 50), minutes=20)
    assert [moment.strftime("%H:%M") for moment in slot_times(spec, CHICAGO)] == ["15:00", "15:20"]


def test_slots_are_written_in_one_insert_in_the_schools_time(personas):
    conference_round = open_round(personas)
    with CaptureQueriesContext(connection) as captured:
        made = add_slots(
            conference_round, personas.rivera, start=dt.time(15), end=dt.time(18), minutes=10, gap=0
        )
    inserts = [q for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    slot_inserts = [q for q in inserts if "conferences_slot" in q["sql"]]
    assert len(slot_inserts) == 1
    assert len(made) == 18
    first = made[0].starts_at.astimezone(CHICAGO)
    assert (first.date(), first.time()) == (conference_day(), dt.time(15))
    assert {slot.minutes for slot in made} == {10}
    assert Slot.objects.filter(teacher=personas.rivera).count() == 18


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": dt.time(14)}, "end"),
        ({"end": dt.time(15, 10)}, "end"),
        ({"minutes": 3}, "minutes"),
        ({"gap": -1}, "gap"),
        ({"mode": "carrier pigeon"}, "mode"),
        ({"mode": Mode.VIDEO, "place": "meet.example.org/rivera"}, "place"),
        ({"place": "Room\n12"}, "place"),
        ({"start": dt.time(0), "end": dt.time(23, 59), "minutes": 10}, "end"),
        ({"day": dt.date(2020, 1, 1)}, "day"),
    ],
)
def test_a_stretch_that_makes_no_sense_is_refused_naming_the_field(personas, change, field):
    conference_round = open_round(personas)
    with pytest.raises(ValidationError) as caught:
        add_slots(conference_round, personas.rivera, **change)
    assert field in caught.value.message_dict
    assert not Slot.objects.exists()


def test_times_overlapping_the_teachers_slots_are_refused(personas):
    conference_round = open_round(personas)
    add_slots(conference_round, personas.rivera, start=dt.time(15), end=dt.time(16))
    other = open_round(personas, title="Spring conferences")
    with pytest.raises(ValidationError) as caught:
        add_slots(other, personas.rivera, start=dt.time(15, 50), end=dt.time(17))
    assert "overlap" in caught.value.message_dict["start"][0]
    # another teacher at the same time is fine
    add_slots(other, personas.chen, start=dt.time(15, 50), end=dt.time(17))


def test_a_slot_for_one_class_must_be_one_of_the_teachers(personas):
    conference_round = open_round(personas)
    add_slots(conference_round, personas.rivera, school_class=personas.science8)
    with pytest.raises(ValidationError) as caught:
        add_slots(
            conference_round,
            personas.rivera,
            school_class=personas.math8,
            start=dt.time(17),
            end=dt.time(18),
        )
    assert "school_class" in caught.value.message_dict


def test_a_round_must_close_after_it_opens_and_have_a_title(personas):
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        round_create(
            school=personas.school,
            by=personas.nguyen,
            spec=RoundSpec(title=" ", opens_at=now, closes_at=now, cutoff_hours=999),
        )
    assert set(caught.value.message_dict) == {"title", "closes_at", "cutoff_hours"}


def test_withdrawing_a_booked_slot_cancels_the_booking_and_tells_the_family(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    slot_cancel(slot=conferences.rivera[0], by=people.rivera, note="A staff meeting was moved")
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    assert booking.cancelled_by == people.rivera
    assert booking.cancel_note == "A staff meeting was moved"
    told = Notification.objects.get(recipient=people.sam, kind=notices.CANCELLED)
    assert "A staff meeting was moved" in told.body
    with pytest.raises(ValidationError):
        slot_cancel(slot=conferences.rivera[0], by=people.rivera)


def test_withdrawing_a_free_slot_tells_nobody(conferences):
    slot_cancel(slot=conferences.rivera[1], by=conferences.people.rivera)
    assert not Notification.objects.exists()
    assert Slot.objects.get(pk=conferences.rivera[1].pk).cancelled


# --- another place for a time ------------------------------------------------------------------


def test_moving_a_booked_time_to_another_room_sends_both_the_updated_invitation(conferences):
    people = conferences.people
    slot = conferences.rivera[0]
    booking = booking_create(guardian=people.sam, child=people.leo, slot=slot)
    changed = slot_change_place(slot=slot, change=PlaceChange(Mode.IN_PERSON, " Library "))
    assert (changed.mode, changed.place) == (Mode.IN_PERSON, "Library")
    booking.refresh_from_db()
    assert booking.sequence == 1
    told = Notification.objects.get(recipient=people.sam, kind=notices.MOVED)
    assert "Library" in told.title  # Sam reads Spanish: the place is as the teacher wrote it
    assert (
        Notification.objects.filter(recipient=people.rivera, kind=notices.TEACHER_BOOKINGS).count()
        == 2
    )  # booked, then changed
    latest = {
        row.recipient_id: row.calendar
        for row in Delivery.objects.filter(notification__key__endswith=f":{booking.pk}:1")
    }
    assert set(latest) == {people.sam.pk, people.rivera.pk}
    for calendar in latest.values():
        assert "METHOD:REQUEST" in calendar
        assert "SEQUENCE:1" in calendar
        assert f"UID:conference-booking-{booking.pk}@" in calendar
        assert "Library" in calendar.split("LOCATION:", 1)[1].split("\r\n", 1)[0]


def test_the_same_place_again_or_a_free_time_tells_nobody(conferences):
    slot = conferences.rivera[1]
    slot_change_place(slot=slot, change=PlaceChange(slot.mode, slot.place))
    slot_change_place(slot=slot, change=PlaceChange(Mode.PHONE, "+1 555 0100"))
    assert not Notification.objects.exists()
    assert Slot.objects.get(pk=slot.pk).mode == Mode.PHONE


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (PlaceChange(Mode.VIDEO, "meet.example.org/leo"), "place"),
        (PlaceChange("pigeon", ""), "mode"),
        (PlaceChange(Mode.IN_PERSON, "Room\n12"), "place"),
    ],
)
def test_a_place_that_makes_no_sense_is_refused_naming_the_field(conferences, change, field):
    slot = conferences.rivera[0]
    with pytest.raises(ValidationError) as caught:
        slot_change_place(slot=slot, change=change)
    assert set(caught.value.message_dict) == {field}
    assert Slot.objects.get(pk=slot.pk).place == slot.place


def test_a_withdrawn_or_past_time_keeps_its_place(conferences):
    people = conferences.people
    slot = conferences.rivera[0]
    slot_cancel(slot=slot, by=people.rivera)
    with pytest.raises(ValidationError) as caught:
        slot_change_place(slot=slot, change=PlaceChange(Mode.PHONE, "+1 555 0100"))
    assert set(caught.value.message_dict) == {"slot"}
    later = conferences.rivera[1].ends_at + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError):
        slot_change_place(
            slot=conferences.rivera[1], change=PlaceChange(Mode.PHONE, "+1"), now=later
        )
