"""Telling many people one thing at once (an announcement to a class, a school or a district),
set-based whatever the number of recipients.

:func:`broadcast` keeps :func:`~village.notifications.services.notify.notify`'s rules: one
notification per recipient, keyed so that writing it again writes nothing; a guardian hears a
per-child kind when the rule of any of the children it concerns wants it; email as each
recipient chose (an urgent kind at once, always), within the week's budget of immediate emails
per child; quiet hours in each recipient's time zone (not for an urgent kind); texts for a kind
that may be texted. But it takes a fixed number of queries and renders nothing per recipient:

- the audience is read once, with each recipient's address, language and time zone, and their
  settings and rules for the kind, each in one query over a subquery of ids (no list of ids is
  sent to the database);
- the title, the body and the email are composed once per language the recipients read (their
  preferred language; Village's own words in the interface language it gives them): the
  email's templates are rendered with slots (``village.core.slots``) for what differs per
  recipient (the greeting's name, the signed one-click unsubscribe link); a loop over tuples
  decides each recipient's email mode and when their email is due;
- the notifications are written by ``village.core.bulk.insert_new_rows`` (``COPY`` and
  ``INSERT ... ON CONFLICT DO NOTHING`` on PostgreSQL: one written before is left as it is),
  then the emails and texts of those written now straight by ``COPY`` (``insert_rows``): each
  delivery's key names its new notification's id, so none can be taken; all in the caller's
  transaction;
- an email is not written out per recipient: each language's is kept once, as a letter
  (``village.notifications.letters``), and each recipient's delivery names it with their name;
  the worker fills it in, and signs their unsubscribe link, when it sends it.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from village.accounts.models import User, short_name, ui_language
from village.core import bulk
from village.core.slots import Slots
from village.notifications import letters, registry
from village.notifications.models import (
    Channel,
    Delivery,
    EmailMode,
    KindSetting,
    Letter,
    Notification,
    UserSettings,
)
from village.notifications.services.notify import (
    DEFAULT_WEEKLY_BUDGET,
    FOLDED_KIND,
    _budgets,
    after_quiet_hours,
    full_key,
    site_link,
    week_start,
    zone_named,
)
from village.notifications.services.rules import rule_book

#: One row of an audience: the recipient, the child it concerns them through (a guardian's;
#: ``None`` for anyone else), that child's school (whose defaults apply), and whether they may
#: be emailed (a guardian link that does not receive school communications: in Village only).
AudienceRow = tuple[int, int | None, int | None, bool]

#: What differs per recipient in a broadcast's email.
EMAIL_SLOTS = letters.SLOTS


@dataclass(frozen=True)
class Words:
    """What a broadcast says in one language: its notification's title and body, and more
    context for its email's templates."""

    title: str
    body: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Broadcast:
    """One thing to tell many people. ``key`` names the object (``"announcement:12"``; the
    recipient and kind are added); ``compose`` is called once per language the recipients
    prefer (a tag such as ``vi``), with the interface language Village gives its readers active
    (``en`` for ``vi``); ``email_template`` names ``<template>_subject.txt``, ``.txt`` and
    ``.html``, rendered with ``notification`` (title and body), ``link``, ``settings_link`` and
    the words' context, and the slots ``name`` and ``unsubscribe``."""

    kind: str
    key: str
    compose: Callable[[str], Words]
    email_template: str
    link: str = ""
    subject: str = ""
    #: Where a guardian is taken when ``link`` is empty: a page of the child it concerns them
    #: through.
    child_link: Callable[[int], str] | None = None


@dataclass(frozen=True)
class Sent:
    notifications: int = 0
    emails: int = 0
    texts: int = 0


def notification_key_suffix(kind: str, key: str) -> str:
    """What follows the recipient's id in the key of a broadcast's notification: a page finds a
    recipient's notification (and through it their email) with ``Concat(<their id>,
    Value(suffix))`` in SQL, by the key's unique index."""
    return full_key(0, kind, key)[1:]


