"""The weekly family digest: one email a week per guardian, covering each of their children
within what that child's link allows.

:func:`compose` composes a batch of guardians (``BATCH`` at a time) in a fixed number of queries
whatever its size: the guardians and their usable links, the digests they already have, their
choice of email for the digest, their notifications folded into it, and what each registered
digest section reads for the whole batch at once (``registry.DigestBatch``). Each guardian's
email is rendered in their language and time zone: a subject, plain text and an HTML
alternative readable on a phone without images. With ``write`` it records one
:class:`~village.notifications.models.Digest` per guardian and week (the unique row makes it
idempotent: a second run, or a second worker, writes nothing) and queues its email in the outbox
(``Delivery``, kind ``weekly_digest``, with one-click unsubscribe), and marks the notifications
it carried. A guardian with nothing new, no address, the digest's email turned off, or no link
that receives school communications gets no email, but the digest row records why, so that
running again does nothing.

Links that do not receive school communications (``receives_communications``) are left out of
the email: what they allow stays in Village only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from village.accounts.models import User, display_name, short_name
from village.community.models import GuardianLink, Scope
from village.core import bulk
from village.core.mail import village_headers
from village.families.surface import Child
from village.notifications import digest_email, policies, registry
from village.notifications.kinds import WEEKLY_DIGEST
from village.notifications.models import (
    Delivery,
    Digest,
    DigestOutcome,
    DigestPeriod,
    EmailMode,
    KindSetting,
    Notification,
)
from village.notifications.services.notify import (
    delivery_from_message,
    email_headers,
    user_zone,
    week_start,
)
from village.translation import languages

#: Guardians composed together: each batch takes a fixed number of queries.
BATCH = 500
#: A first digest covers the week before it; later ones reach back to the one before (at most
#: two weeks).
FIRST_PERIOD = dt.timedelta(days=7)
LONGEST_PERIOD = dt.timedelta(days=14)

_LINK_VALUES = (
    "guardian_id",
    "student_id",
    "student__username",
    "student__first_name",
    "student__preferred_name",
    "student__last_name",
    "student__grade",
    "receives_communications",
    *(GuardianLink.scope_field(scope) for scope in Scope),
)


@dataclass(frozen=True, slots=True)
class FamilyLink:
    """One of a guardian's usable links, as the digest reads it."""

    child: Child
    scopes: frozenset[str]
    #: Does this guardian receive the school's communications about this child?
    communications: bool

    def allows(self, scope: Scope) -> bool:
        return str(scope) in self.scopes


@dataclass
class Family:
    """A guardian whose digest is composed, with their links and the period it covers."""

    user: User
    links: list[FamilyLink]
    since: dt.datetime
    starts: dt.date
    email_off: bool = False
    notifications: list[Notification] = field(default_factory=list)

    @property
    def emailed_links(self) -> list[FamilyLink]:
        return [link for link in self.links if link.communications]


@dataclass(frozen=True)
class Composed:
    """One guardian's digest: what it says (``html`` and ``text``) and what became of it."""

    family: Family
    outcome: DigestOutcome
    children: list[int] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""
    #: The email's body without the document around it (the preview pages show it).
    body: SafeString = field(default_factory=SafeString)
    delivery: Delivery | None = None


@dataclass(frozen=True)
class BatchOutcome:
    considered: int = 0
    emailed: int = 0
    composed: list[Composed] = field(default_factory=list)


# --- reading a batch -----------------------------------------------------------------------------


def families(
    guardian_ids: Collection[int], *, now: dt.datetime, users: Sequence[User] | None = None
) -> list[Family]:
    """The active guardians among ``guardian_ids`` with their usable links, each with the week
    their next digest is for (``starts``) and what it covers from (``since``: their previous
    digest, within two weeks, or a week before ``now``). Three queries."""
    found = (
        list(users)
        if users is not None
        else list(User.objects.filter(pk__in=list(guardian_ids), is_active=True).order_by("pk"))
    )
    if not found:
        return []
    ids = [user.pk for user in found]
    links: dict[int, list[FamilyLink]] = defaultdict(list)
    for row in policies.digest_links(ids).values_list(*_LINK_VALUES):
        links[row[0]].append(_link(row))
    previous = _previous_digests(ids, now)
    result = []
    for user in found:
        own = sorted(links.get(user.pk, []), key=lambda link: (link.child.name, link.child.id))
        if not own:
            continue
        starts = week_start(now, user_zone(user)).date()
        since = now - FIRST_PERIOD
        last = previous.get(user.pk)
        if last is not None and last > now - LONGEST_PERIOD:
            since = last
        result.append(Family(user=user, links=own, since=since, starts=starts))
    return result


def _link(row: tuple[object, ...]) -> FamilyLink:
    (_guardian, student_id, username, first, preferred, last, grade, communications) = row[:8]
    flags = row[8:]
    scopes = frozenset(str(scope) for scope, allowed in zip(Scope, flags, strict=True) if allowed)
    child = Child(
        id=int(student_id),  # type: ignore[call-overload]
        name=short_name(
            username=str(username), first_name=str(first), preferred_name=str(preferred)
        ),
        full_name=display_name(
            username=str(username),
            first_name=str(first),
            preferred_name=str(preferred),
            last_name=str(last),
        ),
        grade=str(grade),
        grades=str(Scope.GRADES) in scopes,
    )
    return FamilyLink(child=child, scopes=scopes, communications=bool(communications))


