"""The notification engine: keys, channels, quiet hours, the weekly budget, crossings, the
outbox and one-click unsubscribe."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from village.notifications import delivery, registry
from village.notifications.models import (
    Delivery,
    DeliveryState,
    EmailMode,
    KindSetting,
    Notification,
    UserSettings,
)
from village.notifications.services.alerts import apply, crossings
from village.notifications.services.notify import (
    Pending,
    after_quiet_hours,
    notify,
    unsubscribe_token,
)

KIND = "test_alert"
NOON = dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC)  # a Wednesday, midday in New York


@pytest.fixture(autouse=True)
def _test_kind():
    registry.register_kind(
        registry.AlertKind(name=KIND, label="Test alert", audience=registry.Audience.GUARDIAN)
    )
    yield
    registry.unregister(KIND)


def _pending(user, key="a", child=None, kind=KIND):
    return Pending(
        recipient=user,
        kind=kind,
        key=key,
        compose=lambda: ("Something happened", "Details"),
        link="/family/",
        child_id=child.pk if child else None,
    )


@pytest.mark.django_db
def test_a_notification_is_written_once_per_key_with_its_email_queued(personas):
    sam = personas.sam
    first = notify([_pending(sam)], now=NOON)
    again = notify([_pending(sam)], now=NOON + dt.timedelta(minutes=5))
    assert len(first) == 1
    assert again == []
    assert Notification.objects.filter(recipient=sam).count() == 1
    email = Delivery.objects.get()
    assert email.address == sam.email
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/notifications/unsubscribe/" in email.headers["List-Unsubscribe"]


@pytest.mark.django_db
def test_the_worker_sends_due_email_once(personas):
    notify([_pending(personas.sam)], now=NOON)
    outcome = delivery.deliver_due()
    assert outcome.sent == 1
    assert delivery.deliver_due().sent == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [personas.sam.email]
    assert sent.extra_headers["Content-Language"] == personas.sam.ui_language
    assert Delivery.objects.get().state == DeliveryState.SENT


@pytest.mark.django_db
def test_email_mode_off_keeps_it_in_village(personas):
    KindSetting.objects.create(user=personas.sam, kind=KIND, email=EmailMode.OFF)
    notify([_pending(personas.sam)], now=NOON)
    assert Notification.objects.get().email_mode == EmailMode.OFF
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_quiet_hours_hold_email_until_the_morning(personas):
    sam = personas.sam
    sam.timezone = "America/New_York"
    sam.save()
    late = dt.datetime(2026, 12, 3, 3, 30, tzinfo=dt.UTC)  # 22:30 in New York
    notify([_pending(sam)], now=late)
    due = Delivery.objects.get().due_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert (due.date(), due.time()) == (dt.date(2026, 12, 3), dt.time(7, 0))
    UserSettings.objects.create(user=sam, quiet_hours=False)
    notify([_pending(sam, key="b")], now=late)
    assert Delivery.objects.filter(due_at=late).count() == 1


def test_after_quiet_hours_across_midnight_and_within_a_day():
    tz = zoneinfo.ZoneInfo("Europe/Madrid")
    start, end = dt.time(21), dt.time(7)
    at = dt.datetime(2026, 12, 3, 12, tzinfo=tz)
    assert after_quiet_hours(at, tz, start, end) == at
    early = dt.datetime(2026, 12, 3, 5, tzinfo=tz)
    assert after_quiet_hours(early, tz, start, end) == dt.datetime(2026, 12, 3, 7, tzinfo=tz)
    late = dt.datetime(2026, 12, 3, 23, tzinfo=tz)
    assert after_quiet_hours(late, tz, start, end) == dt.datetime(2026, 12, 4, 7, tzinfo=tz)
    lunch = dt.datetime(2026, 12, 3, 12, 30, tzinfo=tz)
    assert after_quiet_hours(lunch, tz, dt.time(12), dt.time(13)) == dt.datetime(
        2026, 12, 3, 13, tzinfo=tz
    )


@pytest.mark.django_db
def test_the_weekly_budget_folds_alerts_into_the_digest_and_says_so_once(personas):
    sam, leo = personas.sam, personas.leo
    UserSettings.objects.create(user=sam, quiet_hours=False)
    for index in range(5):
        notify([_pending(sam, key=str(index), child=leo)], now=NOON + dt.timedelta(hours=index))
    immediate = Notification.objects.filter(kind=KIND, email_mode=EmailMode.IMMEDIATE)
    folded = Notification.objects.filter(kind=KIND, folded=True)
    assert immediate.count() == 3
    assert folded.count() == 2
    assert Delivery.objects.filter(kind=KIND).count() == 3
    assert Notification.objects.filter(kind="alerts_folded", child=leo).count() == 1
    # Another child has a budget of their own.
    notify([_pending(sam, key="x", child=personas.ada)], now=NOON)
    assert Notification.objects.get(key__endswith=":x").email_mode == EmailMode.IMMEDIATE
    # A new week, a new budget.
    notify([_pending(sam, key="next", child=leo)], now=NOON + dt.timedelta(days=7))
    assert Notification.objects.get(key__endswith=":next").email_mode == EmailMode.IMMEDIATE


@given(st.lists(st.booleans(), max_size=30), st.booleans())
def test_crossings_fire_exactly_when_the_condition_becomes_true(conditions, initially):
    fired = crossings(conditions, initially=initially)
    previous = [initially, *conditions][: len(conditions)]
    assert fired == [
        index
        for index, (now, before) in enumerate(zip(conditions, previous, strict=True))
        if now and not before
    ]


@pytest.mark.django_db
def test_apply_fires_on_each_crossing_once(personas):
    sam, leo = personas.sam, personas.leo

    def look(active):
        return apply(
            [
                registry.Alert(
                    recipient=sam,
                    child_id=leo.pk,
                    kind=KIND,
                    subject="class:1",
                    active=active,
                    compose=lambda: ("Below", ""),
                )
            ],
            now=NOON,
        )

    assert len(look(True)) == 1
    assert look(True) == []  # still below: not again
    assert look(False) == []  # back above: re-armed
    assert len(look(True)) == 1  # crossed again
    assert Notification.objects.filter(kind=KIND).count() == 2


@pytest.mark.django_db
def test_one_click_unsubscribe_works_without_signing_in_and_refuses_a_tampered_link(personas):
    sam = personas.sam
    token = unsubscribe_token(sam.pk, KIND)
    client = Client(enforce_csrf_checks=True)
    url = reverse("notifications:unsubscribe", args=[token])
    assert client.get(url).status_code == 200
    assert not KindSetting.objects.exists()  # a link scanner's GET changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert KindSetting.objects.get(user=sam, kind=KIND).email == EmailMode.OFF
    tampered = reverse("notifications:unsubscribe", args=[token[:-2] + "xx"])
    assert client.post(tampered).status_code == 400


@pytest.mark.django_db
def test_worker_burst_delivers_everything_due_then_stops(personas):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    UserSettings.objects.create(user=personas.sam, quiet_hours=False)
    notify([_pending(personas.sam, key=str(n)) for n in range(3)], now=timezone.now())
    out = StringIO()
    call_command("worker", "--burst", "--purge-every", "0", stdout=out)
    assert len(mail.outbox) == 3
    assert "notifications.sent: 3" in out.getvalue()
    assert not Delivery.objects.filter(state=DeliveryState.QUEUED).exists()


@pytest.mark.django_db
def test_a_worker_told_not_to_sweep_only_delivers(personas, settings):
    from django.core.management import call_command
    from django.utils import timezone

    from village.notifications.models import AlertCheck

    settings.VILLAGE_WORKER_SWEEPS = False
    UserSettings.objects.create(user=personas.sam, quiet_hours=False)
    notify([_pending(personas.sam)], now=timezone.now())
    AlertCheck.objects.create(
        student=personas.leo, source="classwork", subject="x", due_at=timezone.now()
    )
    call_command("worker", "--burst", "--purge-every", "0", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert AlertCheck.objects.count() == 1  # left to a worker that sweeps


@pytest.mark.django_db
def test_only_alerts_the_budget_stopped_are_marked_folded(personas):
    sam, leo = personas.sam, personas.leo
    UserSettings.objects.create(user=sam, quiet_hours=False)
    registry.register_kind(
        registry.AlertKind(
            name="test_weekly",
            label="Weekly anyway",
            audience=registry.Audience.GUARDIAN,
            default_email=EmailMode.WEEKLY,
        )
    )
    try:
        items = [_pending(sam, key=str(n), child=leo) for n in range(4)]
        items.append(_pending(sam, key="w", child=leo, kind="test_weekly"))
        notify(items, now=NOON)
    finally:
        registry.unregister("test_weekly")
    assert Notification.objects.filter(kind=KIND, folded=True).count() == 1
    assert not Notification.objects.get(kind="test_weekly").folded


@pytest.mark.django_db
def test_a_change_recorded_again_moves_the_waiting_check_and_adds_none(personas):
    from village.notifications.models import AlertCheck
    from village.notifications.services.alerts import record_change

    leo, ada = personas.leo, personas.ada
    now = dt.datetime(2026, 12, 2, 15, 0, tzinfo=dt.UTC)
    record_change([leo.pk, leo.pk], "classwork", "missing", now=now, wait=dt.timedelta(0))
    record_change([], "classwork", "missing", now=now)  # nothing to record: nothing written
    later = now + dt.timedelta(minutes=7)
    record_change([ada.pk, leo.pk], "classwork", "missing", now=later, wait=dt.timedelta(0))
    record_change([leo.pk], "classwork", "grade", now=now, wait=dt.timedelta(0))
    assert set(AlertCheck.objects.values_list("student_id", "source", "subject", "due_at")) == {
        (leo.pk, "classwork", "missing", later),
        (ada.pk, "classwork", "missing", later),
        (leo.pk, "classwork", "grade", now),
    }
