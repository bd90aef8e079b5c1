"""Personal API tokens: created once (the secret is shown one time), stored as a digest.

Every token expires (its owner picks how soon, from ``LIFETIME_DAYS``) and every token of a user
is revoked when their password changes or is reset: whoever takes over an account by resetting
its password does not inherit the programs that used it, nor does someone who lost access keep it.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.utils import timezone

from village.accounts.models import PersonalToken, User, hash_secret

TOKEN_PREFIX = "vlg_"

#: The lifetimes, in days, a user chooses from when creating a token.
LIFETIME_DAYS = (7, 30, 90, 365)
DEFAULT_LIFETIME_DAYS = 90

#: ``last_used_at`` is written at most this often per token: a busy script costs no extra writes.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


def token_create(
    *, user: User, name: str, days: int = DEFAULT_LIFETIME_DAYS
) -> tuple[PersonalToken, str]:
    """Return the new token and its secret; only the digest is kept.

    ``days`` (one of ``LIFETIME_DAYS``) is how long the token works; ``ValueError`` otherwise.
    """
    if days not in LIFETIME_DAYS:
        raise ValueError(f"A token lives {', '.join(map(str, LIFETIME_DAYS))} days, not {days}.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        user=user,
        name=name.strip()[:80] or "API token",
        prefix=secret[len(TOKEN_PREFIX) :][:8],
        digest=hash_secret(secret),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return token, secret


def token_revoke(*, token: PersonalToken) -> PersonalToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def tokens_active_count(*, user: User) -> int:
    """How many tokens of ``user`` are not revoked yet (expired ones included)."""
    return PersonalToken.objects.filter(user=user, revoked_at__isnull=True).count()


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of ``user`` that is not revoked yet; returns how many were.

    Saving a new password calls this (``village.accounts.passwords``), wherever it is saved.
    """
    now = timezone.now()
    return PersonalToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )


def token_authenticate(secret: str) -> User | None:
    """The active user a usable token belongs to, or ``None``.

    Records when the token was last used, at most once per ``LAST_USED_PRECISION``.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        PersonalToken.objects.select_related("user")
        .filter(digest=hash_secret(secret), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