def _previous_digests(user_ids: list[int], now: dt.datetime) -> dict[int, dt.datetime]:
    """When each guardian's latest weekly digest was composed, within two weeks (one query)."""
    rows = Digest.objects.filter(
        recipient_id__in=user_ids,
        period=DigestPeriod.WEEKLY,
        created_at__gt=now - LONGEST_PERIOD,
        created_at__lte=now,
    ).values_list("recipient_id", "created_at")
    latest: dict[int, dt.datetime] = {}
    for user_id, created_at in rows:
        if user_id not in latest or created_at > latest[user_id]:
            latest[user_id] = created_at
    return latest


def _done(found: list[Family]) -> set[int]:
    """The guardians whose digest of their week exists already (one query)."""
    if not found:
        return set()
    weeks = {family.starts for family in found}
    rows = Digest.objects.filter(
        recipient_id__in=[family.user.pk for family in found],
        period=DigestPeriod.WEEKLY,
        starts__in=weeks,
    ).values_list("recipient_id", "starts")
    written = set(rows)
    return {family.user.pk for family in found if (family.user.pk, family.starts) in written}


def _read_choices(found: list[Family]) -> None:
    """Each guardian's choice of email for the digest, and the notifications waiting for it
    (two queries)."""
    by_id = {family.user.pk: family for family in found}
    off = KindSetting.objects.filter(
        user_id__in=list(by_id), kind=WEEKLY_DIGEST, email=EmailMode.OFF
    ).values_list("user_id", flat=True)
    for user_id in off:
        by_id[user_id].email_off = True
    waiting = Notification.objects.filter(
        recipient_id__in=list(by_id),
        email_mode=EmailMode.WEEKLY,
        digested_at__isnull=True,
        dismissed_at__isnull=True,
    ).order_by("created_at", "id")
    for note in waiting:
        by_id[note.recipient_id].notifications.append(note)


# --- composing -----------------------------------------------------------------------------------


def _batch(
    found: list[Family], *, now: dt.datetime, classes: Mapping[int, frozenset[int]] | None
) -> registry.DigestBatch:
    scopes: dict[int, set[str]] = defaultdict(set)
    readers: dict[str, set[int]] = defaultdict(set)
    for family in found:
        language = languages.key(family.user.preferred_language)
        for link in family.emailed_links:
            scopes[link.child.id] |= link.scopes
            readers[language].add(link.child.id)
    return registry.DigestBatch(
        now=now,
        scopes={pk: frozenset(allowed) for pk, allowed in scopes.items()},
        readers={language: frozenset(ids) for language, ids in readers.items()},
        since=min((family.since for family in found), default=now - FIRST_PERIOD),
        classes=classes,
    )


def outcome_before_composing(family: Family) -> DigestOutcome | None:
    """Why a guardian gets no email whatever the week holds, or ``None``."""
    if not family.emailed_links:
        return DigestOutcome.NO_COMMUNICATIONS
    if not family.user.email:
        return DigestOutcome.NO_ADDRESS
    if family.email_off:
        return DigestOutcome.EMAIL_OFF
    return None


def _sections(
    family: Family, batch: registry.DigestBatch, now: dt.datetime
) -> tuple[list[registry.DigestSection], list[Child]]:
    """Each registered section this guardian's links allow, and the children they name."""
    built: list[registry.DigestSection] = []
    named: dict[int, Child] = {}
    allowed = batch.classes
    for scope, builder in registry.digest_sections():
        children = [
            link.child
            for link in family.emailed_links
            if link.allows(scope) and (allowed is None or link.child.id in allowed)
        ]
        if not children:
            continue
        section = builder(
            registry.DigestRequest(
                user=family.user, children=children, since=family.since, until=now, batch=batch
            )
        )
        if section is None:
            continue
        built.append(section)
        for child in children:
            named.setdefault(child.id, child)
    order = {link.child.id: index for index, link in enumerate(family.links)}
    return built, sorted(named.values(), key=lambda child: order[child.id])


def compose_family(
    family: Family,
    batch: registry.DigestBatch,
    *,
    now: dt.datetime,
    preview: bool = False,
) -> Composed:
    """One guardian's digest, in their language and time zone. ``preview``: composed for a
    page (no outcome but what it says, no working confirm or unsubscribe link)."""
    early = None if preview else outcome_before_composing(family)
    if early is not None:
        return Composed(family=family, outcome=early)
    user = family.user
    zone = user_zone(user)
    language = user.ui_language
    with translation.override(language), timezone.override(zone):
        sections, children = _sections(family, batch, now)
        news = any(section.news for section in sections) or bool(family.notifications)
        ids = [child.id for child in children]
        if not news and not preview:
            return Composed(family, DigestOutcome.NOTHING_NEW, ids)
        written = digest_email.write(family, batch, sections, children, preview=preview)
        if preview:
            return Composed(
                family,
                DigestOutcome.EMAILED,
                ids,
                subject=written.subject,
                text=written.text,
                body=written.body,
            )
    message = EmailMultiAlternatives(
        subject=written.subject,
        body=written.text,
        from_email=django_settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=village_headers(language),
    )
    message.attach_alternative(written.html, "text/html")
    delivery = delivery_from_message(
        message,
        key=f"digest:{user.pk}:{family.starts.isoformat()}",
        recipient=user,
        kind=WEEKLY_DIGEST,
        extra_headers=email_headers(user.pk, WEEKLY_DIGEST),
        due=now,
        now=now,
    )
    return Composed(
        family=family,
        outcome=DigestOutcome.EMAILED,
        children=ids,
        subject=delivery.subject,
        text=delivery.text,
        html=delivery.html,
        body=written.body,
        delivery=delivery,
    )


