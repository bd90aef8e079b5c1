"""Personal API tokens: created once (the secret is shown one time), stored as a digest."""

from __future__ import annotations

import secrets

from django.utils import timezone

from village.accounts.models import PersonalToken, User, hash_secret

TOKEN_PREFIX = "vlg_"


def token_create(*, user: User, name: str) -> tuple[PersonalToken, str]:
    """Return the new token and its secret; only the digest is kept."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalToken.objects.create(
        user=user,
        name=name.strip()[:80] or "API token",
        prefix=secret[len(TOKEN_PREFIX) :][:8],
        digest=hash_secret(secret),
    )
    return token, secret


def token_revoke(*, token: PersonalToken) -> PersonalToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def token_authenticate(secret: str) -> User | None:
    """The active user a usable token belongs to, or ``None``."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        PersonalToken.objects.select_related("user")
        .filter(digest=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        PersonalToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
