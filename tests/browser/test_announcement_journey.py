"""Announcements in a real browser: Ms. Rivera tells her Grade 5 Homeroom families about a museum
visit; Sam reads it in Spanish on her phone (the original one tap away) and answers Ms. Rivera
alone, in Spanish; Ms. Rivera sees who has read it and who was not reached (a family with no
account and no email address), and prints that list with their phone number.
Eve (Lakeside) cannot open it. Every page passes an axe-core scan; the translations come from
Apertium, run by the worker."""

from __future__ import annotations

import pytest

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.announcements.models import Announcement, Recipient
from village.announcements.tests.test_reach import family
from village.demo.personas import build_personas
from village.messaging.models import Conversation
from village.translation import worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Museum visit on Thursday"
BODY = "On Thursday the class visits the museum. Please send a packed lunch and a warm coat."
ANSWER = "Gracias. Ada va a llevar su almuerzo."


def test_rivera_announces_sam_reads_it_in_spanish_and_rivera_sees_the_reach(
    live_server, desk, phone, browser, settings
):
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]
    people = build_personas()
    family(people, "nomad", email=False, signed_in=False, phone="+1 555 0101")

    # Ms. Rivera writes to her homeroom's families from the announcements page.
    sign_in(desk, live_server, "rivera")
    desk.locator(".main-nav").get_by_role("link", name="Announcements").click()
    desk.get_by_role("link", name="New announcement").click()
    assert_accessible(desk, "new announcement")
    desk.get_by_label("To", exact=True).select_option(value=f"class:{people.homeroom5.pk}")
    desk.get_by_label("Title", exact=True).fill(TITLE)
    desk.get_by_label("Announcement", exact=True).fill(BODY)
    desk.get_by_role("button", name="Send").click()
    desk.wait_for_load_state("networkidle")
    announcement = Announcement.objects.get(title=TITLE)
    assert desk.url.endswith(f"/announcements/{announcement.pk}/reach/")
    assert Recipient.objects.filter(announcement=announcement, user=people.sam).exists()
    worker.run()

    # Sam finds it on her home page and reads it in Spanish; the original is one tap away.
    sign_in(phone, live_server, "sam")
    home = main_text(phone)
    assert "museo" in home.lower()
    phone.goto(f"{live_server.url}/announcements/{announcement.pk}/")
    text = main_text(phone)
    assert "Traducción automática" in text
    assert "jueves" in text.lower()
    title, original = phone.locator(".mt-original").all()  # the title's, then the body's
    title.locator("summary").click()
    assert TITLE in title.inner_text()
    original.locator("summary").click()
    assert BODY in original.inner_text()
    assert original.locator("[lang=en]").count() == 1
    assert_accessible(phone, "announcement, Sam")
    shoot(phone, "announcement-sam-es")

    # Her answer goes to Ms. Rivera alone, as a conversation of her own.
    phone.get_by_label("Su respuesta, solo para quien lo envió").fill(ANSWER)
    phone.get_by_role("button", name="Enviar mi respuesta").click()
    phone.wait_for_load_state("networkidle")
    conversation = Conversation.objects.get(participants__user=people.sam)
    members = set(conversation.participants.values_list("user__username", flat=True))
    assert members == {"sam", "rivera"}

    # Ms. Rivera sees Sam among the readers, and who was not reached; the list prints.
    desk.goto(f"{live_server.url}/announcements/{announcement.pk}/reach/")
    reach = main_text(desk)
    assert "Sam Okoye" in reach.split("Who has read it", 1)[1]
    missed = reach.split("Not reached", 2)[2].split("Who has read it", 1)[0]
    assert "Nomad Test" in missed
    assert "No account in use and no email address" in missed
    assert "Sam Okoye" not in missed
    assert_accessible(desk, "reach")
    shoot(desk, "announcement-reach-rivera")
    desk.get_by_role("link", name="Printable list").click()
    desk.wait_for_load_state()
    printed = main_text(desk)
    assert "Nomad Test" in printed
    assert "+1 555 0101" in printed
    assert_accessible(desk, "reach, printable")

    # Eve, at Lakeside, cannot open it.
    eve = browser.new_context().new_page()
    sign_in(eve, live_server, "eve")
    assert eve.goto(f"{live_server.url}/announcements/{announcement.pk}/").status == 404
    assert eve.goto(f"{live_server.url}/announcements/{announcement.pk}/reach/").status == 404
