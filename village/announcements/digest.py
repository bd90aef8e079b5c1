"""Announcements' section of the weekly family email ("Announcements this week"): those sent
since the guardian's last digest that they have not opened yet, through the children whose
links receive school communications.

Read once for the whole batch of guardians (``DigestBatch.once``): one query for the receipts,
one per language the batch's guardians read for the translations; each guardian's part is
written from pieces rendered once per language (``village.core.slots``).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator

from village.announcements.models import Announcement, Recipient, RecipientRole
from village.announcements.services.sending import notification_subject
from village.announcements.texts import body_text, title_text
from village.community.models import Scope
from village.core.slots import Slots
from village.notifications import registry
from village.notifications.registry import DigestBatch, DigestRequest, DigestSection
from village.notifications.services.notify import site_link
from village.translation.selectors import lookup_schools
from village.translation.texts import Shown, Text

#: Announcements the email lists at most; the rest wait in Village.
SHOWN = 5
EXCERPT_WORDS = 40
HTML = "announcements/digest/pieces.html"
TEXT = "announcements/digest/pieces.txt"
_ID = "1111111111"


def register() -> None:
    registry.register_digest_section(
        Scope.CLASSWORK, "announcements.digest", digest_section, order=5
    )


@dataclass(frozen=True, slots=True)
class Unread:
    """An announcement a guardian has not opened, through one child."""

    child_id: int | None
    announcement: Announcement

    @property
    def announcement_id(self) -> int:
        return self.announcement.pk


def read_batch(batch: DigestBatch) -> dict[int, list[Unread]]:
    """The batch's guardians' unopened announcements of the period, by guardian (two queries:
    the receipts, then each announcement once, however many guardians it reached)."""
    rows = (
        Recipient.objects.filter(
            role=RecipientRole.GUARDIAN,
            child_id__in=batch.student_ids(Scope.CLASSWORK),
            read_at__isnull=True,
            announcement__sent_at__gt=batch.since,
            announcement__sent_at__lte=batch.now,
            announcement__cancelled_at__isnull=True,
        )
        .order_by("-announcement__sent_at", "-announcement_id")
        .values_list("user_id", "child_id", "announcement_id")
    )
    receipts = list(rows)
    announcements = Announcement.objects.select_related("author", "organisation").in_bulk(
        {announcement_id for _user, _child, announcement_id in receipts}
    )
    found: dict[int, list[Unread]] = defaultdict(list)
    for user_id, child_id, announcement_id in receipts:
        found[user_id].append(Unread(child_id, announcements[announcement_id]))
    return found


def _translations(found: dict[int, list[Unread]], reads: str) -> dict[tuple[int, Text], Shown]:
    """Every title and body of the batch's announcements for readers of ``reads`` (one
    query)."""
    wanted: dict[int, list[Text]] = defaultdict(list)
    seen: set[int] = set()
    for rows in found.values():
        for row in rows:
            announcement = row.announcement
            if announcement.pk in seen:  # one announcement reaches thousands of guardians
                continue
            seen.add(announcement.pk)
            wanted[announcement.organisation_id] += [
                title_text(announcement),
                body_text(announcement),
            ]
    return lookup_schools(wanted, target=reads)


class Pieces:
    """The section's pieces in the active language, each rendered once."""

    SLOTS = ("link", "title", "lang", "meta", "excerpt", "excerpt_lang")

    def __init__(self) -> None:
        self.html = {
            piece: Slots(HTML, {"piece": piece}, self.SLOTS) for piece in ("start", "item", "end")
        }
        self.text = {
            piece: Slots(TEXT, {"piece": piece}, self.SLOTS, autoescape=False)
            for piece in ("start", "item", "end")
        }


@functools.cache
def _link_pattern() -> str:
    return site_link(reverse("announcements:detail", args=[int(_ID)]))


def digest_section(asked: DigestRequest) -> DigestSection | None:
    batch = asked.shared()
    found = batch.once("announcements.digest", lambda: read_batch(batch))
    children = {child.id for child in asked.children}
    mine = [
        row
        for row in found.get(asked.user.pk, [])
        if row.child_id in children
        and row.announcement.sent_at is not None
        and row.announcement.sent_at > asked.since
    ][:SHOWN]
    if not mine:
        return None
    reads = asked.user.preferred_language
    shown = batch.once(f"announcements.digest.texts:{reads}", lambda: _translations(found, reads))
    language = translation.get_language() or settings.LANGUAGE_CODE
    pieces = batch.once(f"announcements.digest.pieces:{language}", Pieces)
    html, text = [], []
    blank = dict.fromkeys(Pieces.SLOTS, "")
    html.append(pieces.html["start"].fill(blank))
    text.append(pieces.text["start"].fill(blank))
    for row in mine:
        announcement = row.announcement
        place = announcement.organisation_id
        title = shown[(place, title_text(announcement))]
        body = shown[(place, body_text(announcement))]
        assert announcement.sent_at is not None
        day = formats.date_format(timezone.localtime(announcement.sent_at), "MONTH_DAY_FORMAT")
        values = {
            "link": _link_pattern().replace(_ID, str(announcement.pk)),
            "title": title.text,
            "lang": title.language,
            "meta": f"{announcement.author.display_name} · {day}",
            "excerpt": Truncator(body.text).words(EXCERPT_WORDS),
            "excerpt_lang": body.language,
        }
        html.append(pieces.html["item"].fill(values))
        text.append(pieces.text["item"].fill(values))
    html.append(pieces.html["end"].fill(blank))
    text.append(pieces.text["end"].fill(blank))
    return DigestSection(
        html="".join(html),
        text="".join(text).strip(),
        news=True,
        covers=frozenset(notification_subject(row.announcement_id) for row in mine),
    )
