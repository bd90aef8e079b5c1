"""The conference endpoints: published in OpenAPI, answering through the policy, and refusing
bad input with 422 naming the field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.authorization import api_client_for
from village.conferences.models import Booking, BookingState, Slot
from village.conferences.services.bookings import booking_create
from village.conferences.tests.factories import conference_day

pytestmark = pytest.mark.django_db

API = "/api/v1/conferences"


def post(client, path: str, body: dict[str, Any]):
    return client.post(path, json.dumps(body), content_type="application/json")


def fields(response) -> list[str]:
    assert response.status_code == 422, response.content
    return [error["loc"][-1] for error in response.json()["detail"]]


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        f"{API}/rounds",
        f"{API}/rounds/{{round_id}}",
        f"{API}/rounds/{{round_id}}/slots",
        f"{API}/slots/{{slot_id}}/cancel",
        f"{API}/slots/{{slot_id}}/place",
        f"{API}/children/{{child_id}}/slots",
        f"{API}/bookings",
        f"{API}/bookings/{{booking_id}}",
        f"{API}/bookings/{{booking_id}}/reschedule",
        f"{API}/bookings/{{booking_id}}/cancel",
    ):
        assert path in paths, path
    assert paths[f"{API}/bookings"]["post"]["tags"] == ["conferences"]


def test_a_guardian_books_moves_and_cancels_through_the_api(conferences):
    people = conferences.people
    sam = api_client_for(people.sam)
    made = post(
        sam,
        f"{API}/bookings",
        {
            "child_id": people.leo.pk,
            "slot_id": conferences.rivera[0].pk,
            "interpreter_language": "es",
        },
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["child"]["name"], body["interpreter_language"], body["sequence"]) == (
        "Leo Okoye",
        "es",
        0,
    )
    moved = post(
        sam, f"{API}/bookings/{body['id']}/reschedule", {"slot_id": conferences.rivera[2].pk}
    )
    assert moved.status_code == 200
    assert (moved.json()["slot"]["id"], moved.json()["sequence"]) == (conferences.rivera[2].pk, 1)
    cancelled = post(sam, f"{API}/bookings/{body['id']}/cancel", {"note": "Sick"})
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["sequence"] == 2


def test_free_slots_put_those_next_to_the_familys_conferences_first(conferences):
    people = conferences.people
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    answer = api_client_for(people.sam).get(
        f"{API}/children/{people.ada.pk}/slots",
        {"round_id": conferences.round.pk, "teacher_id": people.rivera.pk},
    )
    slots = answer.json()
    assert [slot["id"] for slot in slots] == [conferences.rivera[1].pk, conferences.rivera[2].pk]
    assert [slot["suggested"] for slot in slots] == [True, False]
    assert slots[0]["next_to_booking_id"] == Booking.objects.get().pk
    assert all(slot["booked"] is False for slot in slots)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"interpreter_language": "klingon"}, "interpreter_language"),
        ({"interpreter_language": "x" * 17}, "interpreter_language"),
        ({"note": "x" * 501}, "note"),
        ({"slot_id": 0}, "slot_id"),
        ({"child_id": "leo"}, "child_id"),
    ],
)
def test_bad_booking_input_is_refused_naming_the_field(conferences, body, field):
    people = conferences.people
    payload = {"child_id": people.leo.pk, "slot_id": conferences.rivera[0].pk, **body}
    response = post(api_client_for(people.sam), f"{API}/bookings", payload)
    assert field in fields(response)
    assert not Booking.objects.exists()


def test_a_time_taken_and_changes_after_the_cut_off_are_refused_naming_the_field(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.ada, slot=conferences.rivera[0])
    sam = api_client_for(people.sam)
    taken = post(
        sam, f"{API}/bookings", {"child_id": people.leo.pk, "slot_id": conferences.rivera[0].pk}
    )
    assert fields(taken) == ["slot_id"]
    assert taken.json()["detail"][0]["msg"] == "Someone has just booked this time. Choose another."
    with time_machine.travel(booking.slot.starts_at - dt.timedelta(hours=1), tick=False):
        late = post(sam, f"{API}/bookings/{booking.pk}/cancel", {})
    assert fields(late) == ["booking_id"]
    assert "contact the school" in late.json()["detail"][0]["msg"]
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_staff_make_a_round_and_slots_and_are_told_what_is_wrong(conferences):
    people = conferences.people
    nguyen = api_client_for(people.nguyen)
    now = timezone.now()
    bad = post(
        nguyen,
        f"{API}/rounds",
        {
            "school_id": people.school.pk,
            "title": "Spring",
            "opens_at": now.isoformat(),
            "closes_at": (now - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert fields(bad) == ["closes_at"]
    made = post(
        nguyen,
        f"{API}/rounds",
        {
            "school_id": people.school.pk,
            "title": "Spring",
            "opens_at": "2031-03-01T08:00:00",
            "closes_at": "2031-03-10T18:00:00",
        },
    )
    assert made.status_code == 201
    assert made.json()["opens_at"] == "2031-03-01T14:00:00Z"  # Chicago time, answered in UTC
    assert made.json()["state"] == "hidden"
    elsewhere = post(
        nguyen,
        f"{API}/rounds",
        {
            "school_id": people.other_school.pk,
            "title": "X",
            "opens_at": now.isoformat(),
            "closes_at": now.isoformat(),
        },
    )
    assert elsewhere.status_code == 404
    day = (conference_day() + dt.timedelta(days=2)).isoformat()
    slots = post(
        nguyen,
        f"{API}/rounds/{conferences.round.pk}/slots",
        {
            "teacher_id": people.chen.pk,
            "day": day,
            "start": "15:00",
            "end": "16:00",
            "minutes": 30,
            "class_id": people.homeroom5.pk,
        },
    )
    assert fields(slots) == ["class_id"]
    slots = post(
        nguyen,
        f"{API}/rounds/{conferences.round.pk}/slots",
        {
            "teacher_id": people.chen.pk,
            "day": day,
            "start": "15:00",
            "end": "16:00",
            "minutes": 30,
            "mode": "video",
            "place": "https://meet.example.org/chen",
        },
    )
    assert slots.status_code == 201
    assert [slot["mode"] for slot in slots.json()] == ["video", "video"]
    assert Slot.objects.filter(teacher=people.chen, mode="video").count() == 2
    wrong_time = post(
        nguyen,
        f"{API}/rounds/{conferences.round.pk}/slots",
        {"day": day, "start": "25:00", "end": "16:00", "minutes": 30},
    )
    assert "start" in fields(wrong_time)


def test_the_school_cancels_through_the_api_after_the_cut_off(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    with time_machine.travel(booking.slot.starts_at - dt.timedelta(hours=1), tick=False):
        response = post(
            api_client_for(people.rivera), f"{API}/bookings/{booking.pk}/cancel", {"note": "Ill"}
        )
    assert response.status_code == 200
    assert response.json()["cancel_note"] == "Ill"


@pytest.mark.parametrize(
    ("who", "path"),
    [("rivera", f"{API}/bookings"), ("sam", f"{API}/bookings"), ("nguyen", f"{API}/rounds")],
)
def test_lists_do_not_grow_with_the_data(conferences, django_assert_num_queries, who, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from village.conferences.tests.factories import open_round

    people = conferences.people
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    client = api_client_for(getattr(people, who))
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    baseline = len(few.captured_queries)
    booking_create(guardian=people.sam, child=people.ada, slot=conferences.rivera[1])
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.chen[1])
    open_round(people, title="Spring conferences")
    with django_assert_num_queries(baseline):
        assert client.get(path).status_code == 200


def test_a_teacher_moves_a_booked_slot_to_a_video_call_through_the_api(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    rivera = api_client_for(people.rivera)
    path = f"{API}/slots/{conferences.rivera[0].pk}/place"
    assert fields(post(rivera, path, {"mode": "video", "place": "meet.example.org/x"})) == ["place"]
    assert fields(post(rivera, path, {"mode": "carrier pigeon", "place": ""})) == ["mode"]
    moved = post(rivera, path, {"mode": "video", "place": "https://meet.example.org/leo"})
    assert moved.status_code == 200
    assert (moved.json()["mode"], moved.json()["place"]) == (
        "video",
        "https://meet.example.org/leo",
    )
    booking.refresh_from_db()
    assert booking.sequence == 1
