"""Send what the outbox holds: claim due deliveries, hand them over, record the outcome.

A worker **claims** a batch by writing its own lease token and a lease time on due, unleased
rows (on PostgreSQL the candidate rows are read ``FOR UPDATE SKIP LOCKED``, so several workers
share the outbox without waiting on each other; the claiming ``UPDATE`` re-checks that a row is
still free, so two workers never hold the same row, on SQLite either). It then sends the rows one
by one and records each outcome in its own short transaction. While it sends it **renews** the
lease of the rows it still holds (every third of ``VILLAGE_DELIVERY_LEASE_SECONDS``), and it
sends a row only if the last renewal found the row still its own: a batch that takes longer than
one lease (a slow mail server) is never taken over by a second worker halfway. So:

- a mail server that is down or refusing for now (a 4xx answer, a connection refused or cut)
  leaves the row queued, tried again with exponential back-off
  (``VILLAGE_DELIVERY_BACKOFF_SECONDS``, doubled per attempt, at most six hours) until
  ``VILLAGE_DELIVERY_MAX_ATTEMPTS``; then it is *failed* and staff see it with its reason;
- a **permanent** refusal fails the row at once, without retries: the mail server refusing the
  recipient (a 5xx answer to ``RCPT``, a bounce) or the message (5xx to ``DATA``), a message that
  cannot be written out, the SMS gateway answering 4xx (but 408 and 429, which ask to come back
  later; a ``Retry-After`` is honoured), or texts no longer set up;
- a worker killed mid-batch (even with SIGKILL) loses nothing: the rows it had claimed and not
  sent are free again once their lease ends, and another worker (or the same one restarted)
  sends them. The one row it may have handed to the mail server without recording it is sent
  again: **at most one duplicate per worker killed**, carrying the same Message-ID (written
  once, when the delivery was queued), so mail clients show it once.

Why an outbox of our own rather than a task queue such as Procrastinate: the message *is* the
row (rendered once, in its recipient's language, with its Message-ID), so "exactly what was
sent, when, how often tried and why it failed" is one table that staff pages read directly, and
an idempotency key on that table is all a retried task needs. A queue would come on top of that
table, not instead of it: its own statements per job (take the job, finish it, its event rows)
besides the row's own ``UPDATE``, a new dependency, and PostgreSQL only, where this works on
SQLite too (the demo and development run the same code, with a lease instead of row locks).
Here a message costs one claiming statement per batch of 100 and one ``UPDATE`` committed
without waiting for the disk. Measured by ``make bench-outbox`` (PostgreSQL 15, 20,000 emails of
2.7 kB to a local SMTP sink, on a busy two-core machine, two runs): one worker sends at 0.19 to
0.25 of the floor's rate (one pre-built message sent again and again over one SMTP connection,
without Django or a database) and 0.4 to 0.46 of Django's SMTP backend building and sending the
same messages without a database; two workers at 1.3 to 1.5 times one. A worker's own time goes
to building each message (Python's email package) and that one ``UPDATE``; it waits on
PostgreSQL and the mail server for more than half of the time, which a second worker fills.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import smtplib
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import SafeMIMEText
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from village.core import mime
from village.notifications import letters
from village.notifications.models import Channel, Delivery, DeliveryState

logger = logging.getLogger(__name__)

MAX_BACKOFF = dt.timedelta(hours=6)
#: Gateway answers that ask to be tried again later (timeout, too many requests).
SMS_RETRY_STATUSES = frozenset({408, 429})


def lease_seconds() -> int:
    """Seconds a claimed batch is a worker's before another may take it (renewed while sending)."""
    return int(settings.VILLAGE_DELIVERY_LEASE_SECONDS)


def send_timeout() -> float:
    """Seconds one step of handing a message over may take: well within a third of the lease,
    so a row's lease never ends while the worker holding it is still sending it."""
    configured = getattr(settings, "EMAIL_TIMEOUT", None) or 30.0
    return max(1.0, min(float(configured), lease_seconds() / 6))


