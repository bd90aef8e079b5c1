"""Write notifications and their deliveries: once per key, in the recipient's language, with
each recipient's channels, quiet hours and weekly budget.

:func:`notify` takes any number of :class:`Pending` notifications and writes them in a fixed
number of queries (one read of each kind of setting, one insert of notifications, one of
deliveries), inside the caller's transaction: the notification and its email exist exactly when
the change that caused them does. Each notification's key (recipient, kind, object, period) is
unique, so writing it again (a retried task, a sweep run twice, two workers at once) writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from village.accounts.models import User
from village.core.mail import render_email
from village.notifications import registry
from village.notifications.models import (
    Channel,
    Delivery,
    EmailMode,
    KindSetting,
    Notification,
    SchoolNotificationSettings,
    UserSettings,
)

logger = logging.getLogger(__name__)

#: Immediate emails per child and week when the school has not said otherwise.
DEFAULT_WEEKLY_BUDGET = 3
#: The kind of the one notice that this week's immediate emails are used up.
FOLDED_KIND = "alerts_folded"
UNSUBSCRIBE_SALT = "village.notifications.unsubscribe"


@dataclass
class Pending:
    """A notification to write. ``compose`` returns its title and body; it is called in the
    recipient's language and time zone. ``key`` names the object and period (the recipient and
    kind are added). ``email``: ``False`` keeps it in Village (a guardian link that does not
    receive communications)."""

    recipient: User
    kind: str
    key: str
    compose: Callable[[], tuple[str, str]]
    link: str = ""
    child_id: int | None = None
    school_id: int | None = None
    subject: str = ""
    email: bool = True
    #: Extra context for the email template.
    context: dict[str, Any] = field(default_factory=dict)
    #: Its email and text wait until then (a teacher's next office hours), quiet hours after.
    not_before: dt.datetime | None = None
    #: An iCalendar invitation (RFC 5546) for the email to carry, in the recipient's language.
    calendar: str = ""


def full_key(recipient_id: int, kind: str, key: str) -> str:
    return f"{recipient_id}:{kind}:{key}"[:200]


@functools.lru_cache(maxsize=512)
def zone_named(name: str) -> dt.tzinfo:
    """The time zone called ``name``, or the site's when there is none of that name."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def user_zone(user: User) -> dt.tzinfo:
    return zone_named(user.timezone)


def week_start(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Monday 00:00 of ``moment``'s week in ``tz``."""
    local = moment.astimezone(tz)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(0, 0), tzinfo=tz)


def after_quiet_hours(
    moment: dt.datetime, tz: dt.tzinfo, start: dt.time, end: dt.time
) -> dt.datetime:
    """``moment``, or the end of the quiet hours it falls in (``start`` to ``end`` in ``tz``,
    across midnight when ``start`` is later than ``end``)."""
    if start == end:
        return moment
    local = moment.astimezone(tz)
    clock = local.time()
    if start < end:
        quiet = start <= clock < end
        end_day = local.date()
    else:
        quiet = clock >= start or clock < end
        end_day = local.date() + dt.timedelta(days=1) if clock >= start else local.date()
    if not quiet:
        return moment
    wake = dt.datetime.combine(end_day, end, tzinfo=tz)
    return wake.astimezone(dt.UTC)


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id, kind)
    return settings.VILLAGE_SITE_URL + reverse("notifications:unsubscribe", args=[token])


