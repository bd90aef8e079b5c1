"""An email that carries a calendar invitation (``Delivery.calendar``): the worker sends it as
iMIP has it (RFC 6047), a ``text/calendar`` part with the invitation's METHOD beside the text
and HTML, and the same as an ``invite.ics`` attachment; an email without one is unchanged."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from village.notifications import delivery
from village.notifications.models import Delivery
from village.notifications.services.notify import Pending, notify
from village.notifications.tests.outbox_support import SmtpServer, email_delivery

pytestmark = pytest.mark.django_db

INVITATION = (
    "BEGIN:VCALENDAR\r\nPRODID:-//Test//EN\r\nVERSION:2.0\r\nMETHOD:{method}\r\n"
    "BEGIN:VEVENT\r\nUID:booking-1@village.test\r\nDTSTAMP:20261201T150000Z\r\n"
    "DTSTART:20261203T210000Z\r\nSUMMARY:Conferencia sobre Leo\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def _sent(smtp: SmtpServer, calendar: str) -> EmailMessage:
    row = email_delivery("sam@families.village.test", "k1")
    row.calendar = calendar
    row.save()
    outcome = delivery.deliver_due()
    assert outcome.sent == 1
    (message,) = smtp.inbox.received
    return message


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_an_invitation_goes_as_a_text_calendar_part_with_its_method_and_as_an_ics_file(
    smtp: SmtpServer, method: str
):
    calendar = INVITATION.format(method=method)
    message = _sent(smtp, calendar)
    assert message.get_content_type() == "multipart/mixed"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == [
        "multipart/alternative",
        "text/calendar",
        "application/ics",
    ]
    assert [p.get_content_type() for p in parts[0].iter_parts()] == ["text/plain", "text/html"]
    invitation = parts[1]
    assert invitation.get_param("method") == method
    assert invitation.get_content_charset() == "utf-8"
    assert invitation.get_content_disposition() is None  # shown inline, as mail programs expect
    assert invitation.get_content().replace("\r\n", "\n") == calendar.replace("\r\n", "\n")
    attached = parts[2]
    assert attached.get_filename() == "invite.ics"
    assert attached.get_content_disposition() == "attachment"
    assert attached.get_content().decode() == calendar


def test_an_email_without_an_invitation_stays_text_and_html(smtp: SmtpServer):
    message = _sent(smtp, "")
    assert message.get_content_type() == "multipart/alternative"


def test_notify_keeps_a_pending_invitation_on_the_email_it_queues(personas, kinds):
    notify(
        [
            Pending(
                recipient=personas.sam,
                kind=kinds[0].name,
                key="booking:1:0",
                compose=lambda: ("Booked", ""),
                calendar=INVITATION.format(method="REQUEST"),
            ),
            Pending(
                recipient=personas.jordan,
                kind=kinds[0].name,
                key="booking:1:0",
                compose=lambda: ("Booked", ""),
            ),
        ]
    )
    by_address = dict(Delivery.objects.values_list("address", "calendar"))
    assert by_address[personas.sam.email] == INVITATION.format(method="REQUEST")
    assert by_address[personas.jordan.email] == ""
