"""Messaging's section of the weekly family digest: the conversations with messages the guardian
has not read, each with its subject (in the guardian's language where translated), who wrote
last and how many are unread, and a link to the inbox.

Read once for the whole batch of guardians (``DigestBatch.once``): the guardians' places in
conversations about the batch's children, with their unread counts (one query), and the
subjects' translations (one query)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from village.community.models import Scope
from village.messaging.models import Participant, ParticipantRole
from village.messaging.selectors import by_others_unread
from village.messaging.texts import subject_text
from village.notifications import registry
from village.notifications.registry import DigestBatch, DigestRequest, DigestSection
from village.notifications.services.notify import site_link
from village.translation import languages
from village.translation.selectors import lookup_schools
from village.translation.texts import Shown

#: Conversations listed at most; the inbox has the rest.
SHOWN = 5


@dataclass(frozen=True)
class UnreadConversation:
    subject: Shown
    unread: int
    link: str


def _read(batch: DigestBatch) -> dict[int, list[tuple[Participant, int]]]:
    """Each guardian's places with unread messages in conversations about the batch's children
    (whose links allow messages), newest first."""
    children = batch.student_ids(Scope.MESSAGES)
    if not children:
        return {}
    unread = (
        by_others_unread(OuterRef("user_id"))
        .values("conversation_id")
        .annotate(count=Count("id"))
        .values("count")
    )
    places = (
        Participant.objects.filter(
            role=ParticipantRole.GUARDIAN,
            removed_at__isnull=True,
            conversation__student_id__in=children,
        )
        .select_related("conversation__student")
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .filter(unread__gt=0)
        .order_by("-conversation__last_message_at")
    )
    found: dict[int, list[tuple[Participant, int]]] = defaultdict(list)
    for place in places:
        found[place.user_id].append((place, place.unread))
    return found


def digest_section(asked: DigestRequest) -> DigestSection | None:
    batch = asked.shared()
    places = batch.once("messaging.digest", lambda: _read(batch)).get(asked.user.pk, [])
    allowed = {child.id for child in asked.children}
    mine = [(place, count) for place, count in places if place.conversation.student_id in allowed]
    if not mine:
        return None
    target = languages.key(asked.user.preferred_language)
    wanted: dict[int, list] = defaultdict(list)
    for place, _count in mine:
        wanted[place.conversation.school_id].append(subject_text(place.conversation))
    found = lookup_schools(wanted, target=target)
    inbox = site_link(reverse("messaging:inbox"))
    rows = [
        UnreadConversation(
            subject=found[(place.conversation.school_id, subject_text(place.conversation))],
            unread=count,
            link=site_link(reverse("messaging:conversation", args=[place.conversation_id])),
        )
        for place, count in mine[:SHOWN]
    ]
    return DigestSection(
        html_template="messaging/digest/section.html",
        text_template="messaging/digest/section.txt",
        context={"conversations": rows, "more": max(len(mine) - SHOWN, 0), "inbox": inbox},
        news=True,
    )


def register() -> None:
    registry.register_digest_section(Scope.MESSAGES, "messaging.digest", digest_section, order=5)
