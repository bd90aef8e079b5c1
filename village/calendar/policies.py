"""Who may manage and read calendar feeds. Built on the community access policy.

- Guardians (a current guardian role) manage their own feeds, and nobody else's: anyone else,
  and any feed not theirs, is a 404.
- A guardian makes a child's feed only for a child whose link allows classwork.
- A feed's address is its own credential (calendar apps cannot sign in). It stops working
  (404) once revoked, when its owner's account is inactive or no longer a guardian's, and, for
  a child's feed, when the
  owner no longer sees that child at all (link ended, pending, ``no_access``). A child's feed
  whose link merely lost the classwork area still answers, with no entries, so the
  subscription comes back to life if the school restores the area.
"""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.http import Http404

from village.accounts.models import User
from village.calendar.models import CalendarFeed, feed_digests
from village.community.models import GuardianLink, Role, Scope
from village.community.policies import (
    AnyUser,
    children_links,
    guardian_children_ids,
    roles_of,
)
from village.core.policies import one_or_404

#: What ``secrets.token_urlsafe(32)`` makes: 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def may_manage_calendar_feeds(user: AnyUser) -> bool:
    return user.is_authenticated and roles_of(user).has(Role.GUARDIAN)


def guardian_or_404(user: AnyUser) -> User:
    """The signed-in guardian, or ``Http404`` for anyone else."""
    if not isinstance(user, User) or not may_manage_calendar_feeds(user):
        raise Http404("No such page.")
    return user


def calendar_links(user: AnyUser) -> QuerySet[GuardianLink]:
    """The guardian's usable links, with their children, in the order the page lists them."""
    return (
        children_links(user)
        .select_related("student")
        .order_by("student__first_name", "student__last_name", "student_id")
    )


def child_for_calendar(user: AnyUser, student_id: int) -> User:
    """A child whose classwork ``user`` may see (so may have a feed), or ``Http404``."""
    return one_or_404(
        (
            User.objects.filter(pk__in=guardian_children_ids(user, scope=Scope.CLASSWORK)).filter(
                pk=student_id
            )
        ),
        "No such child.",
    )


def visible_feed_children(feed: CalendarFeed) -> QuerySet[User]:
    """The children ``feed`` shows: its owner's children whose link allows classwork (only its
    child, for a child's feed)."""
    children = User.objects.filter(pk__in=guardian_children_ids(feed.owner, scope=Scope.CLASSWORK))
    if feed.student_id is not None:
        children = children.filter(pk=feed.student_id)
    return children


def own_active_feeds(user: AnyUser) -> QuerySet[CalendarFeed]:
    """The guardian's active feeds (none for anyone else)."""
    if not may_manage_calendar_feeds(user):
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(owner_id=user.pk, revoked_at__isnull=True)


def feed_for_owner(user: AnyUser, feed_id: int) -> CalendarFeed:
    """One of ``user``'s active feeds, or ``Http404``."""
    guardian = guardian_or_404(user)
    return one_or_404(
        (
            CalendarFeed.objects.select_related("student").filter(
                pk=feed_id, owner=guardian, revoked_at__isnull=True
            )
        ),
        "No such calendar.",
    )


def feed_for_token(token: str) -> CalendarFeed:
    """The usable feed whose address carries ``token``, or ``Http404`` (see the module notes)."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise Http404("No such calendar.")
    feed = (
        CalendarFeed.objects.select_related("owner", "student")
        .filter(digest__in=feed_digests(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.owner.is_active or not may_manage_calendar_feeds(feed.owner):
        raise Http404("No such calendar.")
    if feed.student_id is not None and not (
        guardian_children_ids(feed.owner).filter(student_id=feed.student_id).exists()
    ):
        raise Http404("No such calendar.")
    return feed
