"""Authorization matrix for conferences: every page and endpoint x every persona, written out by
hand. Riverside K-8 has a round (Principal Nguyen's) with Ms. Rivera's and Mr. Chen's times,
and Sam has booked Leo with Ms. Rivera; Oak Hill and Lakeside have rounds of their own. What may
not be seen is a 404 (a change a viewer may not make, 403), never data; the sign-in page or 401
when anonymous. A guardian whose link has ended sees nothing of the child's conferences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import ModuleData, each_test
from tests.authorization import EVERYONE, api_client_for, client_for
from village.community.models import GuardianLink, LinkStatus
from village.conferences.models import Booking, ConferenceRound, Slot
from village.conferences.services.bookings import booking_create
from village.conferences.tests.factories import add_slots, open_round
from village.core.models import AuditEvent
from village.demo.personas import Personas

pytestmark = pytest.mark.django_db

STAFF_AT_RIVERSIDE = {"rivera", "chen", "nguyen", "priya"}
ADMINS = {"nguyen", "priya"}
TEACHERS = {"rivera", "chen", "park", "stone"}
STAFF = TEACHERS | ADMINS
BOOKERS = {"sam", "olga", "eve"}


@dataclass
class District:
    people: Personas
    round: ConferenceRound
    rivera: list[Slot]
    chen: list[Slot]
    booking: Booking


def _build(personas: Personas) -> District:
    riverside = open_round(personas)
    rivera = add_slots(riverside, personas.rivera)
    chen = add_slots(riverside, personas.chen, place="Room 21")
    add_slots(open_round(personas, school=personas.sister_school, by=personas.park), personas.park)
    add_slots(open_round(personas, school=personas.other_school, by=personas.stone), personas.stone)
    booking = booking_create(guardian=personas.sam, child=personas.leo, slot=rivera[0])
    return District(personas, riverside, rivera, chen, booking)


@pytest.fixture(scope="module")
def _district(module_data: ModuleData | None) -> District | None:
    """The three schools' rounds, their times and Sam's booking, built once for the module."""
    return module_data.build(_build) if module_data else None


@pytest.fixture
def district(personas: Personas, _district: District | None) -> District:
    return each_test(_district, personas, _build)


def pages(d: District) -> dict[str, tuple[str, dict[str, int]]]:
    """Each page, with the status each persona gets (404 for anyone not named)."""
    p, r, b = d.people, d.round, d.booking
    every_staff = dict.fromkeys(STAFF, 200)
    return {
        "index": (
            "/conferences/",
            {**every_staff, **dict.fromkeys(BOOKERS, 302)},
        ),
        "round_new": ("/conferences/rounds/new/", every_staff),
        "round": (f"/conferences/rounds/{r.pk}/", dict.fromkeys(STAFF_AT_RIVERSIDE, 200)),
        "round_edit": (
            f"/conferences/rounds/{r.pk}/edit/",
            {"nguyen": 200, "priya": 200, "rivera": 403, "chen": 403},
        ),
        "own_slots": (
            f"/conferences/rounds/{r.pk}/slots/",
            {"rivera": 200, "chen": 200, "nguyen": 302, "priya": 302},
        ),
        "riveras_slots": (
            f"/conferences/rounds/{r.pk}/slots/?teacher={p.rivera.pk}",
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "slot_cancel": (
            f"/conferences/slots/{d.rivera[1].pk}/cancel/",
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "slot_place": (
            f"/conferences/slots/{d.rivera[1].pk}/place/",
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "booked_slot_place": (
            f"/conferences/slots/{b.slot_id}/place/",
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "booking_cancel": (
            f"/conferences/bookings/{b.pk}/cancel/",
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "schedule": ("/conferences/schedule/", every_staff),
        "riveras_day": (
            f"/conferences/schedule/?teacher={p.rivera.pk}",
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "riveras_list": (
            f"/conferences/schedule/print/?teacher={p.rivera.pk}",
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "family": ("/conferences/family/", dict.fromkeys(BOOKERS, 200)),
        "family_round": (f"/conferences/family/{p.leo.pk}/rounds/{r.pk}/", {"sam": 200}),
        "family_teacher": (
            f"/conferences/family/{p.leo.pk}/rounds/{r.pk}/teachers/{p.chen.pk}/",
            {"sam": 200},
        ),
        "family_booking": (f"/conferences/family/bookings/{b.pk}/", {"sam": 200}),
        "family_cancel": (f"/conferences/family/bookings/{b.pk}/cancel/", {"sam": 200}),
        "family_invitation": (
            f"/conferences/family/bookings/{b.pk}/invitation.ics",
            {"sam": 200},
        ),
    }


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_page_for_every_persona(district, viewer):
    client = client_for(getattr(district.people, viewer))
    for name, (path, allowed) in pages(district).items():
        response = client.get(path)
        expected = allowed.get(viewer, 404)
        assert response.status_code == expected, (viewer, name, path)
        if expected == 404:
            html = response.content.decode()
            assert "Okoye" not in html, (viewer, name)


LINK_CHANGES: dict[str, dict[str, Any]] = {
    "ended": {"status": LinkStatus.ENDED},
    "pending": {"status": LinkStatus.PENDING},
    "no_access": {"no_access": True},
    "no messages": {"scope_messages": False},
}


@pytest.mark.parametrize("change", LINK_CHANGES)
def test_a_guardian_whose_link_ended_or_gives_no_access_sees_nothing_of_the_childs_conferences(
    district, change
):
    GuardianLink.objects.filter(guardian=district.people.sam, student=district.people.leo).update(
        **LINK_CHANGES[change]
    )
    client = client_for(district.people.sam)
    api = api_client_for(district.people.sam)
    for name in ("family_round", "family_teacher", "family_booking", "family_cancel"):
        path, _allowed = pages(district)[name]
        assert client.get(path).status_code == 404, (change, name)
    for name in ("free_slots", "booking", "book_leo", "reschedule"):
        method, path, body, _allowed = endpoints(district)[name]
        assert call(api, method, path, body).status_code == 404, (change, name)
    # Ada's conferences are unaffected
    ada = f"/conferences/family/{district.people.ada.pk}/rounds/{district.round.pk}/"
    assert client.get(ada).status_code == 200


def test_other_schools_see_nothing_even_with_riversides_ids(district):
    """A teacher and an admin of another school: every Riverside page and object is a 404."""
    for name in ("park", "stone", "eve", "olga"):
        client = client_for(getattr(district.people, name))
        for page, (path, _allowed) in pages(district).items():
            if page in {"index", "round_new", "schedule", "family"}:
                continue
            assert client.get(path).status_code == 404, (name, page)


def test_anonymous_visitors_are_sent_to_sign_in(district):
    for _name, (path, _allowed) in pages(district).items():
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_pages_that_show_children_write_one_audit_entry_each(district):
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    client_for(district.people.rivera).get("/conferences/schedule/")
    (event,) = AuditEvent.objects.filter(id__gt=before)
    assert (event.actor_id, event.student_id) == (district.people.rivera.pk, district.people.leo.pk)
    assert event.organisation_id == district.people.school.pk


# --- the API ----------------------------------------------------------------------------------


def call(client: Client, method: str, path: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(path)
    send = getattr(client, method)
    return send(path, json.dumps(body or {}), content_type="application/json")


def endpoints(d: District) -> dict[str, tuple[str, str, dict[str, Any] | None, dict[str, int]]]:
    """Each endpoint (method, path, body), with the status each persona gets (else 404)."""
    p, r, b = d.people, d.round, d.booking
    api = "/api/v1/conferences"
    return {
        "round": (
            "get",
            f"{api}/rounds/{r.pk}",
            None,
            {**dict.fromkeys(STAFF_AT_RIVERSIDE, 200), "sam": 200},
        ),
        "round_patch": (
            "patch",
            f"{api}/rounds/{r.pk}",
            {"title": "Fall conferences"},
            {"nguyen": 200, "priya": 200, "rivera": 403, "chen": 403},
        ),
        "riveras_slots": (
            "get",
            f"{api}/rounds/{r.pk}/slots?teacher_id={p.rivera.pk}",
            None,
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "free_slots": (
            "get",
            f"{api}/children/{p.leo.pk}/slots?round_id={r.pk}&teacher_id={p.chen.pk}",
            None,
            {"sam": 200},
        ),
        "booking": (
            "get",
            f"{api}/bookings/{b.pk}",
            None,
            {"sam": 200, "rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "book_leo": (
            "post",
            f"{api}/bookings",
            {"child_id": p.leo.pk, "slot_id": d.chen[0].pk},
            {"sam": 201},
        ),
        "reschedule": (
            "post",
            f"{api}/bookings/{b.pk}/reschedule",
            {"slot_id": d.rivera[2].pk},
            {"sam": 200},
        ),
        "slot_cancel": (
            "post",
            f"{api}/slots/{d.rivera[1].pk}/cancel",
            {"note": ""},
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "slot_place": (
            "post",
            f"{api}/slots/{d.rivera[2].pk}/place",
            {"mode": "in_person", "place": "Library"},
            {"rivera": 200, "nguyen": 200, "priya": 200},
        ),
        "new_slots": (
            "post",
            f"{api}/rounds/{r.pk}/slots",
            {
                "teacher_id": p.rivera.pk,
                "day": "2020-01-01",
                "start": "15:00",
                "end": "16:00",
                "minutes": 15,
            },
            {"rivera": 422, "nguyen": 422, "priya": 422},
        ),
    }


@pytest.mark.parametrize("viewer", EVERYONE)
def test_every_endpoint_for_every_persona(district, viewer):
    client = api_client_for(getattr(district.people, viewer))
    for name, (method, path, body, allowed) in endpoints(district).items():
        response = call(client, method, path, body)
        expected = allowed.get(viewer, 404)
        assert response.status_code == expected, (viewer, name, response.content[:300])
        if expected == 404:
            assert "Okoye" not in response.content.decode()


@pytest.mark.parametrize("viewer", EVERYONE)
def test_lists_hold_only_what_the_caller_sees(district, viewer):
    client = api_client_for(getattr(district.people, viewer))
    rounds = client.get("/api/v1/conferences/rounds").json()["items"]
    schools = {item["school"]["name"] for item in rounds}
    expected_schools = {
        "rivera": {"Riverside K-8 School"},
        "chen": {"Riverside K-8 School"},
        "nguyen": {"Riverside K-8 School"},
        "priya": {"Riverside K-8 School", "Oak Hill Elementary"},
        "park": {"Oak Hill Elementary"},
        "olga": {"Oak Hill Elementary"},
        "stone": {"Lakeside Academy"},
        "eve": {"Lakeside Academy"},
        "sam": {"Riverside K-8 School"},
    }
    assert schools == expected_schools.get(viewer, set())
    bookings = client.get("/api/v1/conferences/bookings").json()["items"]
    sees = viewer in {"sam", "rivera", "nguyen", "priya"}
    assert [item["id"] for item in bookings] == ([district.booking.pk] if sees else [])


def test_anonymous_api_callers_get_401(district):
    for _name, (method, path, body, _allowed) in endpoints(district).items():
        assert call(Client(), method, path, body).status_code == 401, path
