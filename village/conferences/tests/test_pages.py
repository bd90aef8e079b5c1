"""The conference pages as people use them: a teacher adds times and sees the day, a family
books (brothers and sisters back to back), moves and cancels, in their language; the family home
page and the child's page lead there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client

from tests.authorization import client_for
from village.accounts.models import User
from village.community import services as community_services
from village.community.models import EnrollmentRole, Role
from village.conferences import notices
from village.conferences.models import Booking, BookingState, Slot
from village.conferences.services.bookings import booking_create
from village.conferences.tests.conftest import Conferences
from village.conferences.tests.factories import (
    add_slots,
    assert_queries_do_not_grow,
    conference_day,
)
from village.notifications.models import Notification

pytestmark = pytest.mark.django_db


def english(user: User) -> User:
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def text_of(response) -> str:
    """The page's main part, with typographic apostrophes as plain ones."""
    html = response.content.decode().replace("\u2019", "'")
    return html[html.index("<main") :]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the teacher --------------------------------------------------------------------------------


def test_a_teacher_adds_an_evening_of_times_from_the_page(conferences):
    client = client_for(conferences.people.chen)
    url = f"/conferences/rounds/{conferences.round.pk}/slots/"
    day = conference_day() + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "day": day.isoformat(),
            "start": "17:00",
            "end": "18:00",
            "minutes": "20",
            "gap": "0",
            "mode": "phone",
            "place": "+1 555 0199",
            "school_class": conferences.people.math8.pk,
        },
    )
    assert response.status_code == 302
    assert messages_of(response) == ["3 slots added."]
    made = Slot.objects.filter(teacher=conferences.people.chen, mode="phone")
    assert made.count() == 3
    assert {slot.school_class_id for slot in made} == {conferences.people.math8.pk}


def test_a_stretch_with_an_end_before_the_start_names_the_field_and_adds_nothing(conferences):
    client = client_for(conferences.people.chen)
    url = f"/conferences/rounds/{conferences.round.pk}/slots/"
    response = client.post(
        url,
        {
            "day": conference_day().isoformat(),
            "start": "18:00",
            "end": "17:00",
            "minutes": "15",
            "gap": "5",
            "mode": "in_person",
        },
    )
    assert response.status_code == 200
    html = text_of(response)
    assert "There is a problem" in html
    assert 'href="#id_end"' in html
    assert "The end must be after the start." in html
    assert Slot.objects.filter(teacher=conferences.people.chen).count() == 3


def test_the_teachers_day_and_its_list_to_print_show_who_comes_and_what_they_need(conferences):
    people = conferences.people
    people.sam.phone = "+1 555 0177"
    people.sam.save()
    booking_create(
        guardian=people.sam,
        child=people.leo,
        slot=conferences.rivera[1],
        interpreter_language="es",
        note="Reading at home",
    )
    client = client_for(english(people.rivera))
    day = conference_day().isoformat()
    for path in (f"/conferences/schedule/?day={day}", f"/conferences/schedule/print/?day={day}"):
        html = text_of(client.get(path))
        assert "Leo Okoye" in html
        assert "Sam Okoye" in html
        assert "+1 555 0177" in html
        assert people.sam.email in html
        assert "Español (Spanish)" in html
        assert "Reading at home" in html
        assert "Free" in html  # the times nobody booked
    assert "data-print" in text_of(client.get(f"/conferences/schedule/print/?day={day}"))


def test_a_day_that_is_not_a_date_is_said_and_the_next_day_shown(conferences):
    client = client_for(english(conferences.people.rivera))
    html = text_of(client.get("/conferences/schedule/?day=tuesday"))
    assert "“tuesday” is not a day" in html
    assert "3:00 p.m." in html or "3 p.m." in html


