"""Which families of a class a week's digest reached: read (confirmed), emailed but never
confirmed, or not reached at all, and why (no email address, the delivery failed, email turned
off, the link does not receive school communications). Three queries whatever the class's size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from village.accounts.models import display_name, short_name
from village.community.models import SchoolClass
from village.notifications.models import DeliveryState, Digest, DigestOutcome, DigestPeriod
from village.notifications.policies import class_families


class Reach(models.TextChoices):
    """What a week's digest did for one family, about one class."""

    CONFIRMED = "confirmed", _("Read it")
    UNCONFIRMED = "unconfirmed", _("Emailed, never confirmed")
    WAITING = "waiting", _("Queued, not sent yet")
    NO_ADDRESS = "no_address", _("No email address")
    FAILED = "failed", _("The email could not be delivered")
    EMAIL_OFF = "email_off", _("Turned the digest's email off")
    NOT_IN_EMAIL = "not_in_email", _("Their emails do not cover this child")
    NOTHING_NEW = "nothing_new", _("Nothing new to tell")
    NOT_YET = "not_yet", _("No digest yet this week")


#: Families the week's digest did not reach.
NOT_REACHED = frozenset({Reach.NO_ADDRESS, Reach.FAILED, Reach.EMAIL_OFF, Reach.NOT_IN_EMAIL})
#: ... of whom these may have a printed copy (not those who receive no school communications).
PRINTABLE = frozenset({Reach.NO_ADDRESS, Reach.FAILED, Reach.EMAIL_OFF})


@dataclass
class FamilyReach:
    """One guardian of the class's students, and what the week's digest did for them."""

    guardian_id: int
    name: str
    children: list[tuple[int, str]] = field(default_factory=list)
    reach: Reach = Reach.NOT_YET
    confirmed_at: dt.datetime | None = None
    sent_at: dt.datetime | None = None

    @property
    def not_reached(self) -> bool:
        return self.reach in NOT_REACHED

    @property
    def printable(self) -> bool:
        return self.reach in PRINTABLE


def _reach(digest: Digest | None, state: str | None, children: list[int]) -> Reach:
    if digest is None:
        return Reach.NOT_YET
    if digest.outcome == DigestOutcome.EMAILED:
        if not set(children) & set(digest.children):
            return Reach.NOT_IN_EMAIL
        if state in (DeliveryState.FAILED, DeliveryState.CANCELLED):
            return Reach.FAILED
        if digest.confirmed_at is not None:
            return Reach.CONFIRMED
        return Reach.WAITING if state == DeliveryState.QUEUED else Reach.UNCONFIRMED
    return {
        DigestOutcome.NO_ADDRESS: Reach.NO_ADDRESS,
        DigestOutcome.EMAIL_OFF: Reach.EMAIL_OFF,
        DigestOutcome.NO_COMMUNICATIONS: Reach.NOT_IN_EMAIL,
        DigestOutcome.NOTHING_NEW: Reach.NOTHING_NEW,
    }[DigestOutcome(digest.outcome)]


def class_reach(school_class: SchoolClass, week: dt.date) -> list[FamilyReach]:
    """Each family of the class's current students with the week's digest (``week``: its
    Monday), by guardian name (three queries)."""
    links = class_families(school_class).values_list(
        "guardian_id",
        "guardian__username",
        "guardian__first_name",
        "guardian__preferred_name",
        "guardian__last_name",
        "student_id",
        "student__username",
        "student__first_name",
        "student__preferred_name",
        "receives_communications",
    )
    found: dict[int, FamilyReach] = {}
    emailed_children: dict[int, list[int]] = defaultdict(list)
    for row in links:
        guardian_id, username, first, preferred, last = row[:5]
        family = found.get(guardian_id)
        if family is None:
            name = display_name(
                username=username, first_name=first, preferred_name=preferred, last_name=last
            )
            family = found[guardian_id] = FamilyReach(guardian_id, name)
        student_id, s_username, s_first, s_preferred, communications = row[5:]
        child = short_name(username=s_username, first_name=s_first, preferred_name=s_preferred)
        family.children.append((student_id, child))
        if communications:
            emailed_children[guardian_id].append(student_id)
    if not found:
        return []
    digests = Digest.objects.filter(
        recipient_id__in=list(found), period=DigestPeriod.WEEKLY, starts=week
    ).select_related("delivery")
    by_guardian = {one.recipient_id: one for one in digests}
    for guardian_id, family in found.items():
        digest = by_guardian.get(guardian_id)
        state = digest.delivery.state if digest and digest.delivery else None
        family.reach = _reach(digest, state, emailed_children.get(guardian_id, []))
        family.confirmed_at = digest.confirmed_at if digest else None
        family.sent_at = digest.delivery.sent_at if digest and digest.delivery else None
        family.children.sort(key=lambda child: child[1])
    return sorted(found.values(), key=lambda family: (family.name, family.guardian_id))
