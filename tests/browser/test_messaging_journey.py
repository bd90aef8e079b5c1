"""Messaging in a real browser: Ms. Rivera writes to Sam about Leo's late lab report; Sam reads
it in Spanish on her phone (the original one tap away) and answers in Spanish; Ms. Rivera reads
the answer in English. Jordan sees the conversation only once his link allows messages, and
nothing about Ada; Eve (Lakeside) can write to nobody at Riverside; Ada cannot write about
another student. Every page passes an axe-core scan; the translations come from Apertium, run
by the worker."""

from __future__ import annotations

import pytest

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.community.models import GuardianLink
from village.demo.personas import build_personas
from village.messaging.models import Conversation
from village.translation import worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = "Leo's lab report is one week late. He can hand it in on Monday."
ANSWER = "Gracias. Leo estuvo enfermo el martes."


def test_rivera_and_sam_write_to_each_other_each_in_their_language(
    live_server, desk, phone, browser, settings
):
    settings.VILLAGE_TRANSLATION_ENGINES = ["apertium"]
    people = build_personas()

    # Ms. Rivera starts from the messages page, about Leo, to Sam.
    sign_in(desk, live_server, "rivera")
    desk.get_by_role("link", name="Messages", exact=True).first.click()
    desk.get_by_role("link", name="New message").click()
    desk.get_by_label("Find a student by name").fill("Leo")
    desk.get_by_role("button", name="Find").click()
    desk.get_by_role("link", name="Leo Okoye").click()
    assert_accessible(desk, "start")
    labels = main_text(desk)
    assert "Sam Okoye" in labels
    assert "Jordan Bell" not in labels  # his link has no messages area
    desk.get_by_label("Subject").fill("Leo's lab report")
    desk.get_by_label("Message").fill(BODY)
    desk.get_by_role("button", name="Send").click()
    desk.wait_for_load_state("networkidle")
    assert "Your message is sent." in main_text(desk)
    assert_accessible(desk, "conversation, teacher")
    conversation = Conversation.objects.get()
    worker.run()

    # Sam reads it in Spanish on her phone; the original is one tap away.
    sign_in(phone, live_server, "sam")
    phone.goto(f"{live_server.url}/messages/")
    assert "informe de laboratorio" in main_text(phone)
    assert_accessible(phone, "inbox, Sam")
    phone.goto(f"{live_server.url}/messages/{conversation.pk}/")
    text = main_text(phone)
    assert "Traducción automática" in text
    assert "lunes" in text
    original = phone.locator(".thread-message .mt-original")
    original.locator("summary").first.click()
    assert BODY in original.first.inner_text()
    assert original.first.locator("[lang=en]").count() == 1
    assert_accessible(phone, "conversation, Sam")
    shoot(phone, "messaging-sam-conversation-es")
    phone.get_by_label("Su respuesta").fill(ANSWER)
    phone.get_by_role("button", name="Enviar").click()
    phone.wait_for_load_state("networkidle")
    assert ANSWER in main_text(phone)
    worker.run()

    # Ms. Rivera reads the answer in English, with Sam's words one tap away.
    desk.goto(f"{live_server.url}/messages/{conversation.pk}/")
    text = main_text(desk)
    assert "Machine-translated from Spanish" in text
    assert "Thank you" in text
    assert "Seen by Sam Okoye" in text
    assert_accessible(desk, "conversation with the reply")
    shoot(desk, "messaging-rivera-conversation-en")

    # Jordan: nothing until his link allows messages; never anything about Ada.
    jordan = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(jordan, live_server, "jordan")
    assert jordan.goto(f"{live_server.url}/messages/{conversation.pk}/").status == 404
    GuardianLink.objects.filter(guardian=people.jordan).update(scope_messages=True)
    jordan.goto(f"{live_server.url}/messages/new/")
    choices = main_text(jordan)
    assert "Leo Okoye" in choices
    assert "Ada" not in choices
    assert jordan.goto(f"{live_server.url}/messages/new/?student={people.ada.pk}").status == 404

    # Eve, at Lakeside, reaches nobody at Riverside; Ada cannot write about Maya.
    eve = browser.new_context().new_page()
    sign_in(eve, live_server, "eve")
    eve.goto(f"{live_server.url}/messages/new/")
    assert "Leo" not in main_text(eve)
    for student in (people.leo, people.ada):
        assert eve.goto(f"{live_server.url}/messages/new/?student={student.pk}").status == 404
    ada = browser.new_context().new_page()
    sign_in(ada, live_server, "ada")
    assert ada.goto(f"{live_server.url}/messages/new/?student={people.maya.pk}").status == 404
    ada.goto(f"{live_server.url}/messages/new/")
    assert "Maya" not in main_text(ada)
    assert_accessible(ada, "student chooser, Ada")
