"""Send what the outbox holds: claim due deliveries, hand them over, record the outcome.

A worker **claims** a batch by writing its own lease token and a lease time on due, unleased
rows (on PostgreSQL the candidate rows are read ``FOR UPDATE SKIP LOCKED``, so several workers
share the outbox without waiting on each other; the claiming ``UPDATE`` re-checks that a row is
still free, so two workers never hold the same row, on SQLite either). It then sends the rows one
by one and records each outcome in its own short transaction. So:

- a mail server that is down or refusing leaves the row queued, tried again with exponential
  back-off (``VILLAGE_DELIVERY_BACKOFF_SECONDS``, doubled per attempt, at most six hours) until
  ``VILLAGE_DELIVERY_MAX_ATTEMPTS``; then it is *failed* and staff see it with its reason;
- a worker killed mid-batch (even with SIGKILL) loses nothing: the rows it had claimed and not
  sent are free again once their lease ends, and another worker (or the same one restarted)
  sends them. The one row it may have handed to the mail server without recording it is sent
  again: **at most one duplicate per worker killed**, carrying the same Message-ID.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import smtplib
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from village.notifications.models import Channel, Delivery, DeliveryState

logger = logging.getLogger(__name__)

#: Seconds a claimed batch is a worker's before another may take it.
LEASE_SECONDS = 120
MAX_BACKOFF = dt.timedelta(hours=6)


class SmsError(Exception):
    """The SMS gateway refused or could not be reached."""


@dataclass
class Outcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __iadd__(self, other: Outcome) -> Outcome:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        return self

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed


def claim(*, batch: int = 100, now: dt.datetime | None = None) -> tuple[str, list[Delivery]]:
    """Take up to ``batch`` due deliveries for this worker: its lease token and the rows."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Delivery.objects.filter(free, state=DeliveryState.QUEUED, due_at__lte=now)
    with transaction.atomic():
        candidates = due.order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("id", flat=True)[:batch])
        if not ids:
            return token, []
        due.filter(id__in=ids).update(
            lease=token, lease_until=now + dt.timedelta(seconds=LEASE_SECONDS)
        )
    return token, list(Delivery.objects.filter(lease=token).order_by("due_at", "id"))


def email_message(delivery: Delivery, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        headers=dict(delivery.headers),
        connection=connection,
    )
    if delivery.html:
        message.attach_alternative(delivery.html, "text/html")
    return message


def send_sms(delivery: Delivery) -> str:
    """Hand a text to the HTTP SMS gateway: a JSON ``POST`` of ``to``, ``from`` and ``text``
    with a bearer token; a 2xx answer accepts it (its JSON ``id``, if any, is kept)."""
    body = json.dumps(
        {"to": delivery.address, "from": settings.VILLAGE_SMS_SENDER, "text": delivery.text}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        settings.VILLAGE_SMS_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.VILLAGE_SMS_TOKEN}",
            "Idempotency-Key": delivery.key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            answer = response.read()
    except urllib.error.HTTPError as error:
        raise SmsError(f"the SMS gateway answered {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise SmsError(f"the SMS gateway cannot be reached: {error}") from error
    try:
        return str(json.loads(answer or b"{}").get("id", ""))[:200]
    except (ValueError, AttributeError):
        return ""


def backoff(attempts: int) -> dt.timedelta:
    base = dt.timedelta(seconds=settings.VILLAGE_DELIVERY_BACKOFF_SECONDS)
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _record_sent(delivery: Delivery, token: str, provider_id: str) -> None:
    Delivery.objects.filter(pk=delivery.pk, lease=token).update(
        state=DeliveryState.SENT,
        sent_at=timezone.now(),
        attempts=delivery.attempts + 1,
        provider_id=provider_id,
        lease="",
        lease_until=None,
        last_error="",
    )


def _record_failure(delivery: Delivery, token: str, error: Exception) -> bool:
    """Retry later, or give up after the last attempt. ``True``: it will be retried."""
    attempts = delivery.attempts + 1
    final = attempts >= settings.VILLAGE_DELIVERY_MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk, lease=token).update(
        state=DeliveryState.FAILED if final else DeliveryState.QUEUED,
        attempts=attempts,
        due_at=timezone.now() + backoff(attempts),
        last_error=(str(error) or repr(error))[:2000],
        lease="",
        lease_until=None,
    )
    return not final


_TRANSIENT = (smtplib.SMTPException, OSError, SmsError)


def deliver_batch(*, batch: int = 100, now: dt.datetime | None = None) -> Outcome:
    """Claim and send one batch. A failure of one message never stops the others."""
    token, rows = claim(batch=batch, now=now)
    outcome = Outcome()
    if not rows:
        return outcome
    mail: BaseEmailBackend | None = None
    try:
        for delivery in rows:
            try:
                if delivery.channel == Channel.SMS:
                    provider_id = send_sms(delivery)
                else:
                    if mail is None:
                        mail = get_connection(settings.MAILER_EMAIL_BACKEND)
                        mail.open()
                    email_message(delivery, mail).send()
                    provider_id = ""
            except Exception as error:
                if not isinstance(error, _TRANSIENT):
                    logger.error("A delivery failed: %r", error, exc_info=error)
                if mail is not None:
                    with contextlib.suppress(Exception):  # a broken connection is dropped
                        mail.close()
                    mail = None
                if _record_failure(delivery, token, error):
                    outcome.retried += 1
                else:
                    outcome.failed += 1
                continue
            _record_sent(delivery, token, provider_id)
            outcome.sent += 1
    finally:
        if mail is not None:
            with contextlib.suppress(Exception):
                mail.close()
    return outcome


def deliver_due(
    *, batch: int = 100, limit: int | None = None, now: dt.datetime | None = None
) -> Outcome:
    """Send batches until nothing is due (or ``limit`` rows were handled)."""
    total = Outcome()
    while True:
        outcome = deliver_batch(batch=batch, now=now)
        total += outcome
        if not outcome.handled or (limit is not None and total.handled >= limit):
            return total
