"""Old notifications and sent deliveries are removed after the retention period."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from village.notifications.models import Delivery, DeliveryState, Letter, Notification


def purge(now: dt.datetime) -> dict[str, int]:
    cutoff = now - dt.timedelta(days=settings.VILLAGE_NOTIFICATION_RETENTION_DAYS)
    deliveries, _ = Delivery.objects.filter(
        created_at__lt=cutoff, state__in=[DeliveryState.SENT, DeliveryState.CANCELLED]
    ).delete()
    notifications, _ = Notification.objects.filter(created_at__lt=cutoff).delete()
    # A letter goes with the last delivery that names it.
    letters, _ = Letter.objects.filter(created_at__lt=cutoff, deliveries__isnull=True).delete()
    return {"notifications": notifications, "deliveries": deliveries, "letters": letters}
