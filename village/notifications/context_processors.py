"""What every page's template may show of notifications: the bell's unread count."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest

from village.accounts.models import User
from village.notifications.services.centre import unread_count


def bell(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """``notifications_unread``: the signed-in user's unread count, read (one query, on the
    partial index of unread notifications) only if the page shows it, and once."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"notifications_unread": functools.cache(functools.partial(unread_count, user))}
