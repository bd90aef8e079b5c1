"""Texts through a real HTTP SMS gateway (``http.server`` on the loopback): the JSON and the
headers it receives, retries with back-off when it fails or cannot be reached, at once for good
when it refuses the text, and no texts at all unless a gateway is set up."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine

from village.notifications import delivery, registry
from village.notifications.models import Channel, Delivery, DeliveryState, UserSettings
from village.notifications.services.notify import Pending, notify
from village.notifications.tests.outbox_support import (
    Gateway,
    free_port,
    sms_delivery,
)

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC)
PHONE = "+15550100"


@pytest.fixture
def texted(settings) -> Delivery:
    settings.VILLAGE_DELIVERY_BACKOFF_SECONDS = 60
    return Delivery.objects.create(**_fields(sms_delivery(PHONE, "note:1:sms", now=NOON)))


def _fields(row: Delivery) -> dict[str, object]:
    return {
        field.name: getattr(row, field.name)
        for field in Delivery._meta.concrete_fields
        if not field.primary_key
    }


def _deliver(at: dt.datetime = NOON) -> delivery.Outcome:
    with time_machine.travel(at, tick=False):
        return delivery.deliver_due()


def test_a_text_reaches_the_gateway_as_json_with_its_token_and_idempotency_key(
    gateway: Gateway, texted: Delivery
):
    outcome = _deliver()
    assert outcome.sent == 1
    (request,) = gateway.requests
    assert request.path == "/v1/messages"
    assert request.body == {"to": PHONE, "from": "Riverside", "text": "Village: notice note:1:sms"}
    assert request.headers["Authorization"] == "Bearer gateway-secret"
    assert request.headers["Idempotency-Key"] == "note:1:sms"
    assert request.headers["Content-Type"] == "application/json"
    texted.refresh_from_db()
    assert (texted.state, texted.attempts, texted.provider_id) == (DeliveryState.SENT, 1, "msg-1")


def test_a_failing_gateway_is_tried_again_with_back_off_and_the_same_key(
    gateway: Gateway, texted: Delivery
):
    gateway.answers = [(503, {}), (502, {})]
    assert _deliver().retried == 1
    texted.refresh_from_db()
    assert texted.state == DeliveryState.QUEUED
    assert texted.due_at == NOON + dt.timedelta(seconds=60)
    assert texted.last_error == 'the SMS gateway answered 503: {"error": "refused"}'
    assert _deliver(NOON + dt.timedelta(seconds=59)).handled == 0
    assert _deliver(NOON + dt.timedelta(seconds=60)).retried == 1
    texted.refresh_from_db()
    assert texted.due_at == NOON + dt.timedelta(seconds=60 + 120)
    assert _deliver(NOON + dt.timedelta(seconds=180)).sent == 1
    assert [request.headers["Idempotency-Key"] for request in gateway.requests] == [
        "note:1:sms"
    ] * 3
    texted.refresh_from_db()
    assert (texted.state, texted.attempts) == (DeliveryState.SENT, 3)


def test_too_many_requests_is_tried_again_no_sooner_than_the_gateway_asks(
    gateway: Gateway, texted: Delivery
):
    gateway.answers = [(429, {"Retry-After": "600"})]
    assert _deliver().retried == 1
    texted.refresh_from_db()
    assert texted.state == DeliveryState.QUEUED
    assert texted.due_at == NOON + dt.timedelta(seconds=600)


def test_a_gateway_that_cannot_be_reached_is_tried_again(settings, texted: Delivery):
    settings.VILLAGE_SMS_URL = f"http://127.0.0.1:{free_port()}/v1/messages"  # nobody listens
    assert _deliver().retried == 1
    texted.refresh_from_db()
    assert (texted.state, texted.attempts) == (DeliveryState.QUEUED, 1)
    assert texted.last_error.startswith("the SMS gateway cannot be reached: ")
    assert "refused" in texted.last_error.lower()


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_a_text_the_gateway_refuses_fails_at_once(gateway: Gateway, texted: Delivery, status):
    gateway.answers = [(status, {})]
    outcome = _deliver()
    assert (outcome.sent, outcome.retried, outcome.failed) == (0, 0, 1)
    texted.refresh_from_db()
    assert (texted.state, texted.attempts) == (DeliveryState.FAILED, 1)
    assert texted.last_error == f'the SMS gateway answered {status}: {{"error": "refused"}}'
    assert _deliver(NOON + dt.timedelta(days=1)).handled == 0
    assert len(gateway.requests) == 1


def test_texts_stay_off_unless_a_gateway_is_set_up(personas, settings):
    kind = registry.AlertKind(
        name="test_urgent",
        label="Urgent",
        audience=registry.Audience.GUARDIAN,
        sms=True,
        urgent=True,
    )
    registry.register_kind(kind)
    try:
        UserSettings.objects.create(user=personas.sam, phone=PHONE)
        settings.VILLAGE_SMS_URL = ""
        pending = Pending(
            recipient=personas.sam, kind=kind.name, key="1", compose=lambda: ("Now", "")
        )
        notify([pending], now=NOON)
        assert not Delivery.objects.filter(channel=Channel.SMS).exists()
        settings.VILLAGE_SMS_URL = "http://127.0.0.1:9/v1/messages"
        notify([dataclasses.replace(pending, key="2")], now=NOON)
        assert Delivery.objects.filter(channel=Channel.SMS, address=PHONE).count() == 1
    finally:
        registry.unregister(kind.name)


def test_a_text_queued_before_the_gateway_was_turned_off_is_not_sent(settings, texted: Delivery):
    settings.VILLAGE_SMS_URL = ""
    assert _deliver().failed == 1
    texted.refresh_from_db()
    assert texted.state == DeliveryState.FAILED
    assert texted.last_error == "text messages are not set up (VILLAGE_SMS_URL)"
