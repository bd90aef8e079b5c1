"""A school admin on a phone finds what could not be delivered from the home page and sends a
message again with the keyboard; every page passes an axe-core scan."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.pages import assert_accessible, main_text, shoot, sign_in
from village.demo.personas import build_personas
from village.notifications.models import Delivery, DeliveryState
from village.notifications.tests.outbox_support import email_delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_finds_a_bounced_message_and_sends_it_again(live_server, phone):
    personas = build_personas()
    bounced = email_delivery(personas.sam.email, "sam:notice", recipient=personas.sam)
    bounced.state = DeliveryState.FAILED
    bounced.attempts = 1
    bounced.last_error = "recipient refused: 550 5.1.1 User unknown"
    bounced.tried_at = timezone.now()
    bounced.save()
    personas.jordan.email = ""
    personas.jordan.save(update_fields=["email"])

    sign_in(phone, live_server, "nguyen")
    phone.get_by_role("link", name="Delivery problems").click()
    phone.wait_for_load_state("networkidle")
    text = main_text(phone)
    assert "Sam Okoye" in text
    assert "550 5.1.1 User unknown" in text
    assert "Jordan Bell" in text  # no email address
    assert_accessible(phone, "delivery problems")
    shoot(phone, "delivery-problems")

    phone.get_by_role("button", name="Send again to Sam Okoye").focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.wait_for_load_state("networkidle")
    assert "will be sent again in a moment" in main_text(phone)
    assert_accessible(phone, "delivery problems after sending again")
    bounced.refresh_from_db()
    assert bounced.state == DeliveryState.QUEUED
    assert Delivery.objects.filter(state=DeliveryState.FAILED).count() == 0