def compose(
    guardian_ids: Collection[int],
    *,
    now: dt.datetime | None = None,
    write: bool = True,
) -> BatchOutcome:
    """Compose (and with ``write`` record and queue) the digests of these guardians that are
    not written yet for their week: a fixed number of queries per ``BATCH`` guardians."""
    now = now or timezone.now()
    ids = sorted(set(guardian_ids))
    considered = emailed = 0
    kept: list[Composed] = []
    for start in range(0, len(ids), BATCH):
        outcome = _compose_batch(ids[start : start + BATCH], now=now, write=write)
        considered += outcome.considered
        emailed += outcome.emailed
        if not write:  # what was written is in the database; a dry run hands it back
            kept += outcome.composed
    return BatchOutcome(considered=considered, emailed=emailed, composed=kept)


def _compose_batch(ids: list[int], *, now: dt.datetime, write: bool) -> BatchOutcome:
    found = families(ids, now=now)
    done = _done(found)
    found = [family for family in found if family.user.pk not in done]
    if not found:
        return BatchOutcome()
    _read_choices(found)
    batch = _batch(found, now=now, classes=None)
    composed = [compose_family(family, batch, now=now) for family in found]
    if write:
        _write(composed, now=now)
    emailed = sum(1 for one in composed if one.delivery is not None)
    return BatchOutcome(considered=len(composed), emailed=emailed, composed=composed)


def _write(composed: list[Composed], *, now: dt.datetime) -> None:
    """Record each digest and queue its email: the digest rows first (only the ones no other
    run wrote meanwhile go on), then their deliveries (``core.bulk.insert_new``: copied in on
    PostgreSQL), in one transaction (a fixed number of statements)."""
    with transaction.atomic():
        Digest.objects.bulk_create(
            [
                Digest(
                    recipient=one.family.user,
                    period=DigestPeriod.WEEKLY,
                    starts=one.family.starts,
                    created_at=now,
                    children=one.children,
                    outcome=one.outcome,
                )
                for one in composed
            ],
            ignore_conflicts=True,
        )
        won = {
            (recipient_id, starts): pk
            for pk, recipient_id, starts in Digest.objects.filter(
                recipient_id__in=[one.family.user.pk for one in composed],
                period=DigestPeriod.WEEKLY,
                created_at=now,
            ).values_list("pk", "recipient_id", "starts")
        }
        mine = [one for one in composed if (one.family.user.pk, one.family.starts) in won]
        deliveries = [one.delivery for one in mine if one.delivery is not None]
        if not deliveries:
            return
        keys = bulk.insert_new(deliveries, key="key")
        bulk.update_rows(
            Digest,
            ["delivery_id"],
            [
                (won[(one.family.user.pk, one.family.starts)], keys[one.delivery.key])
                for one in mine
                if one.delivery is not None and one.delivery.key in keys
            ],
        )
        carried = [
            note.pk for one in mine if one.delivery is not None for note in one.family.notifications
        ]
        if carried:
            Notification.objects.filter(pk__in=carried, digested_at__isnull=True).update(
                digested_at=now
            )


# --- previews ------------------------------------------------------------------------------------


def previews(
    users: Sequence[User],
    *,
    now: dt.datetime | None = None,
    classes: Mapping[int, frozenset[int]] | None = None,
) -> list[Composed]:
    """What these guardians' next digests will say, composed now and written nowhere (one
    batch: a fixed number of queries). With ``classes``, only those children and, of each,
    only those classes (what a teacher or a class's report may show), and never the
    guardians' own notifications. Guardians with no child it would cover are left out."""
    now = now or timezone.now()
    found = families([user.pk for user in users], now=now, users=users)
    if classes is None:
        _read_choices(found)
    else:
        for family in found:
            family.links = [link for link in family.links if link.child.id in classes]
    found = [family for family in found if family.emailed_links]
    batch = _batch(found, now=now, classes=classes)
    return [compose_family(family, batch, now=now, preview=True) for family in found]


def preview(
    user: User,
    *,
    now: dt.datetime | None = None,
    classes: Mapping[int, frozenset[int]] | None = None,
) -> Composed | None:
    """What ``user``'s next digest will say (see :func:`previews`), or ``None``."""
    found = previews([user], now=now, classes=classes)
    return found[0] if found else None
