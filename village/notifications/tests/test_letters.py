"""Emails written once for many (letters): filled in for each recipient when sent — their name
escaped as the template would, their own signed unsubscribe link, a Message-ID that stays the
same across attempts — and removed with the last delivery that names them."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from village.notifications import delivery, letters
from village.notifications.models import Channel, Delivery, DeliveryState, Letter
from village.notifications.retention import purge
from village.notifications.services.notify import UNSUBSCRIBE_SALT
from village.notifications.tests.outbox_support import SmtpServer

pytestmark = pytest.mark.django_db

KIND = "class_announcement"


def _letter(now: dt.datetime | None = None) -> Letter:
    return Letter.objects.create(
        subject="Museum visit",
        text="Hello \x01,\nThe museum on Thursday.\nNo more of these: \x02",
        html='<p>Hello \x01,</p><p>The museum on Thursday.</p><a href="\x02">Unsubscribe</a>',
        language="es",
        slots="name,unsubscribe",
        created_at=now or timezone.now(),
    )


def _queued(letter: Letter, user, key: str, name: str, now: dt.datetime | None = None) -> Delivery:
    now = now or timezone.now()
    return Delivery.objects.create(
        key=key,
        channel=Channel.EMAIL,
        recipient=user,
        kind=KIND,
        address=user.email if user else "gone@families.village.test",
        letter=letter,
        slot_values=letters.values(name),
        created_at=now,
        due_at=now,
    )


def _loaded(row: Delivery) -> Delivery:
    return Delivery.objects.select_related("letter").get(pk=row.pk)


def test_a_letter_is_filled_with_each_recipients_name_and_own_signed_link(personas):
    letter = _letter()
    sam = letters.compose(_loaded(_queued(letter, personas.sam, "a", "Sam <Ana>")))
    ada = letters.compose(_loaded(_queued(letter, personas.ada, "b", "Ada")))
    assert sam.subject == "Museum visit"
    assert sam.text.startswith("Hello Sam <Ana>,\n")  # plain text as it is
    assert "<p>Hello Sam &lt;Ana&gt;,</p>" in sam.html  # HTML escaped
    assert "Hello Ada," in ada.text
    assert sam.headers["Content-Language"] == "es"
    assert sam.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = sam.headers["List-Unsubscribe"].strip("<>")
    assert link in sam.text
    assert f'href="{link}"' in sam.html
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert signing.loads(token, salt=UNSUBSCRIBE_SALT) == [personas.sam.pk, KIND]
    assert ada.headers["List-Unsubscribe"] != sam.headers["List-Unsubscribe"]


def test_the_message_id_is_the_same_on_every_attempt_and_differs_between_recipients(personas):
    letter = _letter()
    row = _queued(letter, personas.sam, "a", "Sam")
    first = letters.compose(_loaded(row)).headers["Message-ID"]
    again = letters.compose(_loaded(row)).headers["Message-ID"]
    other = letters.compose(_loaded(_queued(letter, personas.ada, "b", "Ada")))
    assert first == again
    assert other.headers["Message-ID"] != first


def test_a_recipient_gone_gets_the_settings_link_and_no_unsubscribe_header(personas):
    row = letters.compose(_loaded(_queued(_letter(), None, "a", "Sam")))
    assert reverse("notifications:settings") in row.text
    assert "List-Unsubscribe" not in row.headers


def test_a_delivery_without_a_letter_is_sent_as_written(personas):
    now = timezone.now()
    row = Delivery.objects.create(
        key="plain", channel=Channel.EMAIL, recipient=personas.sam, kind=KIND,
        address=personas.sam.email, subject="S", text="T", html="<p>H</p>",
        headers={"X-Test": "1"}, created_at=now, due_at=now,
    )  # fmt: skip
    loaded = letters.compose(_loaded(row))
    assert (loaded.subject, loaded.text, loaded.html, loaded.headers) == (
        "S",
        "T",
        "<p>H</p>",
        {"X-Test": "1"},
    )


def test_the_worker_sends_the_letter_filled_in(personas, smtp: SmtpServer):
    letter = _letter()
    _queued(letter, personas.sam, "a", "Sam")
    _queued(letter, personas.ada, "b", "Ada")
    outcome = delivery.deliver_due()
    assert outcome.sent == 2
    received = {str(message["To"]): message for message in smtp.inbox.received}
    sam = received[personas.sam.email]
    assert sam["Subject"] == "Museum visit"
    assert _part(sam, "plain").startswith("Hello Sam,")
    assert "Hello Ada," in _part(received[personas.ada.email], "html")
    # The row still holds only the name: nothing rendered was written back.
    stored = Delivery.objects.get(key="a")
    assert (stored.state, stored.text, stored.html) == (DeliveryState.SENT, "", "")


def _part(message: EmailMessage, kind: str) -> str:
    body = message.get_body(preferencelist=(kind,))
    assert body is not None
    return str(body.get_content())


def test_a_letter_goes_with_its_last_delivery_after_retention(personas, settings):
    settings.VILLAGE_NOTIFICATION_RETENTION_DAYS = 30
    now = timezone.now()
    old = now - dt.timedelta(days=31)
    gone, kept, recent = _letter(old), _letter(old), _letter(now)
    sent = _queued(gone, personas.sam, "sent", "Sam", old)
    failed = _queued(kept, personas.ada, "failed", "Ada", old)
    Delivery.objects.filter(pk=sent.pk).update(state=DeliveryState.SENT)
    Delivery.objects.filter(pk=failed.pk).update(state=DeliveryState.FAILED)
    counts = purge(now)
    assert counts["letters"] == 1
    assert set(Letter.objects.values_list("pk", flat=True)) == {kept.pk, recent.pk}
