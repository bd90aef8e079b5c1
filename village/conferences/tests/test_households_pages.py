"""Separated households on the pages and through the API: Jordan (Leo's father, who does not
live with him) books, sees, moves and cancels only his own conferences, and Sam only the home's;
asking for the other household's by id answers 404 and changes nothing. The school sees both,
each labelled with whose it is, and cancels either. The family pages run the same number of
queries however many households book."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.authorization import EVERYONE, api_client_for, client_for
from village.accounts.models import User
from village.community import services as community_services
from village.community.models import EnrollmentRole, GuardianLink, Role
from village.conferences.models import HOME, Booking, BookingState, ConferenceRound
from village.conferences.services.bookings import booking_create
from village.conferences.tests.conftest import Conferences
from village.conferences.tests.factories import (
    add_slots,
    assert_queries_do_not_grow,
    conference_day,
    jordan_talks_with_school,
)
from village.conferences.tests.test_pages import english, text_of
from village.notifications.models import Notification

pytestmark = pytest.mark.django_db

API = "/api/v1/conferences"


def post(client, path: str, body: dict[str, Any]):
    return client.post(path, json.dumps(body), content_type="application/json")


def both(c: Conferences) -> tuple[Booking, Booking]:
    """Sam books Leo's home conference with Ms. Rivera at 15:00, Jordan his own at 15:40."""
    people = c.people
    home = booking_create(guardian=people.sam, child=people.leo, slot=c.rivera[0])
    own = booking_create(guardian=people.jordan, child=people.leo, slot=c.rivera[2])
    return home, own


def teacher_page(c: Conferences, teacher: User) -> str:
    return f"/conferences/family/{c.people.leo.pk}/rounds/{c.round.pk}/teachers/{teacher.pk}/"


def booking_links(html: str) -> set[str]:
    return {
        part.split("/")[0]
        for part in html.split("/conferences/family/bookings/")[1:]
        if part.split("/")[0].isdigit()
    }


# --- the families -------------------------------------------------------------------------------


def test_jordan_books_his_own_conference_on_the_page_beside_the_homes(apart):
    people = apart.people
    booking_create(guardian=people.sam, child=people.leo, slot=apart.rivera[0])
    client = client_for(english(people.jordan))
    url = (
        f"/conferences/family/{people.leo.pk}/rounds/{apart.round.pk}/teachers/{people.rivera.pk}/"
    )
    page = text_of(client.get(url))
    assert "has a conference with this teacher already" not in page
    assert "Next to" not in page  # the home's 15:00 is not his
    response = client.post(url, {"slot": apart.rivera[2].pk, "interpreter_language": ""})
    assert response.status_code == 302
    own = Booking.objects.get(guardian=people.jordan)
    assert own.household == people.jordan.pk
    again = text_of(client.get(url))
    assert "Leo has a conference with this teacher already" in again
    assert f"/conferences/family/bookings/{own.pk}/" in again


def test_each_guardians_pages_show_only_their_households_conferences(apart):
    people = apart.people
    home, own = both(apart)
    leo, r = people.leo, apart.round
    for guardian, mine, theirs in ((people.jordan, own, home), (people.sam, home, own)):
        client = client_for(english(guardian))
        for path in (
            "/conferences/family/",
            f"/conferences/family/{leo.pk}/rounds/{r.pk}/",
            f"/conferences/family/{leo.pk}/rounds/{r.pk}/teachers/{people.rivera.pk}/",
            f"/conferences/family/{leo.pk}/rounds/{r.pk}/teachers/{people.chen.pk}/",
            f"/conferences/family/bookings/{mine.pk}/",
            "/",
            f"/family/children/{leo.pk}/",
        ):
            response = client.get(path)
            assert response.status_code == 200, (guardian.username, path)
            html = text_of(response)
            assert str(theirs.pk) not in booking_links(html), (guardian.username, path)
            # a clash with their own conference, never with the other household's
            assert html.count('badge-warning">Clash') <= 1, (guardian.username, path)
        index = text_of(client.get("/conferences/family/"))
        leos = index[index.index(f'id="child-{leo.pk}"') :]
        assert booking_links(leos.split("conf-child")[0]) == {str(mine.pk)}


