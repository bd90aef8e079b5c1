"""A conference booking, as the people involved live it, on phones (390 px).

Riverside K-8's fall conferences are open. Sam (Spanish) has booked Leo with Ms. Rivera at
15:00; from her home page she books Ada too, takes the time suggested next to Leo's, and keeps
the Spanish interpreter offered. The worker sends both sides the invitation, which a real SMTP
server (aiosmtpd) receives: libical and ical.js read it (METHOD:REQUEST). Sam moves it (the same
UID, SEQUENCE 1), Ms. Rivera sees her day and its list to print, then Sam cancels
(METHOD:CANCEL, SEQUENCE 2). Every page passes axe-core; screenshots of the booking page and of
the teacher's day in English and in Spanish are kept with ``VILLAGE_SCREENSHOTS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.calendar.tests.test_calendar_parsers import read_with_icaljs, read_with_libical
from village.conferences.models import Booking, BookingState
from village.conferences.services.bookings import booking_create
from village.conferences.tests.factories import (
    add_slots,
    conference_day,
    jordan_talks_with_school,
    keep_households_apart,
    open_round,
)
from village.core.tests.test_mail_smtp import Inbox, free_port
from village.demo.personas import build_personas
from village.notifications.models import UserSettings

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def inbox(settings: Any) -> Iterator[Inbox]:
    settings.MAILER_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    yield received
    controller.stop()


@pytest.fixture
def phones(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_phone() -> Any:
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_phone
    for context in contexts:
        context.close()


def deliver() -> None:
    call_command("worker", "--burst", "--purge-every", "0", stdout=StringIO())


def invitation_to(inbox: Inbox, address: str, method: str) -> str:
    """The newest invitation of ``method`` the SMTP server received for ``address``."""
    found = []
    for message in inbox.received:
        if address not in str(message["To"]):
            continue
        assert isinstance(message, EmailMessage)
        for part in message.walk():
            if part.get_content_type() == "text/calendar" and part.get_param("method") == method:
                found.append(part.get_content())
    assert found, f"no {method} for {address}"
    return str(found[-1])


def read_both(tmp_path: Path, text: str, name: str) -> dict[str, Any]:
    path = tmp_path / f"{name}.ics"
    path.write_bytes(text.replace("\r\n", "\n").replace("\n", "\r\n").encode())
    libical = read_with_libical(path)
    icaljs = read_with_icaljs(path)
    (one,), (other,) = libical["events"], icaljs["events"]
    for key in ("uid", "sequence", "status", "organizer", "attendees", "summary"):
        assert one[key] == other[key], key
    assert libical["method"] == icaljs["method"]
    return {"method": libical["method"], **one}


def set_language(user: Any, language: str) -> None:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def test_sam_books_ada_next_to_leo_moves_it_and_cancels_it(
    live_server: Any, phones: Any, inbox: Inbox, tmp_path: Path
) -> None:
    people = build_personas()
    for person in (people.sam, people.rivera):
        UserSettings.objects.create(user=person, quiet_hours=False)
    conference_round = open_round(people)
    rivera = add_slots(conference_round, people.rivera, end=dt.time(16, 40))
    add_slots(conference_round, people.chen, place="Room 21")
    booking_create(guardian=people.sam, child=people.leo, slot=rivera[0])
    deliver()
    inbox.received.clear()

    # Sam, on her phone, in Spanish: from the home page to Ada's teachers.
    sam = phones()
    sign_in(sam, live_server, "sam")
    assert_accessible(sam, "home")
    shoot(sam, "conference-home-es")
    sam.get_by_role("link", name="Reservar la reunión sobre Ada (1 docente)").click()
    sam.wait_for_load_state("networkidle")
    assert_accessible(sam, "Ada's teachers")
    shoot(sam, "conference-teachers-es")
    sam.get_by_role("link", name="Elegir una hora (4 libres)").click()
    sam.wait_for_load_state("networkidle")
    # The time next to Leo's comes first, marked, and the interpreter is Spanish already.
    first = sam.locator(".slot-choice").first
    expect(first).to_contain_text("Sugerida")
    expect(first).to_contain_text("Junto a la reunión sobre Leo con Elena Rivera")
    expect(sam.locator("#id_interpreter_language")).to_have_value("es")
    assert_accessible(sam, "free times")
    shoot(sam, "conference-booking-es")
    first.locator("label").click()
    sam.get_by_role("button", name="Reservar esta hora").click()
    sam.wait_for_load_state("networkidle")
    expect(sam.locator(".messages")).to_contain_text("Reservada.")
    booking = Booking.objects.get(child=people.ada)
    assert (booking.slot, booking.interpreter_language) == (rivera[1], "es")
    assert "Intérprete" in main_text(sam)
    assert_accessible(sam, "booking")
    shoot(sam, "conference-booked-es")

    # Both sides receive the invitation; libical and ical.js read it.
    deliver()
    uid = f"conference-booking-{booking.pk}@"
    for address in (people.sam.email, people.rivera.email):
        read = read_both(tmp_path, invitation_to(inbox, address, "REQUEST"), "request")
        assert (read["method"], read["sequence"], read["status"]) == ("REQUEST", 0, "CONFIRMED")
        assert read["uid"].startswith(uid)
        assert read["organizer"] == f"mailto:{people.rivera.email}"
        assert read["attendees"] == [f"mailto:{people.sam.email}"]
    to_sam = [m for m in inbox.received if people.sam.email in str(m["To"])]
    assert to_sam[-1]["Content-Language"] == "es"

    # Sam moves it to 16:00.
    sam.locator(f"label[for='id_slot_{rivera[3].pk}']").click()
    sam.get_by_role("button", name="Cambiar a esta hora").click()
    sam.wait_for_load_state("networkidle")
    expect(sam.locator(".messages")).to_contain_text("Cambiada.")
    deliver()
    moved = read_both(tmp_path, invitation_to(inbox, people.sam.email, "REQUEST"), "moved")
    assert moved["uid"].startswith(uid)
    assert moved["sequence"] == 1

    # The same page in English.
    set_language(people.sam, "en")
    sam.reload()
    sam.wait_for_load_state("networkidle")
    expect(sam.locator("h1")).to_have_text("Ada\u2019s conference with Elena Rivera")
    assert_accessible(sam, "booking in English")
    shoot(sam, "conference-booked-en")
    set_language(people.sam, "es")

    # Ms. Rivera's day, in English and in Spanish, and the list to print.
    teacher = phones()
    sign_in(teacher, live_server, "rivera")
    teacher.goto(f"{live_server.url}/conferences/rounds/{conference_round.pk}/slots/")
    expect(teacher.locator("h1")).to_have_text("Your conference times")
    assert_accessible(teacher, "teacher's times")
    shoot(teacher, "conference-slots-en")
    day = conference_day().isoformat()
    teacher.goto(f"{live_server.url}/conferences/schedule/?day={day}")
    text = main_text(teacher)
    assert "Ada Okoye" in text
    assert "Leo Okoye" in text
    assert "Interpreter: Español (Spanish)" in text
    assert_accessible(teacher, "teacher's day")
    shoot(teacher, "conference-schedule-en")
    teacher.get_by_role("link", name="List to print").click()
    teacher.wait_for_load_state("networkidle")
    assert "sam@families.village.test" in main_text(teacher)
    assert_accessible(teacher, "list to print")
    shoot(teacher, "conference-list-en")
    set_language(people.rivera, "es")
    teacher.goto(f"{live_server.url}/conferences/schedule/?day={day}")
    assert "Intérprete: Español" in main_text(teacher)
    assert_accessible(teacher, "teacher's day in Spanish")
    shoot(teacher, "conference-schedule-es")

    # Sam cancels: both sides receive the cancellation.
    sam.goto(f"{live_server.url}/conferences/family/bookings/{booking.pk}/")
    sam.get_by_role("link", name="Cancelar esta reunión").click()
    sam.wait_for_load_state("networkidle")
    assert_accessible(sam, "cancel")
    sam.get_by_role("button", name="Cancelar la reunión").click()
    sam.wait_for_load_state("networkidle")
    expect(sam.locator(".messages")).to_contain_text("Cancelada.")
    booking.refresh_from_db()
    assert (booking.state, booking.sequence) == (BookingState.CANCELLED, 2)
    deliver()
    for address in (people.sam.email, people.rivera.email):
        read = read_both(tmp_path, invitation_to(inbox, address, "CANCEL"), "cancel")
        assert (read["method"], read["sequence"], read["status"]) == ("CANCEL", 2, "CANCELLED")
        assert read["uid"].startswith(uid)


def test_principal_nguyen_starts_a_round_and_ms_rivera_adds_her_evening(
    live_server: Any, phones: Any
) -> None:
    build_personas()
    day = conference_day()
    nguyen = phones()
    sign_in(nguyen, live_server, "nguyen")
    nguyen.goto(f"{live_server.url}/conferences/")
    assert_accessible(nguyen, "rounds")
    nguyen.get_by_role("link", name="Start a round").click()
    nguyen.wait_for_load_state("networkidle")
    nguyen.locator("#id_title").fill("Fall conferences")
    nguyen.locator("#id_opens_at").fill(f"{(day - dt.timedelta(days=3)).isoformat()}T08:00")
    nguyen.locator("#id_closes_at").fill(f"{(day - dt.timedelta(days=4)).isoformat()}T08:00")
    nguyen.get_by_role("button", name="Start the round").click()
    nguyen.wait_for_load_state("networkidle")
    # Closing before opening: said at the top and on the field, nothing made.
    expect(nguyen.locator("#error-summary")).to_contain_text("Booking must close after it opens.")
    assert_accessible(nguyen, "round form with an error")
    nguyen.locator("#id_closes_at").fill(f"{(day - dt.timedelta(days=1)).isoformat()}T18:00")
    nguyen.locator("#id_published").check()
    nguyen.get_by_role("button", name="Start the round").click()
    nguyen.wait_for_load_state("networkidle")
    expect(nguyen.locator("h1")).to_have_text("Fall conferences")
    assert_accessible(nguyen, "round")
    shoot(nguyen, "conference-round-en")

    rivera = phones()
    sign_in(rivera, live_server, "rivera")
    rivera.goto(f"{live_server.url}/conferences/")
    rivera.get_by_role("link", name="Fall conferences").click()
    rivera.get_by_role("link", name="Your times").click()
    rivera.wait_for_load_state("networkidle")
    rivera.locator("#id_day").fill(day.isoformat())
    rivera.locator("#id_start").fill("15:00")
    rivera.locator("#id_end").fill("18:00")
    rivera.locator("#id_minutes").select_option("15")
    rivera.locator("#id_gap").fill("5")
    rivera.get_by_label("By video").check()
    rivera.locator("#id_place").fill("https://meet.example.org/rivera")
    rivera.get_by_role("button", name="Add the times").click()
    rivera.wait_for_load_state("networkidle")
    expect(rivera.locator(".messages")).to_contain_text("9 slots added.")
    assert "By video" in main_text(rivera)
    assert_accessible(rivera, "teacher's times")


def test_jordan_living_apart_books_his_own_and_ms_rivera_sees_both_labelled(
    live_server: Any, phones: Any
) -> None:
    """The round keeps households apart. Sam has booked Leo's home conference with Ms. Rivera
    at 15:00; Jordan, Leo's father, who does not live with him, does not see it and books his
    own. Ms. Rivera's day shows both, each labelled with its household."""
    people = build_personas()
    jordan_talks_with_school(people)
    conference_round = keep_households_apart(open_round(people))
    rivera = add_slots(conference_round, people.rivera)
    add_slots(conference_round, people.chen, place="Room 21")
    home = booking_create(guardian=people.sam, child=people.leo, slot=rivera[0])

    jordan = phones()
    sign_in(jordan, live_server, "jordan")
    jordan.goto(f"{live_server.url}/conferences/family/")
    assert f"/conferences/family/bookings/{home.pk}/" not in jordan.content()
    assert_accessible(jordan, "Jordan's conferences")
    jordan.get_by_role("link", name="Book Leo\u2019s conferences (2 teachers)").click()
    jordan.wait_for_load_state("networkidle")
    jordan.get_by_role("link", name="Choose a time (2 free)").click()
    jordan.wait_for_load_state("networkidle")
    assert "Next to" not in main_text(jordan)
    assert_accessible(jordan, "Jordan's free times")
    jordan.locator(".slot-choice label").first.click()
    jordan.get_by_role("button", name="Book this time").click()
    jordan.wait_for_load_state("networkidle")
    expect(jordan.locator(".messages")).to_contain_text("Booked.")
    own = Booking.objects.get(guardian=people.jordan)
    assert own.household == people.jordan.pk
    assert_accessible(jordan, "Jordan's booking")

    teacher = phones()
    sign_in(teacher, live_server, "rivera")
    teacher.goto(f"{live_server.url}/conferences/schedule/?day={conference_day().isoformat()}")
    text = main_text(teacher)
    assert "Leo\u2019s home" in text
    assert "Jordan Bell\u2019s household" in text
    expect(
        teacher.get_by_role(
            "link", name="Cancel Leo\u2019s conference (Jordan Bell\u2019s household)"
        )
    ).to_have_count(1)
    assert_accessible(teacher, "teacher's day with two households")
    shoot(teacher, "conference-households-en")
