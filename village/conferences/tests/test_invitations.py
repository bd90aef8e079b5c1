"""Calendar invitations read by parsers Village does not write: libical (with its iTIP
restriction check, which knows what REQUEST and CANCEL must hold) and ical.js. Both must accept
every message of a booking's life and read back the same: one UID throughout, SEQUENCE counting
up, the teacher as ORGANIZER and the guardian as ATTENDEE, the child's name in the description,
awkward text intact. Missing parsers fail these tests (see ``test_calendar_parsers``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from village.calendar.tests.test_calendar_parsers import read_with_icaljs, read_with_libical
from village.conferences.models import Mode
from village.conferences.services.bookings import (
    booking_cancel,
    booking_create,
    booking_reschedule,
)
from village.conferences.tests.factories import add_slots
from village.notifications.models import Delivery

pytestmark = pytest.mark.django_db

PLACE = 'Room 12, Building "B"; upstairs \\ left'
NOTE = "Lectura en casa; ¿cómo ayudar? 📚"


def _read(tmp_path: Path, calendar: str, name: str) -> dict[str, Any]:
    path = tmp_path / f"{name}.ics"
    path.write_bytes(calendar.encode())
    libical = read_with_libical(path)
    icaljs = read_with_icaljs(path)
    assert libical["method"] == icaljs["method"]
    (one,) = libical["events"]
    (other,) = icaljs["events"]
    same = ("uid", "sequence", "status", "organizer", "attendees", "summary", "description")
    assert {key: one[key] for key in same} == {key: other[key] for key in same}
    assert one["location"] == other["location"]
    assert one["dtstart"].replace("-", "").replace(":", "") == other["dtstart"].replace(
        "-", ""
    ).replace(":", "")
    return {"method": libical["method"], **one}


def _invitations(address: str) -> list[str]:
    return list(
        Delivery.objects.filter(address=address).order_by("id").values_list("calendar", flat=True)
    )


def test_a_bookings_request_move_and_cancel_parse_in_libical_and_icaljs(conferences, tmp_path):
    people = conferences.people
    (slot,) = add_slots(
        conferences.round,
        people.rivera,
        start=dt.time(17, 0),
        end=dt.time(17, 30),
        minutes=30,
        place=PLACE,
    )
    booking = booking_create(
        guardian=people.sam,
        child=people.leo,
        slot=conferences.rivera[0],
        interpreter_language="es",
        note=NOTE,
    )
    booking_reschedule(booking=booking, slot=slot)
    booking_cancel(booking=booking, by=people.rivera, note="Enfermedad, lo siento", by_school=True)

    family = [
        _read(tmp_path, text, f"family-{n}")
        for n, text in enumerate(_invitations(people.sam.email))
    ]
    teacher = [
        _read(tmp_path, text, f"teacher-{n}")
        for n, text in enumerate(_invitations(people.rivera.email))
    ]
    for reads in (family, teacher):
        assert [read["method"] for read in reads] == ["REQUEST", "REQUEST", "CANCEL"]
        assert [read["sequence"] for read in reads] == [0, 1, 2]
        assert [read["status"] for read in reads] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
        assert {read["uid"] for read in reads} == {
            f"conference-booking-{booking.pk}@village.invalid"
        }
        assert {read["organizer"] for read in reads} == {f"mailto:{people.rivera.email}"}
        assert {tuple(read["attendees"]) for read in reads} == {(f"mailto:{people.sam.email}",)}
        assert reads[1]["location"].endswith(PLACE)
        assert "Leo Okoye" in reads[0]["description"]
        assert NOTE in reads[0]["description"]
    # each side in their own language: Sam reads Spanish, Ms. Rivera English
    assert teacher[0]["summary"] == "Conference about Leo with Elena Rivera"
    assert family[0]["summary"] != teacher[0]["summary"]
    assert "Enfermedad, lo siento" in family[2]["description"]


def test_a_video_conference_names_its_link(conferences, tmp_path):
    people = conferences.people
    (slot,) = add_slots(
        conferences.round,
        people.chen,
        start=dt.time(18),
        end=dt.time(18, 15),
        mode=Mode.VIDEO,
        place="https://meet.example.org/chen?room=8,a",
    )
    booking_create(guardian=people.sam, child=people.leo, slot=slot)
    (calendar,) = _invitations(people.chen.email)
    read = _read(tmp_path, calendar, "video")
    assert read["location"] == "By video: https://meet.example.org/chen?room=8,a"


def test_the_calendar_file_of_the_booking_page_parses_too(conferences, tmp_path):
    from tests.authorization import client_for

    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    booking_cancel(booking=booking, by=people.sam)
    response = client_for(people.sam).get(
        f"/conferences/family/bookings/{booking.pk}/invitation.ics"
    )
    read = _read(tmp_path, response.content.decode(), "download")
    assert (read["method"], read["sequence"], read["status"]) == ("CANCEL", 1, "CANCELLED")
