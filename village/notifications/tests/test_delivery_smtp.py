"""The outbox against a real SMTP server (aiosmtpd): a server refusing for a while gets every
message once, with back-off; a refusal for good (a bounce) fails at once; a retried task or
pass writes and sends once; a lease that ended is never sent on."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from village.notifications import delivery, registry
from village.notifications.models import Delivery, DeliveryState, Notification
from village.notifications.services.alerts import apply
from village.notifications.services.notify import Pending, notify
from village.notifications.tests.outbox_support import (
    SmtpServer,
    email_delivery,
)

pytestmark = pytest.mark.django_db

KIND = "test_alert"
NOON = dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC)
ADDRESSES = [f"parent{index}@families.village.test" for index in range(4)]


@pytest.fixture(autouse=True)
def _test_kind():
    registry.register_kind(
        registry.AlertKind(name=KIND, label="Test alert", audience=registry.Audience.GUARDIAN)
    )
    yield
    registry.unregister(KIND)


def _queue(addresses: list[str], now: dt.datetime = NOON) -> list[Delivery]:
    return Delivery.objects.bulk_create(
        [email_delivery(address, f"k{index}", now=now) for index, address in enumerate(addresses)]
    )


def test_a_server_refusing_for_a_while_gets_each_message_once_after_a_growing_backoff(
    smtp: SmtpServer, settings
):
    settings.VILLAGE_DELIVERY_BACKOFF_SECONDS = 60
    settings.VILLAGE_DELIVERY_MAX_ATTEMPTS = 12
    smtp.inbox.rcpt = lambda _address, attempt: (
        "451 4.7.1 Greylisted, try again later" if attempt <= 3 else None
    )
    _queue(ADDRESSES)
    moment, waits = NOON, []
    for _attempt in range(3):
        with time_machine.travel(moment, tick=False):
            outcome = delivery.deliver_due()
        assert (outcome.sent, outcome.retried, outcome.failed) == (0, 4, 0)
        due = {row.due_at for row in Delivery.objects.all()}
        assert len(due) == 1
        (next_try,) = due
        waits.append((next_try - moment).total_seconds())
        # Not a moment before it is due.
        with time_machine.travel(next_try - dt.timedelta(seconds=1), tick=False):
            assert delivery.deliver_due().handled == 0
        moment = next_try
    assert waits == [60, 120, 240]
    assert smtp.inbox.received == []
    row = Delivery.objects.first()
    assert row is not None
    assert row.state == DeliveryState.QUEUED
    assert row.last_error == "recipient refused: 451 4.7.1 Greylisted, try again later"
    with time_machine.travel(moment, tick=False):
        outcome = delivery.deliver_due()
    assert (outcome.sent, outcome.retried, outcome.failed) == (4, 0, 0)
    assert sorted(smtp.inbox.addresses()) == sorted(ADDRESSES)  # each exactly once
    assert all(smtp.inbox.offered[address] == 4 for address in ADDRESSES)
    for row in Delivery.objects.all():
        assert (row.state, row.attempts, row.last_error) == (DeliveryState.SENT, 4, "")
        assert row.sent_at == row.tried_at == moment
    with time_machine.travel(moment + dt.timedelta(days=1), tick=False):
        assert delivery.deliver_due().handled == 0
    assert len(smtp.inbox.received) == 4


def test_after_the_last_attempt_a_message_is_failed_with_the_servers_reason(
    smtp: SmtpServer, settings
):
    settings.VILLAGE_DELIVERY_BACKOFF_SECONDS = 0
    settings.VILLAGE_DELIVERY_MAX_ATTEMPTS = 3
    smtp.inbox.rcpt = lambda _address, _attempt: "452 4.2.2 Mailbox full, try later"
    _queue(ADDRESSES[:2])
    outcome = delivery.deliver_due()
    assert (outcome.sent, outcome.retried, outcome.failed) == (0, 4, 2)
    for row in Delivery.objects.all():
        assert row.state == DeliveryState.FAILED
        assert row.attempts == 3
        assert row.last_error == "recipient refused: 452 4.2.2 Mailbox full, try later"
        assert row.tried_at is not None
        assert row.lease == ""
    assert smtp.inbox.offered == {ADDRESSES[0]: 3, ADDRESSES[1]: 3}
    assert delivery.deliver_due().handled == 0  # failed stays failed


def test_a_bounced_recipient_fails_at_once_and_the_others_still_go(smtp: SmtpServer, settings):
    settings.VILLAGE_DELIVERY_BACKOFF_SECONDS = 0
    bounced = "nobody@families.village.test"
    smtp.inbox.rcpt = lambda address, _attempt: (
        "550 5.1.1 <nobody@families.village.test>: Recipient address rejected: User unknown"
        if address == bounced
        else None
    )
    _queue([ADDRESSES[0], bounced, ADDRESSES[1]])
    outcome = delivery.deliver_due()
    assert (outcome.sent, outcome.retried, outcome.failed) == (2, 0, 1)
    refused = Delivery.objects.get(address=bounced)
    assert refused.state == DeliveryState.FAILED
    assert refused.attempts == 1  # not tried twelve times
    assert refused.last_error == (
        "recipient refused: 550 5.1.1 <nobody@families.village.test>: "
        "Recipient address rejected: User unknown"
    )
    assert smtp.inbox.offered[bounced] == 1
    assert sorted(smtp.inbox.addresses()) == sorted(ADDRESSES[:2])


def test_a_message_refused_for_good_fails_at_once_and_one_refused_for_now_is_retried(
    smtp: SmtpServer, settings
):
    settings.VILLAGE_DELIVERY_BACKOFF_SECONDS = 60
    smtp.inbox.data = lambda message: {
        "Notice k0": "554 5.7.1 Message rejected as spam",
        "Notice k1": "451 4.3.0 Temporary failure, try again",
    }.get(str(message["Subject"]))
    _queue(ADDRESSES[:3])
    outcome = delivery.deliver_due()
    assert (outcome.sent, outcome.retried, outcome.failed) == (1, 1, 1)
    spam, later, sent = Delivery.objects.order_by("key")
    assert (spam.state, spam.attempts) == (DeliveryState.FAILED, 1)
    assert spam.last_error == "message refused: 554 5.7.1 Message rejected as spam"
    assert (later.state, later.attempts) == (DeliveryState.QUEUED, 1)
    assert later.last_error == "message refused: 451 4.3.0 Temporary failure, try again"
    assert sent.state == DeliveryState.SENT


def test_mail_waits_while_the_server_is_down_and_goes_once_when_it_is_back(
    smtp: SmtpServer, settings
):
    settings.VILLAGE_DELIVERY_BACKOFF_SECONDS = 60
    smtp.stop()
    _queue(ADDRESSES[:2])
    with time_machine.travel(NOON, tick=False):
        outcome = delivery.deliver_due()
    assert (outcome.sent, outcome.retried, outcome.failed) == (0, 2, 0)
    row = Delivery.objects.first()
    assert row is not None
    assert row.state == DeliveryState.QUEUED
    assert row.last_error.startswith("the mail server cannot be reached: ")
    smtp.start()
    with time_machine.travel(NOON + dt.timedelta(seconds=60), tick=False):
        assert delivery.deliver_due().sent == 2
    assert sorted(smtp.inbox.addresses()) == sorted(ADDRESSES[:2])


def test_a_task_and_a_pass_retried_write_one_notification_and_send_one_email(
    smtp: SmtpServer, personas, settings, tmp_path
):
    settings.MAILER_LOCK_PATH = str(tmp_path / "mailer")
    sam, leo = personas.sam, personas.leo

    def pending() -> Pending:
        return Pending(
            recipient=sam,
            kind=KIND,
            key="assignment:7",
            compose=lambda: ("Late work", "Leo's essay is late."),
            link="/family/",
            child_id=leo.pk,
        )

    def alert() -> registry.Alert:
        return registry.Alert(
            recipient=sam,
            child_id=leo.pk,
            kind=KIND,
            subject="class:3",
            active=True,
            compose=lambda: ("Below 70%", ""),
        )

    for _retry in range(2):  # a task retried: the same writes twice
        notify([pending()], now=NOON)
        apply([alert()], now=NOON)
    assert Notification.objects.filter(kind=KIND).count() == 2  # the notice and the alert
    assert Delivery.objects.count() == 2
    for _retry in range(2):  # the worker's pass run twice
        call_command("worker", "--once", "--purge-every", "0", stdout=StringIO())
    assert sorted(smtp.inbox.addresses()) == [sam.email, sam.email]
    assert len(set(smtp.inbox.message_ids())) == 2
    assert Notification.objects.filter(kind=KIND).count() == 2
    assert set(Delivery.objects.values_list("state", "attempts")) == {(DeliveryState.SENT, 1)}


def test_a_claimed_batch_is_no_other_workers_until_its_lease_ends(settings):
    settings.VILLAGE_DELIVERY_LEASE_SECONDS = 120
    _queue(ADDRESSES[:3])
    with time_machine.travel(NOON, tick=False):
        first, rows = delivery.claim(batch=2)
        second, others = delivery.claim(batch=10)
        assert len(rows) == 2
        assert len(others) == 1
        assert {row.address for row in [*rows, *others]} == set(ADDRESSES[:3])
        assert delivery.claim(batch=10)[1] == []
    with time_machine.travel(NOON + dt.timedelta(seconds=121), tick=False):
        third, again = delivery.claim(batch=10)  # both workers died: free again
    assert sorted(row.address for row in again) == ADDRESSES[:3]
    assert len({first, second, third}) == 3


def test_a_worker_whose_lease_ended_sends_nothing_another_worker_took(settings, mailoutbox):
    settings.VILLAGE_DELIVERY_LEASE_SECONDS = 60
    _queue(ADDRESSES[:2])
    token, rows = delivery.claim(batch=10)
    lease = delivery.Lease(token, rows)
    # The worker stalled past its lease; another claimed the rows meanwhile.
    Delivery.objects.update(lease_until=NOON - dt.timedelta(minutes=1))
    _other, (taken,) = delivery.claim(batch=1)
    (kept,) = [row for row in rows if row.pk != taken.pk]
    lease.renew()
    assert not lease.holds(taken)
    assert lease.holds(kept)  # still its own: renewed
    renewed = Delivery.objects.get(pk=kept.pk).lease_until
    assert renewed is not None
    assert renewed > timezone.now() + dt.timedelta(seconds=50)


def test_a_lease_counts_from_when_it_was_written_not_from_when_sending_starts(settings):
    """A claim that waited (SQLite's write lock) or a batch slow to compose has spent part of
    its lease before the first row goes out: the worker renews by the rows' own clock."""
    settings.VILLAGE_DELIVERY_LEASE_SECONDS = 60
    _queue(ADDRESSES[:2])
    with time_machine.travel(NOON, tick=False):
        token, rows = delivery.claim(batch=10)
    with time_machine.travel(NOON + dt.timedelta(seconds=25), tick=False):
        lease = delivery.Lease(token, rows)  # 25 of its 60 seconds already gone
        assert lease.holds(rows[0])
        until = set(Delivery.objects.values_list("lease_until", flat=True))
    assert until == {NOON + dt.timedelta(seconds=85)}  # renewed before sending


def test_a_fresh_lease_is_not_renewed_before_a_third_of_it_has_passed(settings):
    settings.VILLAGE_DELIVERY_LEASE_SECONDS = 60
    _queue(ADDRESSES[:2])
    with time_machine.travel(NOON, tick=False):
        token, rows = delivery.claim(batch=10)
    with time_machine.travel(NOON + dt.timedelta(seconds=19), tick=False):
        assert delivery.Lease(token, rows).holds(rows[0])
    until = set(Delivery.objects.values_list("lease_until", flat=True))
    assert until == {NOON + dt.timedelta(seconds=60)}


def test_a_batch_slower_than_its_lease_is_not_taken_over_halfway(
    smtp: SmtpServer, settings, monkeypatch
):
    settings.VILLAGE_DELIVERY_LEASE_SECONDS = 1
    smtp.inbox.delay = 0.3  # six messages take twice the lease
    addresses = [f"slow{index}@families.village.test" for index in range(6)]
    _queue(addresses, now=dt.datetime.now(dt.UTC))
    taken: list[Delivery] = []
    send = delivery.Sender.send

    def send_while_another_worker_claims(self: delivery.Sender, row: Delivery) -> str:
        provider_id = send(self, row)
        taken.extend(delivery.claim(batch=10)[1])
        return provider_id

    monkeypatch.setattr(delivery.Sender, "send", send_while_another_worker_claims)
    assert delivery.deliver_batch().sent == 6
    assert taken == []  # the lease was renewed as the batch went
    assert Counter(smtp.inbox.addresses()) == Counter(addresses)
