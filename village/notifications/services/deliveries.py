"""Staff's part in the outbox: send a failed delivery again, or text people directly (an
announcement's fallback for the families it did not reach)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from village.core import bulk
from village.notifications.models import Channel, Delivery, DeliveryState, UserSettings


class RetryRefusedError(Exception):
    """The delivery cannot be sent again: its recipient has no address on its channel now."""


def _current_address(delivery: Delivery) -> str:
    """The recipient's address on the delivery's channel as it is now (staff may have just
    corrected it), or the one it was queued with when it has no recipient any more."""
    recipient = delivery.recipient
    if recipient is None:
        return delivery.address
    if delivery.channel == Channel.SMS:
        found = UserSettings.objects.filter(user=recipient).values_list("phone", flat=True)
        return found.first() or ""
    return recipient.email


@transaction.atomic
def delivery_retry(*, delivery: Delivery, now: dt.datetime | None = None) -> Delivery:
    """Queue a failed delivery again, due at once, to its recipient's current address, with a
    new round of attempts. Raises :class:`RetryRefusedError` when there is no address to send
    to; a delivery no longer failed (sent again by someone else meanwhile) is left as it is."""
    address = _current_address(delivery)
    if not address:
        raise RetryRefusedError
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.QUEUED,
        address=address,
        due_at=now or timezone.now(),
        attempts=0,
        lease="",
        lease_until=None,
    )
    delivery.refresh_from_db()
    return delivery


@dataclass(frozen=True)
class OutgoingText:
    """A text to queue: ``key`` names it once for good (queued again, it is left out)."""

    key: str
    recipient_id: int
    address: str
    text: str
    kind: str


def texts_queue(texts: Sequence[OutgoingText], *, now: dt.datetime | None = None) -> int:
    """Queue these texts, due at once, each key once (one ``COPY`` however many). Nothing when
    texts are not set up (``VILLAGE_SMS_URL``). Returns how many were queued now."""
    if not settings.VILLAGE_SMS_URL or not texts:
        return 0
    now = now or timezone.now()
    rows = [
        (text.key[:200], text.recipient_id, text.kind, text.address, text.text[:640])
        for text in texts
    ]
    written = bulk.insert_new_rows(
        Delivery,
        ("key", "recipient_id", "kind", "address", "text"),
        rows,
        key="key",
        constants={"channel": Channel.SMS.value, "created_at": now, "due_at": now},
    )
    return len(written)