def test_jordan_moving_or_cancelling_the_homes_conference_by_id_gets_404_and_changes_nothing(
    apart,
):
    """The attacker's way: Jordan knows (or guesses) the id of the home's booking."""
    people = apart.people
    home, _own = both(apart)
    before = Notification.objects.count()
    client = client_for(people.jordan)
    base = f"/conferences/family/bookings/{home.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/move/", {"slot": apart.rivera[1].pk}).status_code == 404
    assert client.get(f"{base}/cancel/").status_code == 404
    assert client.post(f"{base}/cancel/", {"note": "x"}).status_code == 404
    assert client.get(f"{base}/invitation.ics").status_code == 404
    api = api_client_for(people.jordan)
    for answer in (
        api.get(f"{API}/bookings/{home.pk}"),
        post(api, f"{API}/bookings/{home.pk}/reschedule", {"slot_id": apart.rivera[1].pk}),
        post(api, f"{API}/bookings/{home.pk}/cancel", {"note": "x"}),
    ):
        assert answer.status_code == 404
        assert "Okoye" not in answer.content.decode()
    home.refresh_from_db()
    assert (home.state, home.slot, home.sequence) == (BookingState.BOOKED, apart.rivera[0], 0)
    assert Notification.objects.count() == before


def test_sam_cannot_reach_jordans_conference_either(apart):
    people = apart.people
    _home, own = both(apart)
    client = client_for(people.sam)
    base = f"/conferences/family/bookings/{own.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/move/", {"slot": apart.rivera[1].pk}).status_code == 404
    assert client.post(f"{base}/cancel/", {}).status_code == 404
    api = api_client_for(people.sam)
    assert post(api, f"{API}/bookings/{own.pk}/cancel", {}).status_code == 404
    own.refresh_from_db()
    assert (own.state, own.sequence) == (BookingState.BOOKED, 0)


def test_each_household_moves_and_cancels_its_own(apart):
    people = apart.people
    home, own = both(apart)
    client = client_for(people.jordan)
    moved = client.post(
        f"/conferences/family/bookings/{own.pk}/move/", {"slot": apart.rivera[1].pk}
    )
    assert moved.status_code == 302
    api = api_client_for(people.sam)
    cancelled = post(api, f"{API}/bookings/{home.pk}/cancel", {"note": ""})
    assert cancelled.status_code == 200
    own.refresh_from_db()
    home.refresh_from_db()
    assert (own.slot, own.state) == (apart.rivera[1], BookingState.BOOKED)
    assert home.state == BookingState.CANCELLED


FAMILY_PAGES = {"sam": "home", "jordan": "own"}
SCHOOL = {"rivera", "nguyen", "priya"}


@pytest.mark.parametrize("viewer", EVERYONE)
def test_who_reaches_each_households_booking(apart, viewer):
    """Every persona against both bookings, on the page and through the API: 404 and no data
    for anyone but the booking's household and the school."""
    people = apart.people
    home, own = both(apart)
    user = getattr(people, viewer)
    page, api = client_for(user), api_client_for(user)
    for name, booking in (("home", home), ("own", own)):
        family = page.get(f"/conferences/family/bookings/{booking.pk}/")
        assert family.status_code == (200 if FAMILY_PAGES.get(viewer) == name else 404), name
        answer = api.get(f"{API}/bookings/{booking.pk}")
        allowed = FAMILY_PAGES.get(viewer) == name or viewer in SCHOOL
        assert answer.status_code == (200 if allowed else 404), name
        if not allowed:
            assert "Okoye" not in answer.content.decode()
            assert "Okoye" not in family.content.decode()
    listed = {item["id"] for item in api.get(f"{API}/bookings").json()["items"]}
    expected = {"sam": {home.pk}, "jordan": {own.pk}}.get(viewer, set())
    assert listed == ({home.pk, own.pk} if viewer in SCHOOL else expected)


# --- the API ------------------------------------------------------------------------------------


def test_jordan_books_his_own_through_the_api_and_one_only(apart):
    people = apart.people
    home = booking_create(guardian=people.sam, child=people.leo, slot=apart.rivera[0])
    api = api_client_for(people.jordan)
    free = api.get(
        f"{API}/children/{people.leo.pk}/slots",
        {"round_id": apart.round.pk, "teacher_id": people.chen.pk},
    ).json()
    assert [slot["suggested"] for slot in free] == [False, False, False]
    made = post(api, f"{API}/bookings", {"child_id": people.leo.pk, "slot_id": apart.rivera[1].pk})
    assert made.status_code == 201
    assert made.json()["household"] == people.jordan.pk
    second = post(
        api, f"{API}/bookings", {"child_id": people.leo.pk, "slot_id": apart.rivera[2].pk}
    )
    assert second.status_code == 422
    assert [error["loc"][-1] for error in second.json()["detail"]] == ["slot_id"]
    staff = api_client_for(people.rivera).get(f"{API}/bookings").json()["items"]
    assert {(item["id"], item["household"]) for item in staff} == {
        (home.pk, HOME),
        (made.json()["id"], people.jordan.pk),
    }