def site_link(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.VILLAGE_SITE_URL + path


def email_headers(user_id: int, kind: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe from this kind."""
    return unsubscribe_headers(unsubscribe_url(user_id, kind))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The one-click unsubscribe headers (RFC 8058) of an unsubscribe link."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def email_modes(users: Iterable[User], kinds: Iterable[str]) -> dict[tuple[int, str], KindSetting]:
    ids = {user.pk for user in users}
    names = set(kinds)
    if not ids or not names:
        return {}
    rows = KindSetting.objects.filter(user_id__in=ids, kind__in=names)
    return {(row.user_id, row.kind): row for row in rows}


def user_settings(user_ids: Iterable[int]) -> dict[int, UserSettings]:
    ids = set(user_ids)
    if not ids:
        return {}
    return {row.user_id: row for row in UserSettings.objects.filter(user_id__in=ids)}


def settings_of(user: User) -> UserSettings:
    """The user's settings (unsaved defaults when they have set none)."""
    found = UserSettings.objects.filter(user=user).first()
    return found or UserSettings(user=user)


def _budgets(school_ids: Iterable[int]) -> dict[int, int]:
    ids = {pk for pk in school_ids if pk is not None}
    if not ids:
        return {}
    return dict(
        SchoolNotificationSettings.objects.filter(school_id__in=ids).values_list(
            "school_id", "weekly_email_budget"
        )
    )


def _sent_this_week(pairs: set[tuple[int, int]], since: dt.datetime) -> dict[tuple[int, int], int]:
    """Immediate emails per (recipient, child) since ``since`` (one query)."""
    if not pairs:
        return {}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    rows = Notification.objects.filter(
        recipient_id__in={r for r, _c in pairs},
        child_id__in={c for _r, c in pairs},
        email_mode=EmailMode.IMMEDIATE,
        created_at__gte=since,
    ).values_list("recipient_id", "child_id", "created_at", "kind")
    for recipient_id, child_id, _created, kind_name in rows:
        kind = registry.kind(kind_name)
        if kind is None or (kind.budgeted and not kind.urgent):
            counts[(recipient_id, child_id)] += 1
    return counts


def _mode(kind: registry.AlertKind, item: Pending, setting: KindSetting | None) -> EmailMode:
    if not item.email or not item.recipient.email or not item.recipient.is_active:
        return EmailMode.OFF
    if kind.urgent:
        return EmailMode.IMMEDIATE
    chosen = EmailMode(setting.email) if setting is not None else kind.default_email
    if chosen == EmailMode.WEEKLY and item.calendar:
        # A calendar invitation (or its cancellation) cannot wait a week for the digest: it
        # goes now. Email turned off stays off; the invitation is on its page in Village.
        return EmailMode.IMMEDIATE
    return chosen


@transaction.atomic
def notify(items: Sequence[Pending], *, now: dt.datetime | None = None) -> list[Notification]:
    """Write the notifications not written yet, and queue their emails and texts. Returns the
    notifications written now."""
    now = now or timezone.now()
    if not items:
        return []
    keyed = {full_key(item.recipient.pk, item.kind, item.key): item for item in items}
    existing = set(Notification.objects.filter(key__in=keyed).values_list("key", flat=True))
    fresh = {key: item for key, item in keyed.items() if key not in existing}
    if not fresh:
        return []
    users = {item.recipient.pk: item.recipient for item in fresh.values()}
    modes = email_modes(users.values(), {item.kind for item in fresh.values()})
    prefs = user_settings(users)
    budgets = _budgets(item.school_id for item in fresh.values() if item.school_id)

    kinds: dict[str, registry.AlertKind] = {}
    for item in fresh.values():
        kind = registry.kind(item.kind)
        if kind is None:
            raise ValueError(f"Unknown notification kind: {item.kind}")
        kinds[item.kind] = kind
    chosen = {
        key: _mode(kinds[item.kind], item, modes.get((item.recipient.pk, item.kind)))
        for key, item in fresh.items()
    }

    # The week's budget of immediate emails per child: beyond it, alerts fold into the digest.
    counted = {
        (item.recipient.pk, item.child_id)
        for key, item in fresh.items()
        if item.child_id is not None and chosen[key] == EmailMode.IMMEDIATE
    }
    earliest = min((week_start(now, user_zone(users[r])) for r, _c in counted), default=now)
    sent = _sent_this_week(counted, earliest)
    folded_keys: set[str] = set()
    folded_pairs: set[tuple[int, int]] = set()
    for key, item in fresh.items():
        kind = kinds[item.kind]
        if chosen[key] != EmailMode.IMMEDIATE or item.child_id is None:
            continue
        if kind.urgent or not kind.budgeted:
            continue
        pair = (item.recipient.pk, item.child_id)
        budget = budgets.get(item.school_id or 0, DEFAULT_WEEKLY_BUDGET)
        if sent.get(pair, 0) >= budget:
            chosen[key] = EmailMode.WEEKLY
            folded_keys.add(key)
            folded_pairs.add(pair)
        else:
            sent[pair] = sent.get(pair, 0) + 1

    rows: list[Notification] = []
    for key, item in fresh.items():
        user = item.recipient
        with translation.override(user.ui_language), timezone.override(user_zone(user)):
            title, body = item.compose()
        rows.append(
            Notification(
                recipient=user,
                kind=item.kind,
                child_id=item.child_id,
                subject=item.subject[:96],
                title=title[:300],
                body=body,
                link=item.link,
                language=user.ui_language,
                urgent=kinds[item.kind].urgent,
                email_mode=chosen[key],
                folded=key in folded_keys,
                key=key,
                created_at=now,
            )
        )
    for recipient_id, child_id in folded_pairs:
        user = users[recipient_id]
        week = week_start(now, user_zone(user)).date().isoformat()
        key = full_key(recipient_id, FOLDED_KIND, f"{child_id}:{week}")
        with translation.override(user.ui_language):
            title = str(
                translation.gettext(
                    "This week's alerts by email are used up: the next ones wait for your "
                    "weekly digest."
                )
            )
        rows.append(
            Notification(
                recipient=user,
                kind=FOLDED_KIND,
                child_id=child_id,
                title=title,
                link=reverse("notifications:settings"),
                language=user.ui_language,
                email_mode=EmailMode.OFF,
                key=key,
                created_at=now,
            )
        )
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    written = list(
        Notification.objects.filter(
            key__in=[row.key for row in rows], created_at=now
        ).select_related("recipient")
    )
    _queue(written, fresh, prefs, modes, now)
    return written


def _queue(
    written: list[Notification],
    fresh: dict[str, Pending],
    prefs: dict[int, UserSettings],
    modes: dict[tuple[int, str], KindSetting],
    now: dt.datetime,
) -> None:
    deliveries: list[Delivery] = []
    for note in written:
        user = note.recipient
        pending = fresh.get(note.key)
        kind = registry.kind(note.kind)
        if kind is None or pending is None:
            continue
        pref = prefs.get(user.pk) or UserSettings(user=user)
        tz = user_zone(user)
        due = now
        if pending.not_before is not None and not kind.urgent:
            due = max(due, pending.not_before)
        if pref.quiet_hours and not kind.urgent:
            due = after_quiet_hours(due, tz, pref.quiet_start, pref.quiet_end)
        if note.email_mode == EmailMode.IMMEDIATE:
            deliveries.append(_email(note, pending, due, now))
        setting = modes.get((user.pk, note.kind))
        if (
            kind.sms
            and settings.VILLAGE_SMS_URL
            and pref.phone
            and ((setting is not None and setting.sms) or kind.urgent)
        ):
            text = note.title
            if note.link:
                text = f"{text} {site_link(note.link)}"
            deliveries.append(
                Delivery(
                    key=f"{note.key}:sms"[:200],
                    channel=Channel.SMS,
                    recipient=user,
                    notification=note,
                    kind=note.kind,
                    address=pref.phone,
                    text=text[:640],
                    created_at=now,
                    due_at=due,
                )
            )
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)


def _email(note: Notification, pending: Pending, due: dt.datetime, now: dt.datetime) -> Delivery:
    user = note.recipient
    context = {
        "user": user,
        "notification": note,
        "link": site_link(note.link),
        "settings_link": site_link(reverse("notifications:settings")),
        "unsubscribe": unsubscribe_url(user.pk, note.kind),
        **pending.context,
    }
    message = render_email(
        template="notifications/email/alert",
        context=context,
        to=[user.email],
        language=note.language,
        time_zone=user_zone(user),
    )
    return delivery_from_message(
        message,
        key=f"{note.key}:email",
        recipient=user,
        notification=note,
        kind=note.kind,
        extra_headers=email_headers(user.pk, note.kind),
        due=due,
        now=now,
        calendar=pending.calendar,
    )


def delivery_from_message(
    message: Any,
    *,
    key: str,
    recipient: User | None,
    kind: str,
    due: dt.datetime,
    now: dt.datetime,
    notification: Notification | None = None,
    extra_headers: dict[str, str] | None = None,
    calendar: str = "",
) -> Delivery:
    """A delivery row holding a rendered :class:`~django.core.mail.EmailMultiAlternatives`
    (and the iCalendar invitation it carries, if any)."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = str(content)
    headers = dict(message.extra_headers)
    # The Message-ID is made once, here: a message sent again after a worker died (see
    # village.notifications.delivery) carries the same one, and mail clients show it once.
    headers.update(extra_headers or {})
    return Delivery(
        key=key[:200],
        channel=Channel.EMAIL,
        recipient=recipient,
        notification=notification,
        kind=kind,
        address=message.to[0],
        subject=message.subject,
        text=message.body,
        html=html,
        headers=headers,
        calendar=calendar,
        created_at=now,
        due_at=due,
    )
