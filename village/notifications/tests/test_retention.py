"""Old notifications and sent messages are removed after the retention period; messages still
waiting or failed stay until staff deal with them."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from village.notifications.models import Delivery, DeliveryState, Notification
from village.notifications.tests.outbox_support import email_delivery


def _note(user, key, age):
    return Notification.objects.create(
        recipient=user, kind="weekly_digest", title=key, key=key,
        created_at=timezone.now() - age,
    )  # fmt: skip


@pytest.mark.django_db
def test_purge_removes_what_is_past_retention_and_keeps_the_rest(personas, settings):
    settings.VILLAGE_NOTIFICATION_RETENTION_DAYS = 30
    old, new = dt.timedelta(days=31), dt.timedelta(days=29)
    _note(personas.sam, "old", old)
    _note(personas.sam, "new", new)
    rows = {}
    for name, state, age in (
        ("sent-old", DeliveryState.SENT, old),
        ("sent-new", DeliveryState.SENT, new),
        ("failed-old", DeliveryState.FAILED, old),
        ("queued-old", DeliveryState.QUEUED, old),
    ):
        row = email_delivery(personas.sam.email, name, recipient=personas.sam)
        row.state = state
        row.created_at = timezone.now() - age
        row.save()
        rows[name] = row
    out = StringIO()
    call_command("purge", stdout=out)
    assert set(Notification.objects.values_list("key", flat=True)) == {"new"}
    assert set(Delivery.objects.values_list("key", flat=True)) == {
        rows["sent-new"].key,
        rows["failed-old"].key,
        rows["queued-old"].key,
    }
    assert "notifications.notifications: 1" in out.getvalue()
