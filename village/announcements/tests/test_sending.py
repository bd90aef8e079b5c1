"""Sending: set-based (the queries do not grow with the recipients), at once or at its time by
the worker's sweep (running it twice writes nothing new), in each recipient's language, urgent
ones at any hour, the others after quiet hours and as each guardian's rules say."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from village.announcements.models import Announcement, AudienceScope, Recipient
from village.announcements.services import sending
from village.announcements.services.announcements import announcement_cancel
from village.announcements.tests.support import announce
from village.community.models import EnrollmentRole, Role
from village.community.policies import forget_roles
from village.community.services import enrollment_add, guardian_link, person_create
from village.notifications import delivery
from village.notifications.models import (
    Channel,
    Delivery,
    EmailMode,
    KindSetting,
    Letter,
    Notification,
    UserSettings,
)
from village.notifications.services import sweeps
from village.notifications.services.announce import CLASS_ANNOUNCEMENT, URGENT_ANNOUNCEMENT
from village.notifications.services.notify import FOLDED_KIND
from village.notifications.services.rules import RuleInput, save_rules
from village.translation.models import Translation

pytestmark = pytest.mark.django_db

#: 22:00 in Chicago: quiet hours (21:00 to 07:00) by default.
LATE = dt.datetime(2026, 12, 3, 4, 0, tzinfo=dt.UTC)
WAKE = dt.datetime(2026, 12, 3, 13, 0, tzinfo=dt.UTC)
NOON = dt.datetime(2026, 12, 2, 18, 0, tzinfo=dt.UTC)


def add_families(personas, count: int, *, start: int = 0) -> None:
    """``count`` more children in Grade 5 Homeroom, each with a guardian, through the services."""
    for n in range(start, start + count):
        child = person_create(
            username=f"kid{n}",
            first_name=f"Kid{n}",
            last_name="Test",
            role=Role.STUDENT,
            organisation=personas.school,
            email=f"kid{n}@students.village.test",
            grade="5",
        )
        enrollment_add(user=child, school_class=personas.homeroom5, role=EnrollmentRole.STUDENT)
        parent = person_create(
            username=f"parent{n}",
            first_name=f"Parent{n}",
            last_name="Test",
            role=Role.GUARDIAN,
            organisation=personas.school,
            email=f"parent{n}@families.village.test",
        )
        guardian_link(guardian=parent, student=child)


def _queries_to_send(personas) -> int:
    forget_roles(personas.rivera)
    with CaptureQueriesContext(connection) as captured:
        announce(personas.rivera, class_id=personas.homeroom5.pk, to_students=True, now=NOON)
    return len(captured.captured_queries)


def test_sending_takes_as_many_queries_for_50_families_as_for_5(personas):
    add_families(personas, 5)
    few = _queries_to_send(personas)
    assert Recipient.objects.count() == 1 + 5 + 2 + 5  # Sam, the 5 families, the students
    add_families(personas, 45, start=5)
    many = _queries_to_send(personas)
    assert Notification.objects.filter(recipient__username="parent49").count() == 1
    assert Delivery.objects.filter(recipient__username="parent49").count() == 1
    assert many == few


def test_each_email_is_in_its_recipients_language_with_their_own_unsubscribe_link(personas, smtp):
    announce(personas.rivera, class_id=personas.homeroom5.pk, to_students=True, now=NOON)
    # The outbox keeps each language's email once; a recipient's row holds only their name.
    queued = Delivery.objects.filter(channel=Channel.EMAIL)
    assert set(queued.values_list("text", "html", "subject")) == {("", "", "")}
    assert Letter.objects.count() == len(set(queued.values_list("letter__language", flat=True)))
    assert Letter.objects.filter(language="es").count() == 1
    with time_machine.travel(NOON + dt.timedelta(minutes=1), tick=False):
        outcome = delivery.deliver_due()
    assert outcome.sent == queued.count() > 2
    received = {str(message["To"]): message for message in smtp.inbox.received}
    sam = received[personas.sam.email]
    ada = received[personas.ada.email]
    sam_text = sam.get_body(preferencelist=("plain",)).get_content()
    assert sam_text.startswith("Hola, Sam:")
    assert ada.get_body(preferencelist=("plain",)).get_content().startswith("Hello Ada,")
    assert sam["Content-Language"] == "es"
    assert sam["List-Unsubscribe"] != ada["List-Unsubscribe"]
    assert sam["Message-ID"] != ada["Message-ID"]
    assert "We visit the river on Friday" in sam.get_body(preferencelist=("html",)).get_content()
    assert sam["Subject"] == "Field trip on Friday"
    # Sam's own link, signed when the email went, unsubscribes Sam (and only Sam).
    link = str(sam["List-Unsubscribe"]).strip("<>")
    assert link.removeprefix(settings.VILLAGE_SITE_URL) in sam_text
    client = Client(enforce_csrf_checks=True)
    answer = client.post(
        link.removeprefix(settings.VILLAGE_SITE_URL), {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    assert list(KindSetting.objects.values_list("user_id", "kind", "email")) == [
        (personas.sam.pk, CLASS_ANNOUNCEMENT, EmailMode.OFF)
    ]
    note = Notification.objects.get(recipient=personas.sam)
    assert note.language == "es"
    assert note.kind == CLASS_ANNOUNCEMENT
    assert (
        note.link == f"/announcements/{Recipient.objects.get(user=personas.sam).announcement_id}/"
    )


def test_sending_asks_for_translations_into_the_recipients_languages(personas):
    announce(personas.rivera, class_id=personas.homeroom5.pk, now=NOON)
    asked = Translation.objects.filter(target_language="es", source_language="en")
    assert asked.count() == 2  # the title and the body


def test_a_scheduled_announcement_goes_by_the_sweep_once(personas):
    later = NOON + dt.timedelta(hours=2)
    sent = announce(
        personas.rivera, class_id=personas.homeroom5.pk, send_at=later, now=NOON, to_students=True
    )
    assert sent.sent_at is None
    assert not Recipient.objects.exists()
    # Asked for already, so the emails can carry them when it goes.
    assert Translation.objects.filter(target_language="es").count() == 2
    assert sending.scheduled_sweep(NOON + dt.timedelta(hours=1)) == 0
    assert sweeps.run_due(later, force=True) == 3
    sent.refresh_from_db()
    assert sent.sent_at == later
    counted = (Recipient.objects.count(), Notification.objects.count(), Delivery.objects.count())
    assert counted == (3, 3, 3)
    assert sending.scheduled_sweep(later + dt.timedelta(minutes=5)) == 0
    assert sending.announcement_send(announcement_id=sent.pk, now=later) == 0
    again = (Recipient.objects.count(), Notification.objects.count(), Delivery.objects.count())
    assert again == counted


def test_a_withdrawn_announcement_is_never_sent(personas):
    sent = announce(
        personas.rivera,
        class_id=personas.homeroom5.pk,
        send_at=NOON + dt.timedelta(hours=1),
        now=NOON,
    )
    announcement_cancel(announcement=sent, now=NOON)
    assert sending.scheduled_sweep(NOON + dt.timedelta(days=1)) == 0
    assert not Recipient.objects.exists()
    with pytest.raises(ValidationError) as refused:
        announcement_cancel(announcement=sent, now=NOON)
    assert "announcement" in refused.value.message_dict


def test_an_urgent_announcement_goes_at_once_at_night_whatever_people_chose(personas, settings):
    settings.VILLAGE_SMS_URL = "http://127.0.0.1:9/messages"
    KindSetting.objects.create(user=personas.sam, kind=URGENT_ANNOUNCEMENT, email=EmailMode.OFF)
    UserSettings.objects.create(user=personas.sam, phone="+15550100")
    announce(
        personas.nguyen,
        AudienceScope.SCHOOL,
        school_id=personas.school.pk,
        title="School closed today",
        body="Snow. The school is closed today.",
        urgent=True,
        now=LATE,
    )
    deliveries = Delivery.objects.filter(recipient=personas.sam)
    assert {d.channel for d in deliveries} == {Channel.EMAIL, Channel.SMS}
    assert all(d.due_at == LATE for d in deliveries)
    note = Notification.objects.get(recipient=personas.sam)
    assert note.urgent
    assert note.kind == URGENT_ANNOUNCEMENT


def test_other_announcements_wait_for_the_end_of_quiet_hours(personas):
    announce(personas.rivera, class_id=personas.homeroom5.pk, now=LATE)
    email = Delivery.objects.get(recipient=personas.sam)
    assert email.due_at == WAKE


def test_a_guardian_who_turned_class_announcements_off_finds_it_in_village_only(personas):
    save_rules(personas.sam, personas.ada, [RuleInput(CLASS_ANNOUNCEMENT, enabled=False)])
    sent = announce(personas.rivera, class_id=personas.homeroom5.pk, now=NOON)
    assert Recipient.objects.filter(announcement=sent, user=personas.sam).exists()
    assert not Notification.objects.filter(recipient=personas.sam).exists()


def test_beyond_the_weeks_budget_a_class_announcement_waits_for_the_digest(personas):
    for n in range(4):
        announce(
            personas.rivera,
            class_id=personas.homeroom5.pk,
            title=f"Note {n}",
            now=NOON + dt.timedelta(minutes=n),
        )
    modes = list(
        Notification.objects.filter(recipient=personas.sam, kind=CLASS_ANNOUNCEMENT)
        .order_by("created_at")
        .values_list("email_mode", flat=True)
    )
    assert modes == [EmailMode.IMMEDIATE] * 3 + [EmailMode.WEEKLY]
    assert Notification.objects.filter(recipient=personas.sam, kind=FOLDED_KIND).count() == 1
    assert Announcement.objects.count() == 4
