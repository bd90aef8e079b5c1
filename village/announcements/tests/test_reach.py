"""Read receipts and reach: opening an announcement is its read receipt; its sender sees who
has read it and who was not reached (no account in use, no email address, no school
communications, an email that failed, not opened in N days), printable, with a text fallback
through the SMS gateway. No family is silently left out."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.authorization import client_for
from village.announcements.models import Recipient
from village.announcements.selectors import reach as selectors
from village.announcements.selectors.reach import Why
from village.announcements.services import fallback
from village.announcements.tests.support import announce
from village.community.models import EnrollmentRole, GuardianLink, Role
from village.community.services import enrollment_add, guardian_link, person_create
from village.core.models import AuditEvent
from village.notifications import delivery
from village.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    Notification,
    UserSettings,
)
from village.notifications.tests.outbox_support import Gateway

pytestmark = pytest.mark.django_db

SENT = dt.datetime(2026, 12, 1, 17, 0, tzinfo=dt.UTC)
DAYS_LATER = SENT + dt.timedelta(days=4)


def family(personas, name: str, *, email: bool = True, signed_in: bool = True, phone: str = ""):
    """A child in Grade 5 Homeroom with one guardian, ``name``."""
    child = person_create(
        username=f"{name}-child",
        first_name=f"{name.title()}child",
        last_name="Test",
        role=Role.STUDENT,
        organisation=personas.school,
        grade="5",
    )
    enrollment_add(user=child, school_class=personas.homeroom5, role=EnrollmentRole.STUDENT)
    parent = person_create(
        username=name,
        first_name=name.title(),
        last_name="Test",
        role=Role.GUARDIAN,
        organisation=personas.school,
        email=f"{name}@families.village.test" if email else "",
        phone=phone,
    )
    if signed_in:
        parent.last_login = SENT - dt.timedelta(days=30)
        parent.save(update_fields=["last_login"])
    guardian_link(guardian=parent, student=child)
    return parent


@pytest.fixture
def homeroom(personas):
    """Ms. Rivera's announcement to Grade 5 Homeroom's families, with families of every kind."""
    family(personas, "nomad", email=False, signed_in=False, phone="+1 555 0101")
    family(personas, "offline", email=False)
    quiet = family(personas, "quiet")
    GuardianLink.objects.filter(guardian=quiet).update(receives_communications=False)
    family(personas, "bounced", phone="+1 555 0103")
    family(personas, "busy")
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, now=SENT)
    Delivery.objects.filter(recipient__username="bounced").update(state=DeliveryState.FAILED)
    return sent


def test_opening_the_page_is_the_read_receipt_and_reads_its_notification(personas, homeroom):
    url = reverse("announcements:detail", args=[homeroom.pk])
    with time_machine.travel(SENT + dt.timedelta(hours=3), tick=False):
        assert client_for(personas.sam).get(url).status_code == 200
    receipt = Recipient.objects.get(announcement=homeroom, user=personas.sam)
    assert receipt.read_at == SENT + dt.timedelta(hours=3)
    assert Notification.objects.get(recipient=personas.sam).read_at is not None
    with time_machine.travel(SENT + dt.timedelta(days=1), tick=False):
        client_for(personas.sam).get(url)
    receipt.refresh_from_db()
    assert receipt.read_at == SENT + dt.timedelta(hours=3)  # the first opening counts


def test_the_notification_opened_leads_to_the_page_and_counts(personas, homeroom):
    note = Notification.objects.get(recipient=personas.sam)
    client = client_for(personas.sam)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("announcements:detail", args=[homeroom.pk])
    client.get(response["Location"])
    assert Recipient.objects.get(announcement=homeroom, user=personas.sam).read_at is not None


def test_the_not_reached_list_says_why_for_each(personas, homeroom):
    Recipient.objects.filter(user=personas.sam).update(read_at=SENT + dt.timedelta(hours=1))
    early = selectors.not_reached(homeroom, now=SENT + dt.timedelta(days=1))
    assert {(p.name, p.reason) for p in early.people} == {
        ("Nomad Test", Why.NO_ACCOUNT),
        ("Offline Test", Why.NO_EMAIL),
        ("Quiet Test", Why.NO_COMMUNICATIONS),
        ("Bounced Test", Why.EMAIL_FAILED),
    }  # Busy Test was emailed a day ago: waiting, not on the list yet
    later = selectors.not_reached(homeroom, now=DAYS_LATER)
    assert [p.name for p in later.people] == [
        "Nomad Test",
        "Offline Test",
        "Quiet Test",
        "Bounced Test",
        "Busy Test",
    ]
    busy = later.people[-1]
    assert (busy.reason, busy.child) == (Why.NOT_OPENED, "Busychild Test")
    assert later.total == 5
    assert later.with_phone == 2


def test_the_mobile_number_for_texts_comes_before_the_schools_record(personas, homeroom):
    nomad = Recipient.objects.get(announcement=homeroom, user__username="nomad").user
    UserSettings.objects.create(user=nomad, phone="+15550199")
    (person,) = [
        p for p in selectors.not_reached(homeroom, now=DAYS_LATER).people if p.name == "Nomad Test"
    ]
    assert person.phone == "+15550199"


def test_the_figures(personas, homeroom):
    Recipient.objects.filter(user=personas.sam).update(read_at=SENT + dt.timedelta(hours=1))
    with time_machine.travel(SENT + dt.timedelta(hours=2), tick=False):
        delivery.deliver_due()
    counts = selectors.counts(homeroom)
    assert (counts.recipients, counts.read, counts.read_percent) == (6, 1, 17)
    assert counts.by_role == {"guardian": (6, 1)}
    assert counts.email_failed == 1
    assert counts.emailed == 2  # Sam and Busy Test; the others have no address or no email


def test_the_reach_page_and_its_printable_list(personas, homeroom):
    client = client_for(personas.rivera)
    with time_machine.travel(DAYS_LATER, tick=False):
        html = client.get(reverse("announcements:reach", args=[homeroom.pk])).content.decode()
        printed = client.get(reverse("announcements:reach_print", args=[homeroom.pk]))
    assert "Not reached" in html
    assert "Nomad Test" in html
    assert "No account in use and no email address" in html
    assert "Not opened 3 days after it was sent" in html
    assert "Texts are off" in html
    assert printed.status_code == 200
    text = printed.content.decode()
    assert "+1 555 0101" in text
    assert "Bouncedchild Test" in text
    assert "data-print" in text


def test_reading_the_reach_page_and_its_printable_list_is_audited(personas, homeroom):
    """The lists name children beside their families' contact details: each student shown is
    recorded once per page, with the announcement the page is about."""
    client = client_for(personas.rivera)
    with time_machine.travel(DAYS_LATER, tick=False):
        client.get(reverse("announcements:reach", args=[homeroom.pk]))
    events = AuditEvent.objects.filter(actor=personas.rivera, object_type="announcement_reach")
    shown = list(events.values_list("student_id", flat=True))
    assert shown
    assert len(shown) == len(set(shown))
    expected = {
        line.student_id
        for line in selectors.not_reached(homeroom, now=DAYS_LATER).people
        if line.student_id is not None
    }
    assert expected <= set(shown)
    assert set(events.values_list("object_id", flat=True)) == {str(homeroom.pk)}
    assert set(events.values_list("organisation_id", flat=True)) == {personas.school.pk}
    events.delete()
    with time_machine.travel(DAYS_LATER, tick=False):
        client.get(reverse("announcements:reach_print", args=[homeroom.pk]))
    assert set(events.values_list("student_id", flat=True)) == expected


def test_the_reach_page_takes_as_many_queries_for_many_recipients_as_for_few(personas):
    client = client_for(personas.rivera)

    def queries() -> int:
        sent = announce(personas.rivera, class_id=personas.homeroom5.pk, now=SENT)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("announcements:reach", args=[sent.pk])).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(8):
        family(personas, f"family{n}", email=n % 2 == 0)
    Recipient.objects.update(read_at=SENT)
    assert queries() == few


def test_texts_are_off_without_a_gateway(personas, homeroom):
    client = client_for(personas.rivera)
    response = client.post(reverse("announcements:text_fallback", args=[homeroom.pk]))
    assert response.status_code == 302
    assert not Delivery.objects.filter(channel=Channel.SMS).exists()


def test_the_text_fallback_reaches_the_gateway_once_per_person(
    personas, homeroom, gateway: Gateway
):
    client = client_for(personas.rivera)
    url = reverse("announcements:text_fallback", args=[homeroom.pk])
    with time_machine.travel(DAYS_LATER, tick=False):
        page = client.get(reverse("announcements:reach", args=[homeroom.pk])).content.decode()
        assert "Text them" in page
        assert "Texts are off" not in page
        assert client.post(url).status_code == 302
        texts = Delivery.objects.filter(channel=Channel.SMS)
        assert set(texts.values_list("address", flat=True)) == {"+1 555 0101", "+1 555 0103"}
        assert fallback.not_reached_text(announcement=homeroom) == 0  # each texted once
        delivery.deliver_due()
    assert len(gateway.requests) == 2
    sent = {request.body["to"]: request.body["text"] for request in gateway.requests}
    assert set(sent) == {"+1 555 0101", "+1 555 0103"}
    text = sent["+1 555 0101"]
    assert "Field trip on Friday" in text
    assert f"/announcements/{homeroom.pk}/" in text