def test_the_teacher_cancels_a_booking_with_a_note_the_family_reads(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    client = client_for(english(people.rivera))
    response = client.post(
        f"/conferences/bookings/{booking.pk}/cancel/", {"note": "I have a staff meeting"}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    told = Notification.objects.get(recipient=people.sam, kind=notices.CANCELLED)
    assert "I have a staff meeting" in told.body


def test_the_teacher_moves_a_booked_time_to_the_library_and_the_family_is_told(conferences):
    people = conferences.people
    slot = conferences.rivera[0]
    booking = booking_create(guardian=people.sam, child=people.leo, slot=slot)
    client = client_for(english(people.rivera))
    page = text_of(client.get(f"/conferences/slots/{slot.pk}/place/"))
    assert "Sam Okoye booked this time for Leo Okoye" in page
    refused = client.post(f"/conferences/slots/{slot.pk}/place/", {"mode": "video", "place": "x"})
    assert refused.status_code == 200
    assert "A video link starts with https://" in text_of(refused)
    assert Slot.objects.get(pk=slot.pk).mode == slot.mode
    response = client.post(
        f"/conferences/slots/{slot.pk}/place/", {"mode": "in_person", "place": "Library"}
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The place is changed, and the family has the new invitation."
    ]
    assert Slot.objects.get(pk=slot.pk).place == "Library"
    booking.refresh_from_db()
    assert booking.sequence == 1
    told = Notification.objects.get(recipient=people.sam, kind=notices.MOVED)
    assert "Library" in told.title
    slots = text_of(client.get(f"/conferences/rounds/{conferences.round.pk}/slots/"))
    assert "Change where the" in slots


def test_admins_see_each_teachers_counts_on_the_round(conferences):
    booking_create(
        guardian=conferences.people.sam, child=conferences.people.leo, slot=conferences.rivera[0]
    )
    html = text_of(
        client_for(english(conferences.people.nguyen)).get(
            f"/conferences/rounds/{conferences.round.pk}/"
        )
    )
    assert "Elena Rivera" in html
    assert "1 of 3 times booked" in html
    assert "0 of 3 times booked" in html


# --- the family ---------------------------------------------------------------------------------


def book_on_page(client: Client, c: Conferences, child: User, teacher: User, slot: Slot, **extra):
    url = f"/conferences/family/{child.pk}/rounds/{c.round.pk}/teachers/{teacher.pk}/"
    return client.post(url, {"slot": slot.pk, "interpreter_language": "es", **extra})


def test_sam_books_leos_conference_with_an_interpreter(conferences):
    people = conferences.people
    client = client_for(people.sam)
    response = book_on_page(
        client, conferences, people.leo, people.rivera, conferences.rivera[1], note="Hola"
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/conferences/family/bookings/{booking.pk}/"
    assert (booking.child, booking.guardian, booking.slot) == (
        people.leo,
        people.sam,
        conferences.rivera[1],
    )
    assert booking.interpreter_language == "es"
    assert booking.note == "Hola"


def test_the_interpreter_list_starts_at_the_guardians_own_language(conferences):
    people = conferences.people
    r = conferences.round
    url = f"/conferences/family/{people.leo.pk}/rounds/{r.pk}/teachers/{people.rivera.pk}/"
    assert '<option value="es" selected>' in client_for(people.sam).get(url).content.decode()


def test_a_time_taken_meanwhile_is_said_in_plain_words(conferences):
    people = conferences.people
    booking_create(guardian=people.sam, child=people.ada, slot=conferences.rivera[0])
    response = book_on_page(
        client_for(english(people.sam)),
        conferences,
        people.leo,
        people.rivera,
        conferences.rivera[0],
    )
    assert response.status_code == 200
    assert "Someone has just booked this time. Choose another." in text_of(response)
    assert Booking.objects.count() == 1


def test_brothers_and_sisters_back_to_back_are_suggested_first(conferences):
    """Leo is booked with Ms. Rivera at 15:00-15:15: for Ada, her 15:20 comes first and is
    marked, and for Leo Mr. Chen's 15:20 as well."""
    people = conferences.people
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    client = client_for(english(people.sam))
    r = conferences.round
    ada = text_of(
        client.get(
            f"/conferences/family/{people.ada.pk}/rounds/{r.pk}/teachers/{people.rivera.pk}/"
        )
    )
    first = ada.index(f'value="{conferences.rivera[1].pk}"')
    later = ada.index(f'value="{conferences.rivera[2].pk}"')
    assert first < later
    assert "Suggested" in ada
    assert "Next to Leo's conference with Elena Rivera" in ada
    chen = text_of(
        client.get(f"/conferences/family/{people.leo.pk}/rounds/{r.pk}/teachers/{people.chen.pk}/")
    )
    suggested = chen[: chen.index("Suggested") + 200]
    assert f'value="{conferences.chen[1].pk}"' in suggested
    assert "At the same time as Leo's conference" in chen  # Mr. Chen's 15:00


def test_sam_moves_and_cancels_until_the_cut_off(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    client = client_for(english(people.sam))
    response = client.post(
        f"/conferences/family/bookings/{booking.pk}/move/", {"slot": conferences.rivera[2].pk}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.slot, booking.sequence) == (conferences.rivera[2], 1)
    response = client.post(f"/conferences/family/bookings/{booking.pk}/cancel/", {"note": ""})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED
    html = text_of(client.get(f"/conferences/family/bookings/{booking.pk}/"))
    assert "Cancelled" in html
    assert "Remove from my calendar" in html


def test_after_the_cut_off_the_family_is_told_to_contact_the_school_and_nothing_changes(
    conferences,
):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    client = client_for(english(people.sam))
    with time_machine.travel(booking.slot.starts_at - dt.timedelta(hours=3), tick=False):
        page = text_of(client.get(f"/conferences/family/bookings/{booking.pk}/"))
        assert "contact the school" in page
        assert ".." not in page  # the moment ends with "p.m." and needs no second stop
        assert "+1 555 0100" in page  # the school's phone
        assert "Move to this time" not in page
        moved = client.post(
            f"/conferences/family/bookings/{booking.pk}/move/", {"slot": conferences.rivera[2].pk}
        )
        assert moved.status_code == 400
        assert "Changes closed" in text_of(moved)
        assert ".." not in text_of(moved)
        cancelled = client.post(f"/conferences/family/bookings/{booking.pk}/cancel/", {})
        assert cancelled.status_code == 200
        assert "contact the school" in text_of(cancelled)
    booking.refresh_from_db()
    assert (booking.state, booking.slot, booking.sequence) == (
        BookingState.BOOKED,
        conferences.rivera[0],
        0,
    )


def test_the_invitation_file_is_the_booking_as_a_request(conferences):
    people = conferences.people
    booking = booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    response = client_for(people.sam).get(
        f"/conferences/family/bookings/{booking.pk}/invitation.ics"
    )
    assert response["Content-Type"] == "text/calendar; charset=utf-8; method=REQUEST"
    assert "attachment" in response["Content-Disposition"]
    assert f"UID:conference-booking-{booking.pk}@" in response.content.decode()


def test_the_family_home_page_says_what_to_book_and_what_is_coming(conferences):
    people = conferences.people
    client = client_for(english(people.sam))
    home = text_of(client.get("/"))
    assert "Book Leo's conferences (2 teachers)" in home
    assert "Book Ada's conference (1 teacher)" in home
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    home = text_of(client.get("/"))
    assert "Conference with Elena Rivera" in home  # in four days: within the week
    assert "Book Leo's conference (1 teacher)" in home


def test_the_childs_page_lists_the_conferences_and_the_round(conferences):
    people = conferences.people
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    client = client_for(english(people.sam))
    page = text_of(client.get(f"/family/children/{people.leo.pk}/"))
    assert "Conferences" in page
    assert "/conferences/family/bookings/" in page
    assert "Fall conferences" in page
    printed = text_of(client.get(f"/family/children/{people.leo.pk}/print/"))
    assert "with Elena Rivera" in printed


def test_pages_speak_the_readers_language(conferences):
    people = conferences.people
    booking_create(guardian=people.sam, child=people.leo, slot=conferences.rivera[0])
    html = text_of(client_for(people.sam).get("/conferences/family/"))
    assert "Reuniones con los docentes" in html
    weekday = conferences.rivera[0].starts_at.astimezone(ZoneInfo(people.sam.timezone)).weekday()
    assert SPANISH_WEEKDAYS[weekday] in html
    assert "Con Elena Rivera" in html


SPANISH_WEEKDAYS = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"]


# --- query counts -------------------------------------------------------------------------------


def grow(c: Conferences, n: int) -> None:
    """``n`` more children for Sam in Ms. Rivera's homeroom, each booked, and more times."""
    people = c.people
    for index in range(n):
        child = community_services.person_create(
            username=f"kid{n}{index}",
            first_name=f"Kid{index}",
            last_name="Okoye",
            role=Role.STUDENT,
            organisation=people.school,
        )
        community_services.enrollment_add(
            user=child, school_class=people.homeroom5, role=EnrollmentRole.STUDENT
        )
        community_services.enrollment_add(
            user=child, school_class=people.math8, role=EnrollmentRole.STUDENT
        )
        community_services.guardian_link(guardian=people.sam, student=child)
        start = dt.time(17 + index % 3, 0 if index < 3 else 30)
        slots = add_slots(
            c.round, people.rivera, start=start, end=dt.time(start.hour, start.minute + 20), gap=0
        )
        booking_create(guardian=people.sam, child=child, slot=slots[0])


def assert_constant(
    c: Conferences, user: User, path: Callable[[], str], django_assert_num_queries
) -> None:
    booking_create(guardian=c.people.sam, child=c.people.leo, slot=c.rivera[0])
    assert_queries_do_not_grow(
        client_for(user), path(), lambda: grow(c, 3), django_assert_num_queries
    )


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("sam", lambda c: "/conferences/family/"),
        ("sam", lambda c: f"/conferences/family/{c.people.leo.pk}/rounds/{c.round.pk}/"),
        (
            "sam",
            lambda c: (
                f"/conferences/family/{c.people.ada.pk}/rounds/{c.round.pk}/teachers/{c.people.rivera.pk}/"
            ),
        ),
        ("sam", lambda c: "/"),
        ("rivera", lambda c: f"/conferences/rounds/{c.round.pk}/slots/"),
        ("rivera", lambda c: f"/conferences/schedule/?day={conference_day().isoformat()}"),
        ("rivera", lambda c: f"/conferences/schedule/print/?day={conference_day().isoformat()}"),
        ("rivera", lambda c: "/conferences/"),
        ("rivera", lambda c: "/"),
        ("nguyen", lambda c: f"/conferences/rounds/{c.round.pk}/"),
    ],
)
def test_list_pages_do_not_grow_with_the_data(conferences, django_assert_num_queries, who, path):
    assert_constant(
        conferences,
        getattr(conferences.people, who),
        lambda: path(conferences),
        django_assert_num_queries,
    )


def test_a_sentence_ending_in_a_moment_has_one_full_stop(conferences):
    """In English a time ends with "a.m." or "p.m.": the sentence adds no second stop."""
    people = conferences.people
    client = client_for(english(people.sam))
    page = text_of(client.get("/conferences/family/"))
    assert "Booking is open until" in page
    assert ".." not in page
