"""The weekly family email's "Announcements this week": what a guardian has not opened of what
was sent since their last digest, in their language; never what they have read; a fixed number
of queries per batch of guardians."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from village.announcements.models import Recipient
from village.announcements.tests.support import TITLE, announce
from village.announcements.tests.test_sending import add_families
from village.notifications import digest
from village.notifications.kinds import WEEKLY_DIGEST
from village.notifications.models import Delivery, Digest, EmailMode, Notification
from village.notifications.services.announce import CLASS_ANNOUNCEMENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


def emailed(user) -> Delivery:
    return Delivery.objects.get(recipient=user, kind=WEEKLY_DIGEST)


def test_the_digest_lists_what_the_guardian_has_not_opened(personas, now):
    announce(personas.rivera, class_id=personas.homeroom5.pk, now=now - dt.timedelta(days=1))
    read = announce(
        personas.rivera,
        class_id=personas.homeroom5.pk,
        title="Already read",
        now=now - dt.timedelta(days=2),
    )
    Recipient.objects.filter(announcement=read).update(read_at=now - dt.timedelta(days=1))
    digest.compose([personas.sam.pk], now=now)
    email = emailed(personas.sam)
    assert "Anuncios de esta semana" in email.html
    assert TITLE in email.html
    assert TITLE in email.text
    assert "Already read" not in email.html
    assert "/announcements/" in email.text


def test_what_was_sent_before_the_period_is_left_out(personas, now):
    announce(personas.rivera, class_id=personas.homeroom5.pk, now=now - dt.timedelta(days=9))
    digest.compose([personas.sam.pk], now=now)
    assert not Delivery.objects.filter(
        recipient=personas.sam, kind=WEEKLY_DIGEST, html__contains=TITLE
    ).exists()


def _queries(ids, now) -> int:
    with CaptureQueriesContext(connection) as captured:
        outcome = digest.compose(ids, now=now)
    assert outcome.emailed == len(ids)
    return len(captured.captured_queries)


def test_a_batch_takes_the_same_number_of_queries_whatever_its_size(personas, now):
    add_families(personas, 10)
    announce(personas.rivera, class_id=personas.homeroom5.pk, now=now - dt.timedelta(days=1))
    parents = list(Recipient.objects.exclude(user=personas.sam).values_list("user_id", flat=True))
    few = _queries([personas.sam.pk, parents[0]], now)
    Delivery.objects.all().delete()
    Digest.objects.all().delete()
    assert _queries([personas.sam.pk, *parents], now) == few


def test_an_announcement_that_waited_for_the_digest_is_listed_once(personas, now):
    """Beyond the week's budget a class announcement waits for the digest as a notification;
    the email lists it in its announcements section only, not a second time among the
    alerts, and the notification counts as digested."""
    for n in range(4):
        announce(
            personas.rivera,
            class_id=personas.homeroom5.pk,
            title=f"Note {n}",
            now=now - dt.timedelta(hours=4 - n),
        )
    waiting = Notification.objects.get(
        recipient=personas.sam, kind=CLASS_ANNOUNCEMENT, email_mode=EmailMode.WEEKLY
    )
    digest.compose([personas.sam.pk], now=now)
    email = emailed(personas.sam)
    assert "Elena Rivera: " in waiting.title  # the alert's title names the sender, then the title
    assert email.html.count("Note 3") == 1
    assert email.text.count("Note 3") == 1
    waiting.refresh_from_db()
    assert waiting.digested_at is not None