class SmsError(Exception):
    """The SMS gateway refused or could not be reached."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: int = 0) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


@dataclass(frozen=True)
class Failure:
    """Why a message did not go, and whether trying again could help."""

    reason: str
    permanent: bool = False
    #: Not before this many seconds (the gateway's ``Retry-After``).
    retry_after: int = 0
    #: The mail connection is still good (the server refused one recipient, politely).
    keeps_connection: bool = False
    #: Not a failure of the mail server or gateway: a defect, logged with its traceback.
    unexpected: bool = False


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
        # The oldest due first, read from the partial index of queued rows in its order (a tie
        # broken by id would sort every queued row on each claim).
        candidates = due.order_by("due_at")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("id", flat=True)[:batch])
        if not ids:
            return token, []
        due.filter(id__in=ids).update(
            lease=token, lease_until=now + dt.timedelta(seconds=lease_seconds())
        )
    rows = Delivery.objects.filter(lease=token).select_related("letter").order_by("due_at", "id")
    return token, [letters.compose(row) for row in rows]


class Lease:
    """The rows of one claimed batch this worker still holds, renewed as it goes.

    Its clock is the one other workers read: the ``lease_until`` written on the rows (the wall
    clock, as the claiming ``UPDATE`` of another worker compares it), not the moment this
    object was made. A claim that waited for SQLite's write lock, or a batch that took long to
    compose, has already spent part of its lease when sending starts; counting from here would
    renew too late, and another worker could take a row this one is about to send."""

    def __init__(self, token: str, rows: list[Delivery]) -> None:
        self.token = token
        self.held = {row.pk for row in rows}
        ends = [row.lease_until for row in rows if row.lease_until is not None]
        self.until = min(ends) if ends else timezone.now()

    def holds(self, delivery: Delivery) -> bool:
        """Whether this worker may send ``delivery`` now (renewing the batch once a third of the
        lease has passed: a row another worker took meanwhile is left to it)."""
        left = (self.until - timezone.now()).total_seconds()
        if left <= lease_seconds() * 2 / 3:
            self.renew()
        return delivery.pk in self.held

    def renew(self) -> None:
        until = timezone.now() + dt.timedelta(seconds=lease_seconds())
        mine = Delivery.objects.filter(lease=self.token, state=DeliveryState.QUEUED)
        mine.update(lease_until=until)
        self.held = set(mine.values_list("pk", flat=True))
        self.until = until


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
    if delivery.calendar:
        attach_calendar(message, delivery.calendar)
    return message


def email_bytes(delivery: Delivery) -> bytes:
    """The email of ``delivery`` as the mail server takes it."""
    return mime.write(
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=delivery.address,
        subject=delivery.subject,
        text=delivery.text,
        html=delivery.html,
        headers=delivery.headers,
    )


_METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


def attach_calendar(message: EmailMultiAlternatives, calendar: str) -> None:
    """Add an iCalendar invitation to ``message`` as iMIP has it (RFC 6047): a
    ``text/calendar`` part with the calendar's METHOD, which mail programs offer to add to the
    calendar, and the same as an ``invite.ics`` attachment, for those that only open files."""
    found = _METHOD.search(calendar)
    part = SafeMIMEText(calendar, "calendar", "utf-8")
    if found:
        part.set_param("method", found.group(1))
    message.attach(part)
    message.attach("invite.ics", calendar.encode(), "application/ics")


def send_sms(delivery: Delivery) -> str:
    """Hand a text to the HTTP SMS gateway: a JSON ``POST`` of ``to``, ``from`` and ``text``
    with a bearer token and the delivery's key as ``Idempotency-Key``; a 2xx answer accepts it
    (its JSON ``id``, if any, is kept). Raises :class:`SmsError`, permanent for a 4xx answer
    other than 408 and 429."""
    if not settings.VILLAGE_SMS_URL:
        raise SmsError("text messages are not set up (VILLAGE_SMS_URL)", permanent=True)
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
        with urllib.request.urlopen(request, timeout=send_timeout()) as response:  # noqa: S310
            answer = response.read()
    except urllib.error.HTTPError as error:
        raise _gateway_error(error) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise SmsError(f"the SMS gateway cannot be reached: {reason}") from error
    try:
        return str(json.loads(answer or b"{}").get("id", ""))[:200]
    except (ValueError, AttributeError):
        return ""


def _gateway_error(error: urllib.error.HTTPError) -> SmsError:
    status = error.code
    detail = ""
    with contextlib.suppress(Exception):
        detail = error.read(500).decode("utf-8", "replace").strip()
    reason = f"the SMS gateway answered {status}" + (f": {detail}" if detail else "")
    retry_after = 0
    with contextlib.suppress(TypeError, ValueError):
        retry_after = max(0, int(error.headers.get("Retry-After", "")))
    permanent = 400 <= status < 500 and status not in SMS_RETRY_STATUSES
    return SmsError(reason, permanent=permanent, retry_after=retry_after)


def _smtp_reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"


def classify(error: Exception) -> Failure:
    """Whether a failure to hand a message over is worth another try, and its reason for staff."""
    if isinstance(error, SmsError):
        return Failure(
            str(error),
            permanent=error.permanent,
            retry_after=error.retry_after,
            keeps_connection=True,
        )
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = list(error.recipients.values())
        reason = "; ".join(_smtp_reply(code, text) for code, text in replies)
        permanent = bool(replies) and all(code >= 500 for code, _text in replies)
        # smtplib reset the transaction: the connection serves the next message.
        return Failure(f"recipient refused: {reason}", permanent=permanent, keeps_connection=True)
    if isinstance(error, smtplib.SMTPDataError):
        reply = _smtp_reply(error.smtp_code, error.smtp_error)
        return Failure(f"message refused: {reply}", permanent=error.smtp_code >= 500)
    if isinstance(error, smtplib.SMTPResponseException):
        # The sender refused, authentication failed: the server's set-up, not this message.
        return Failure(_smtp_reply(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPException | OSError):
        return Failure(f"the mail server cannot be reached: {error or type(error).__name__}")
    if isinstance(error, ValueError):  # a header that cannot be written out, say
        return Failure(f"the message cannot be written out: {error}", permanent=True)
    return Failure(str(error) or repr(error), unexpected=True)


def backoff(attempts: int) -> dt.timedelta:
    base = dt.timedelta(seconds=settings.VILLAGE_DELIVERY_BACKOFF_SECONDS)
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@contextlib.contextmanager
def _outcomes_without_waiting_for_the_disk() -> Iterator[None]:
    """While a batch is sent, its outcomes are committed without waiting for PostgreSQL's WAL
    to reach the disk (``synchronous_commit`` off for this connection until the batch ends).
    A commit is the server's once it returns, so a worker killed at any moment loses nothing;
    only a crash of PostgreSQL itself could forget the outcomes of its last moments (those
    messages would be sent again). Waiting for the disk once per message would make the disk,
    not the mail server, the bottleneck (``make bench-outbox``)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with contextlib.suppress(Exception), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _record_sent(delivery: Delivery, token: str, provider_id: str) -> None:
    now = timezone.now()
    _update_held(
        delivery,
        token,
        state=DeliveryState.SENT,
        sent_at=now,
        tried_at=now,
        attempts=delivery.attempts + 1,
        provider_id=provider_id,
        last_error="",
    )