def test_the_round_says_and_changes_whether_it_keeps_households_apart(apart):
    people = apart.people
    nguyen = api_client_for(people.nguyen)
    assert nguyen.get(f"{API}/rounds/{apart.round.pk}").json()["households_apart"] is True
    made = post(
        nguyen,
        f"{API}/rounds",
        {
            "school_id": people.school.pk,
            "title": "Spring",
            "opens_at": "2031-03-01T08:00:00",
            "closes_at": "2031-03-10T18:00:00",
            "households_apart": True,
        },
    )
    assert made.status_code == 201
    assert made.json()["households_apart"] is True
    both(apart)
    refused = nguyen.patch(
        f"{API}/rounds/{apart.round.pk}",
        json.dumps({"households_apart": False}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert [error["loc"][-1] for error in refused.json()["detail"]] == ["households_apart"]
    assert ConferenceRound.objects.get(pk=apart.round.pk).households_apart
    kept = nguyen.patch(
        f"{API}/rounds/{made.json()['id']}",
        json.dumps({"title": "Spring conferences"}),
        content_type="application/json",
    )
    assert kept.json()["households_apart"] is True
    schema = nguyen.get("/api/openapi.json").json()["components"]["schemas"]
    assert "households_apart" in schema["RoundOut"]["properties"]
    assert "household" in schema["BookingOut"]["properties"]


# --- the school ---------------------------------------------------------------------------------


def test_the_round_form_and_page_say_whether_households_book_apart(conferences):
    people = conferences.people
    client = client_for(english(people.nguyen))
    r = conferences.round
    form = text_of(client.get(f"/conferences/rounds/{r.pk}/edit/"))
    assert "Guardians living apart book their own" in form
    assert 'name="households_apart"' in form
    local = timezone.localtime
    response = client.post(
        f"/conferences/rounds/{r.pk}/edit/",
        {
            "title": r.title,
            "opens_at": local(r.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": local(r.closes_at).strftime("%Y-%m-%dT%H:%M"),
            "cutoff_hours": r.cutoff_hours,
            "published": "on",
            "households_apart": "on",
        },
    )
    assert response.status_code == 302
    assert ConferenceRound.objects.get(pk=r.pk).households_apart
    page = text_of(client.get(f"/conferences/rounds/{r.pk}/"))
    assert "Book their own conferences; each household sees only its own" in page


def test_the_round_form_says_why_households_cannot_book_together_yet(apart):
    both(apart)
    r = apart.round
    local = timezone.localtime
    response = client_for(english(apart.people.nguyen)).post(
        f"/conferences/rounds/{r.pk}/edit/",
        {
            "title": r.title,
            "opens_at": local(r.opens_at).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": local(r.closes_at).strftime("%Y-%m-%dT%H:%M"),
            "cutoff_hours": r.cutoff_hours,
            "published": "on",
        },
    )
    assert response.status_code == 200
    html = text_of(response)
    assert 'href="#id_households_apart"' in html
    assert "Some children have a conference with the same teacher for each household" in html
    assert ConferenceRound.objects.get(pk=r.pk).households_apart


def test_the_teachers_pages_show_both_conferences_each_labelled(apart):
    people = apart.people
    home, own = both(apart)
    client = client_for(english(people.rivera))
    day = conference_day().isoformat()
    for path in (
        f"/conferences/schedule/?day={day}",
        f"/conferences/schedule/print/?day={day}",
        f"/conferences/rounds/{apart.round.pk}/slots/",
    ):
        html = text_of(client.get(path))
        assert "Leo's home" in html, path
        assert "Jordan Bell's household" in html, path
        assert "Sam Okoye" in html, path
        assert html.index("Leo's home") < html.index("Jordan Bell's household"), path
    for booking, label in ((home, "Leo's home"), (own, "Jordan Bell's household")):
        assert label in text_of(client.get(f"/conferences/bookings/{booking.pk}/cancel/"))
        assert label in text_of(client.get(f"/conferences/slots/{booking.slot_id}/place/"))
        assert label in text_of(client.get(f"/conferences/slots/{booking.slot_id}/cancel/"))
    # the school cancels either
    for booking in (home, own):
        response = client.post(f"/conferences/bookings/{booking.pk}/cancel/", {"note": "Ill"})
        assert response.status_code == 302
        booking.refresh_from_db()
        assert booking.state == BookingState.CANCELLED


def test_without_households_apart_the_teachers_pages_carry_no_label(conferences):
    people = conferences.people
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    html = text_of(
        client_for(english(people.rivera)).get(
            f"/conferences/schedule/?day={conference_day().isoformat()}"
        )
    )
    assert "Sam Okoye" in html
    assert "Leo's home" not in html
    assert "household" not in html


# --- query counts -------------------------------------------------------------------------------


def grow_apart(c: Conferences, n: int) -> None:
    """``n`` more of Jordan's children, who live with Sam: each with a home conference and
    Jordan's own with Ms. Rivera, at times of their own."""
    people = c.people
    for index in range(n):
        child = community_services.person_create(
            username=f"apart{n}{index}",
            first_name=f"Kid{index}",
            last_name="Okoye",
            role=Role.STUDENT,
            organisation=people.school,
        )
        community_services.enrollment_add(
            user=child, school_class=people.homeroom5, role=EnrollmentRole.STUDENT
        )
        community_services.guardian_link(guardian=people.sam, student=child)
        community_services.guardian_link(guardian=people.jordan, student=child, lives_with=False)
        start = dt.time(17 + index, 0)
        slots = add_slots(c.round, people.rivera, start=start, end=dt.time(start.hour, 40), gap=5)
        booking_create(guardian=people.sam, child=child, slot=slots[0])
        booking_create(guardian=people.jordan, child=child, slot=slots[1])


def assert_constant(
    c: Conferences, user: User, path: Callable[[], str], django_assert_num_queries
) -> None:
    both(c)
    assert_queries_do_not_grow(
        client_for(user), path(), lambda: grow_apart(c, 3), django_assert_num_queries
    )


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("jordan", lambda c: "/conferences/family/"),
        ("jordan", lambda c: f"/conferences/family/{c.people.leo.pk}/rounds/{c.round.pk}/"),
        (
            "jordan",
            lambda c: (
                f"/conferences/family/{c.people.leo.pk}/rounds/{c.round.pk}/teachers/"
                f"{c.people.chen.pk}/"
            ),
        ),
        ("jordan", lambda c: "/"),
        ("sam", lambda c: "/conferences/family/"),
        ("sam", lambda c: "/"),
        ("rivera", lambda c: f"/conferences/schedule/?day={conference_day().isoformat()}"),
        ("rivera", lambda c: f"/conferences/rounds/{c.round.pk}/slots/"),
    ],
)
def test_pages_do_not_grow_with_the_households(apart, django_assert_num_queries, who, path):
    assert_constant(
        apart, getattr(apart.people, who), lambda: path(apart), django_assert_num_queries
    )


def test_jordans_link_without_messages_books_nothing_even_in_a_round_apart(apart):
    people = apart.people
    GuardianLink.objects.filter(guardian=people.jordan, student=people.leo).update(
        scope_messages=False
    )
    client = client_for(people.jordan)
    url = (
        f"/conferences/family/{people.leo.pk}/rounds/{apart.round.pk}/teachers/{people.rivera.pk}/"
    )
    assert client.post(url, {"slot": apart.rivera[1].pk}).status_code == 404
    assert not Booking.objects.exists()


def test_in_a_round_not_apart_jordan_sees_the_shared_conference_and_books_no_second(
    conferences,
):
    people = conferences.people
    jordan_talks_with_school(people)
    home = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    client = client_for(english(people.jordan))
    url = (
        f"/conferences/family/{people.leo.pk}/rounds/{conferences.round.pk}/teachers/"
        f"{people.rivera.pk}/"
    )
    page = text_of(client.get(url))
    assert "Leo has a conference with this teacher already" in page
    assert f"/conferences/family/bookings/{home.pk}/" in page
    refused = client.post(url, {"slot": conferences.rivera[2].pk, "interpreter_language": ""})
    assert refused.status_code == 200
    assert "Leo has a conference with this teacher already" in text_of(refused)
    assert Booking.objects.count() == 1
    assert client.get(f"/conferences/family/bookings/{home.pk}/").status_code == 200