@dataclass(slots=True)
class _Person:
    pk: int
    address: str
    #: The language they prefer (what they read), and Village's interface language for them.
    reads: str
    language: str
    zone: str
    name: str
    #: (child, school) of each row of the audience that names them.
    through: list[tuple[int | None, int | None]] = field(default_factory=list)
    email_ok: bool = False
    mode: EmailMode = EmailMode.OFF
    folded: bool = False
    #: Asked for texts of this kind.
    texts: bool = False

    @property
    def child_id(self) -> int | None:
        """The child it is about: the one child it concerns them through, if only one."""
        children = {child for child, _school in self.through if child is not None}
        return next(iter(children)) if len(children) == 1 else None

    @property
    def school_id(self) -> int | None:
        return min((school for _c, school in self.through if school), default=None)


@dataclass(frozen=True, slots=True)
class _Quiet:
    on: bool
    start: dt.time
    end: dt.time
    phone: str


def broadcast(
    message: Broadcast, *, audience: Iterable[AudienceRow], users: QuerySet[Any], now: dt.datetime
) -> Sent:
    """Notify everyone ``audience`` names (``users``: a subquery of the same user ids, for the
    reads), and queue their emails and texts. Returns what was written now."""
    kind = registry.kind(message.kind)
    if kind is None:
        raise ValueError(f"Unknown notification kind: {message.kind}")
    people = _people(audience, users)
    if not people:
        return Sent()
    people = _wanted(kind, people, users)
    _choose_modes(kind, people, users)
    folded = _fold_over_budget(kind, people, users, now)
    words = {tag: _words(message, tag) for tag in {person.reads for person in people}}
    written = _write_notifications(message, kind, people, folded, words, now)
    emails, texts = _queue(message, kind, people, written, words, users, now)
    return Sent(notifications=len(written), emails=emails, texts=texts)


# --- reading the audience ------------------------------------------------------------------------


def _people(audience: Iterable[AudienceRow], users: QuerySet[Any]) -> list[_Person]:
    """Each active recipient once, with the rows that name them (two queries)."""
    rows: dict[int, list[tuple[int | None, int | None, bool]]] = defaultdict(list)
    for user_id, child_id, school_id, email in audience:
        rows[user_id].append((child_id, school_id, email))
    people = []
    interface = functools.cache(ui_language)  # once per language read
    details = User.objects.filter(pk__in=users, is_active=True).values_list(
        "pk", "email", "preferred_language", "timezone", "username", "first_name", "preferred_name"
    )
    for pk, address, preferred, zone, username, first, preferred_name in details.order_by("pk"):
        if pk not in rows:
            continue
        person = _Person(
            pk=pk,
            address=address,
            reads=preferred,
            language=interface(preferred),
            zone=zone,
            name=short_name(username=username, first_name=first, preferred_name=preferred_name),
        )
        person.through = [(child, school) for child, school, _email in rows[pk]]
        person.email_ok = any(email for _c, _s, email in rows[pk])
        people.append(person)
    return people


def _wanted(kind: registry.AlertKind, people: list[_Person], users: QuerySet[Any]) -> list[_Person]:
    """The people whose rules want it: a guardian's per-child rule (any child it concerns them
    through), unless the kind is urgent (two queries, only when rules apply)."""
    if kind.urgent or not kind.per_child or kind.audience != registry.Audience.GUARDIAN:
        return people
    schools = {school for p in people for _c, school in p.through if school}
    book = rule_book(kind, users, schools)
    kept = []
    for person in people:
        wanted = [
            (child, school)
            for child, school in person.through
            if child is None or book.wants(person.pk, child, school)
        ]
        if wanted:
            person.through = wanted
            kept.append(person)
    return kept


def _choose_modes(kind: registry.AlertKind, people: list[_Person], users: QuerySet[Any]) -> None:
    """Each recipient's email mode for the kind, and whether they asked for its texts (one
    query)."""
    chosen = {
        user_id: (email, sms)
        for user_id, email, sms in KindSetting.objects.filter(
            user_id__in=users, kind=kind.name
        ).values_list("user_id", "email", "sms")
    }
    for person in people:
        email, sms = chosen.get(person.pk, (kind.default_email, False))
        person.texts = sms or kind.urgent
        if not person.email_ok or not person.address:
            person.mode = EmailMode.OFF
        elif kind.urgent:
            person.mode = EmailMode.IMMEDIATE
        else:
            person.mode = EmailMode(email)