def _update_held(delivery: Delivery, token: str, **fields: object) -> None:
    """Write ``fields`` on a row this worker still holds, and let go of it."""
    Delivery.objects.filter(pk=delivery.pk, lease=token).update(
        lease="", lease_until=None, **fields
    )


def _record_failure(delivery: Delivery, token: str, failure: Failure) -> bool:
    """Retry later, or give up (a permanent failure, or the last attempt). ``True``: it will
    be retried."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    final = failure.permanent or attempts >= settings.VILLAGE_DELIVERY_MAX_ATTEMPTS
    wait = min(max(backoff(attempts), dt.timedelta(seconds=failure.retry_after)), MAX_BACKOFF)
    _update_held(
        delivery,
        token,
        state=DeliveryState.FAILED if final else DeliveryState.QUEUED,
        attempts=attempts,
        tried_at=now,
        due_at=now if final else now + wait,
        last_error=failure.reason[:2000],
    )
    return not final


class Sender:
    """Hands deliveries over: one mail connection for a batch, opened when first needed."""

    def __init__(self) -> None:
        self.mail: BaseEmailBackend | None = None

    def send(self, delivery: Delivery) -> str:
        """Send one delivery; the gateway's id for it (``""`` for email)."""
        if delivery.channel == Channel.SMS:
            return send_sms(delivery)
        if self.mail is None:
            self.mail = get_connection(settings.MAILER_EMAIL_BACKEND, timeout=send_timeout())
            self.mail.open()
        smtp = getattr(self.mail, "connection", None)
        if isinstance(self.mail, SmtpBackend) and smtp is not None and not delivery.calendar:
            # Written by Village's own writer (``village.core.mime``): the same message as
            # Django's, in a tenth of the time, handed to the open SMTP connection. (An
            # invitation, with its calendar parts, is written by Django's classes.)
            sender = mime.address(settings.DEFAULT_FROM_EMAIL)
            smtp.sendmail(sender, [mime.address(delivery.address)], email_bytes(delivery))
        else:
            email_message(delivery, self.mail).send()
        return ""

    def close(self) -> None:
        if self.mail is not None:
            with contextlib.suppress(Exception):  # a broken connection is dropped all the same
                self.mail.close()
            self.mail = None


def deliver_batch(*, batch: int = 100, now: dt.datetime | None = None) -> Outcome:
    """Claim and send one batch. A failure of one message never stops the others."""
    token, rows = claim(batch=batch, now=now)
    outcome = Outcome()
    if not rows:
        return outcome
    lease = Lease(token, rows)
    sender = Sender()
    with contextlib.ExitStack() as stack:
        stack.callback(sender.close)
        stack.enter_context(_outcomes_without_waiting_for_the_disk())
        for delivery in rows:
            if not lease.holds(delivery):
                continue
            try:
                provider_id = sender.send(delivery)
            except Exception as error:
                failure = classify(error)
                if failure.unexpected:
                    logger.error("A delivery failed: %r", error, exc_info=error)
                if not failure.keeps_connection:
                    sender.close()
                if _record_failure(delivery, token, failure):
                    outcome.retried += 1
                else:
                    outcome.failed += 1
                continue
            _record_sent(delivery, token, provider_id)
            outcome.sent += 1
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
