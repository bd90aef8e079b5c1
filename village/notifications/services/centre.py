"""Reading notifications: mark one or all read, unsubscribe from a kind by email."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.utils import timezone

from village.accounts.models import User
from village.notifications import registry
from village.notifications.models import EmailMode, KindSetting, Notification
from village.notifications.services.notify import UNSUBSCRIBE_SALT


def mark_read(notification: Notification, *, now: dt.datetime | None = None) -> None:
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notification.save(update_fields=["read_at"])


def mark_read_about(recipient_id: int, subject: str, *, now: dt.datetime | None = None) -> int:
    """Mark read someone's notifications about ``subject`` (``"<app>.<model>:<id>"``): the
    thing itself was opened elsewhere than from the notification."""
    return Notification.objects.filter(
        recipient_id=recipient_id, subject=subject, read_at__isnull=True
    ).update(read_at=now or timezone.now())


def mark_all_read(user: User, *, now: dt.datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(
        recipient=user, read_at__isnull=True, dismissed_at__isnull=True
    ).count()


class BadUnsubscribeLinkError(Exception):
    pass


def unsubscribe(token: str) -> tuple[User, registry.AlertKind]:
    """Turn off email of the kind the signed ``token`` names, for the user it names."""
    try:
        user_id, kind_name = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadUnsubscribeLinkError from error
    kind = registry.kind(str(kind_name))
    user = User.objects.filter(pk=user_id).first()
    if kind is None or user is None:
        raise BadUnsubscribeLinkError
    KindSetting.objects.update_or_create(
        user=user, kind=kind.name, defaults={"email": EmailMode.OFF}
    )
    return user, kind


def dismiss(notification: Notification, *, now: dt.datetime | None = None) -> None:
    """Take the notification off the user's list (it counts as read)."""
    moment = now or timezone.now()
    notification.dismissed_at = moment
    notification.read_at = notification.read_at or moment
    notification.save(update_fields=["dismissed_at", "read_at"])
