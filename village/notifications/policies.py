"""Who may reach which notification: only its recipient."""

from __future__ import annotations

from django.db.models import QuerySet

from village.accounts.models import User
from village.core.policies import one_or_404
from village.notifications.models import Notification


def visible_notifications(user: User) -> QuerySet[Notification]:
    """A user's own notifications, newest first (dismissed ones are left out)."""
    return Notification.objects.filter(recipient=user, dismissed_at__isnull=True).order_by(
        "-created_at", "-id"
    )


def notification_for_recipient(user: User, pk: int) -> Notification:
    return one_or_404(visible_notifications(user).filter(pk=pk), "No such notification.")
