"""The inbox's list of conversations, rendered once and kept while nothing it shows changes.

The list is kept in the ``pages`` cache under a key naming the reader, the page and filter asked
for, the language, the time zone and ``selectors.inbox_mark`` (one query: which places the reader
holds, the newest message, their last reading, the last hidden message). Any new message, reading,
hidden message or place gained or lost changes the key, so a kept list is never behind on those.
It is kept until the clock alone would change it (the "5 minutes ago" beside the newest row) and
at most ``KEEP_SECONDS``, which bounds how long a changed name takes to show; a list showing a
translation not yet made is not kept, so the translation shows as soon as it is ready.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from village.accounts.models import User
from village.core.kept import keep, kept
from village.messaging import selectors
from village.translation.texts import Reason, Shown

#: The longest a rendered list is kept.
KEEP_SECONDS = 300
#: Bump when the list's template or the key changes.
FORMAT = 1
TEMPLATE = "messaging/_inbox_list.html"
_MINUTE, _HOUR, _DAY = 60, 3600, 86400


def rendered(
    request: HttpRequest, user: User, page_number: str | None, *, unread_only: bool
) -> SafeString:
    """The list for this page of the user's inbox, kept or rendered now."""
    now = timezone.now()
    key = _key(user, page_number, unread_only) if _keepable(page_number) else None
    if key is not None:
        html_kept: str | None = kept(key, now)
        if html_kept is not None:
            return mark_safe(html_kept)  # noqa: S308 - our own template's output
    page = selectors.inbox(user, page_number, unread_only=unread_only)
    html = render_to_string(TEMPLATE, {"page": page, "unread_only": unread_only}, request)
    rows: list[selectors.InboxRow] = list(page.object_list)
    if key is not None and not any(_pending(row) for row in rows):
        until = min(
            (clock_changes(row.conversation.last_message_at, now) for row in rows),
            default=now + dt.timedelta(seconds=KEEP_SECONDS),
        )
        keep(key, html, until, now=now, at_most=KEEP_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output


def clock_changes(moment: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When "… ago" for ``moment`` next reads differently: at the next whole minute of its age
    within the first hour, the next whole hour within the first day, then the next whole day."""
    age = max((now - moment).total_seconds(), 0.0)
    unit = _MINUTE if age < _HOUR else _HOUR if age < _DAY else _DAY
    return moment + dt.timedelta(seconds=(age // unit + 1) * unit)


def _pending(row: selectors.InboxRow) -> bool:
    shown: list[Shown] = [row.subject] + ([row.last] if row.last is not None else [])
    return any(text.reason == Reason.PENDING for text in shown)


def _keepable(page_number: str | None) -> bool:
    return page_number is None or (page_number.isdigit() and len(page_number) <= 4)


def _key(user: User, page_number: str | None, unread_only: bool) -> str:
    mark = selectors.inbox_mark(user)
    parts = (
        FORMAT,
        user.pk,
        page_number or "1",
        unread_only,
        get_language(),
        timezone.get_current_timezone_name(),
        *mark,
    )
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"messaging:inbox:{user.pk}:{digest}"
