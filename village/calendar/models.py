"""Calendar feeds guardians subscribe to from a phone.

A feed's address carries a secret token; Village keeps only a keyed digest of it (an HMAC with
the site's secret key), so a copy of the database does not reveal working addresses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from village.core.models import TimeStampedModel

#: Tells the feed digests apart from every other HMAC made with the same secret key.
#: It names the model's first home (``village.families``) on purpose: the salt is part of every
#: stored digest, so changing it would stop every subscribed address. Never change it.
FEED_DIGEST_SALT = "village.families.CalendarFeed.token"


def feed_digest(token: str, *, secret: str | None = None) -> str:
    """The keyed digest (HMAC-SHA256, hex) under which a feed token is stored."""
    return salted_hmac(FEED_DIGEST_SALT, token, secret=secret, algorithm="sha256").hexdigest()


def feed_digests(token: str) -> list[str]:
    """Digests of ``token`` under the current secret key and each fallback key.

    While a site rotates its secret key (the old one in ``SECRET_KEY_FALLBACKS``), addresses made
    before the rotation keep working.
    """
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [feed_digest(token, secret=key) for key in keys]


class CalendarFeed(TimeStampedModel):
    """A guardian's calendar feed: one child's entries, or the whole family's.

    ``student`` is null for the family feed (every child the owner may see classwork of).
    A guardian has at most one active feed per child and one family feed; revoking sets
    ``revoked_at`` and the address stops working at once. ``last_used_at`` is updated at most
    once an hour, so polling calendar apps do not write on every request.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    digest = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["owner_id", "student_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "student"],
                condition=Q(revoked_at__isnull=True, student__isnull=False),
                name="calendarfeed_one_active_per_child",
            ),
            models.UniqueConstraint(
                fields=["owner"],
                condition=Q(revoked_at__isnull=True, student__isnull=True),
                name="calendarfeed_one_active_family_feed",
            ),
        ]

    def __str__(self) -> str:
        target = f"student {self.student_id}" if self.student_id else "family"
        return f"Calendar feed of {self.owner_id} ({target})"

    @property
    def is_family_feed(self) -> bool:
        return self.student_id is None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