def _fold_over_budget(
    kind: registry.AlertKind, people: list[_Person], users: QuerySet[Any], now: dt.datetime
) -> set[tuple[int, int]]:
    """Beyond the week's budget of immediate emails per child, the email waits for the weekly
    digest (two queries, only for a budgeted kind). Returns the (recipient, child) pairs
    folded."""
    if kind.urgent or not kind.budgeted:
        return set()
    counted = [p for p in people if p.mode == EmailMode.IMMEDIATE and p.child_id is not None]
    if not counted:
        return set()
    budgets = _budgets(p.school_id for p in counted if p.school_id)
    since = min(week_start(now, zone_named(p.zone)) for p in counted)
    sent: dict[tuple[int, int], int] = defaultdict(int)
    rows = Notification.objects.filter(
        recipient_id__in=users,
        child_id__isnull=False,
        email_mode=EmailMode.IMMEDIATE,
        created_at__gte=since,
    ).values_list("recipient_id", "child_id", "kind", "created_at")
    zones = {p.pk: zone_named(p.zone) for p in counted}
    for recipient_id, child_id, kind_name, created_at in rows:
        other = registry.kind(kind_name)
        zone = zones.get(recipient_id)
        if zone is None or created_at < week_start(now, zone):
            continue
        if other is None or (other.budgeted and not other.urgent):
            sent[(recipient_id, child_id)] += 1
    folded = set()
    for person in counted:
        assert person.child_id is not None
        pair = (person.pk, person.child_id)
        if sent[pair] >= budgets.get(person.school_id or 0, DEFAULT_WEEKLY_BUDGET):
            person.mode = EmailMode.WEEKLY
            person.folded = True
            folded.add(pair)
        else:
            sent[pair] += 1
    return folded


# --- composing once per language -----------------------------------------------------------------


@dataclass(frozen=True)
class _Email:
    subject: str
    text: Slots
    html: Slots


@dataclass(frozen=True)
class _Composed:
    words: Words
    folded_title: str
    email: _Email


def _words(message: Broadcast, reads: str) -> _Composed:
    with translation.override(ui_language(reads)):
        words = message.compose(reads)
        folded_title = _(
            "This week's alerts by email are used up: the next ones wait for your weekly digest."
        )
        context = {
            "notification": {"title": words.title, "body": words.body},
            "link": site_link(message.link),
            "settings_link": site_link(reverse("notifications:settings")),
            **words.context,
        }
        template = message.email_template
        email = _Email(
            subject=" ".join(render_to_string(f"{template}_subject.txt", context).split()),
            text=Slots(f"{template}.txt", context, EMAIL_SLOTS, autoescape=False),
            html=Slots(f"{template}.html", context, EMAIL_SLOTS),
        )
    return _Composed(words, str(folded_title), email)


# --- writing -------------------------------------------------------------------------------------

_NOTE_COLUMNS = (
    "key",
    "kind",
    "subject",
    "urgent",
    "recipient_id",
    "child_id",
    "title",
    "body",
    "link",
    "language",
    "email_mode",
    "folded",
)


def _link(message: Broadcast, person: _Person) -> str:
    if message.link or message.child_link is None:
        return message.link
    children = sorted(child for child, _school in person.through if child is not None)
    return message.child_link(children[0]) if children else ""


def _write_notifications(
    message: Broadcast,
    kind: registry.AlertKind,
    people: list[_Person],
    folded: set[tuple[int, int]],
    words: dict[str, _Composed],
    now: dt.datetime,
) -> dict[str, int]:
    """Every recipient's notification, and the notice of each pair folded into the digest
    (one ``COPY``). Returns the notifications written now, by key."""
    rows = [
        (
            full_key(person.pk, kind.name, message.key),
            kind.name,
            message.subject[:96],
            kind.urgent,
            person.pk,
            person.child_id,
            words[person.reads].words.title[:300],
            words[person.reads].words.body,
            _link(message, person),
            person.language,
            person.mode.value,
            person.folded,
        )
        for person in people
    ]
    by_pk = {person.pk: person for person in people}
    settings_path = reverse("notifications:settings")
    for recipient_id, child_id in folded:
        person = by_pk[recipient_id]
        week = week_start(now, zone_named(person.zone)).date().isoformat()
        rows.append(
            (
                full_key(recipient_id, FOLDED_KIND, f"{child_id}:{week}"),
                FOLDED_KIND,
                "",
                False,
                recipient_id,
                child_id,
                words[person.reads].folded_title,
                "",
                settings_path,
                person.language,
                EmailMode.OFF.value,
                False,
            )
        )
    return bulk.insert_new_rows(
        Notification, _NOTE_COLUMNS, rows, key="key", constants={"created_at": now}
    )


