"""Staff's part in the outbox: send a failed delivery again."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

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