_DELIVERY_COLUMNS = (
    "key",
    "channel",
    "recipient_id",
    "notification_id",
    "address",
    "text",
    "letter_id",
    "slot_values",
    "due_at",
)


def _quiet(users: QuerySet[Any]) -> dict[int, _Quiet]:
    """Each recipient's quiet hours and mobile number (one query; defaults for the others)."""
    rows = UserSettings.objects.filter(user_id__in=users).values_list(
        "user_id", "quiet_hours", "quiet_start", "quiet_end", "phone"
    )
    return {pk: _Quiet(on, start, end, phone) for pk, on, start, end, phone in rows}


def _default_quiet() -> _Quiet:
    default = UserSettings()
    return _Quiet(default.quiet_hours, default.quiet_start, default.quiet_end, default.phone)


def _letters(reads: set[str], words: dict[str, _Composed], now: dt.datetime) -> dict[str, int]:
    """One letter for each language of ``reads`` (one query): its id by that language."""
    tags = sorted(reads)
    made = Letter.objects.bulk_create(
        [
            Letter(
                subject=words[tag].email.subject,
                text=words[tag].email.text.marked,
                html=words[tag].email.html.marked,
                language=ui_language(tag),
                slots=",".join(EMAIL_SLOTS),
                created_at=now,
            )
            for tag in tags
        ]
    )
    return {tag: letter.pk for tag, letter in zip(tags, made, strict=True)}


def _queue(
    message: Broadcast,
    kind: registry.AlertKind,
    people: list[_Person],
    written: dict[str, int],
    words: dict[str, _Composed],
    users: QuerySet[Any],
    now: dt.datetime,
) -> tuple[int, int]:
    """The emails and texts of the notifications written now (two queries, one ``COPY``).
    Returns how many emails and texts were queued."""
    texting = kind.sms and bool(settings.VILLAGE_SMS_URL)
    quiet = _quiet(users)
    default = _default_quiet()
    # Those told now: each with the key and id of the notification written for them.
    told = [
        (person, key, written[key])
        for person in people
        if (key := full_key(person.pk, kind.name, message.key)) in written
    ]
    emailed = {person.reads for person, _key, _note in told if person.mode == EmailMode.IMMEDIATE}
    by_language = _letters(emailed, words, now)
    rows: list[tuple[Any, ...]] = []
    emails = texts = 0
    for person, key, note in told:
        pref = quiet.get(person.pk, default)
        due = now
        if pref.on and not kind.urgent:
            due = after_quiet_hours(now, zone_named(person.zone), pref.start, pref.end)
        if person.mode == EmailMode.IMMEDIATE:
            email_key = f"{key}:{note}:email"[:200]
            letter = by_language[person.reads]
            email = (email_key, Channel.EMAIL.value, person.pk, note, person.address, "")
            rows.append((*email, letter, letters.values(person.name), due))
            emails += 1
        if texting and pref.phone and person.email_ok and person.texts:
            title = words[person.reads].words.title
            text = f"{title} {site_link(_link(message, person))}".strip()[:640]
            sms_key = f"{key}:{note}:sms"
            sms = (sms_key[:200], Channel.SMS.value, person.pk, note, pref.phone, text)
            rows.append((*sms, None, {}, due))
            texts += 1
    bulk.insert_rows(
        Delivery, _DELIVERY_COLUMNS, rows, constants={"kind": kind.name, "created_at": now}
    )
    return emails, texts
