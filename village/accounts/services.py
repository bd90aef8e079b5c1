"""Writes to accounts: invitations, profiles, and clearing a lockout after a password reset.

Every function is keyword-only and atomic; email leaves only after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.core.files import locks
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from village.accounts.languages import language_code, validate_timezone
from village.accounts.models import Invitation, PersonalToken, User, hash_secret
from village.core.mail import send_email


class InvitationState(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    EXPIRED = "expired", gettext_lazy("Expired")
    USED = "used", gettext_lazy("Accepted")
    REVOKED = "revoked", gettext_lazy("Replaced or withdrawn")


class InvitationNotFoundError(Exception):
    """No invitation has this secret."""


class InvitationUnavailableError(Exception):
    """The invitation exists but can no longer be used."""

    def __init__(self, state: InvitationState) -> None:
        super().__init__(state)
        self.state = state


def invitation_state(invitation: Invitation) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.USED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def invitation_get_open(*, secret: str, for_update: bool = False) -> Invitation:
    """The open invitation with this secret; raises ``InvitationNotFoundError`` or
    ``InvitationUnavailableError`` (with the reason) otherwise."""
    invitations = Invitation.objects.select_related("user", "created_by")
    if for_update:
        invitations = invitations.select_for_update(of=("self",))
    invitation = invitations.filter(digest=hash_secret(secret)).first()
    if invitation is None:
        raise InvitationNotFoundError
    state = invitation_state(invitation)
    if state != InvitationState.OPEN:
        raise InvitationUnavailableError(state)
    return invitation


def free_username(wanted: str) -> str:
    """``wanted`` (trimmed, in lower case) when no account has it as its username or its email
    (an account named after someone else's address would stand in their way when they sign in
    with it), else with the first free number: ``ito-2``, ``ito-3``... (at most 140 characters
    before the number). Usernames stay unique."""
    base = wanted.strip().lower()[:140]
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    if User.objects.filter(email__iexact=base).exists():
        taken.add(base)
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _check_invitable(user: User) -> None:
    if not user.email:
        raise ValidationError(
            {
                "email": _("%(name)s has no email address to send an invitation to.")
                % {"name": user.display_name}
            }
        )
    if not user.is_active:
        raise ValidationError(
            {"is_active": _("%(name)s's account is not active.") % {"name": user.display_name}}
        )
    if user.has_usable_password():
        raise ValidationError(
            {
                "password": _(
                    "%(name)s already has a password; they can reset it from the sign-in page."
                )
                % {"name": user.display_name}
            }
        )


@transaction.atomic
def invitation_send(*, user: User, invited_by: User | None, base_url: str) -> Invitation:
    """Invite ``user`` (an account without a usable password) to choose a password.

    Earlier open invitations of the user stop working. ``base_url`` is the scheme and host the
    link starts with, e.g. ``https://village.example.org``. Raises ``ValidationError`` naming
    the field when the user has no email, is inactive, or already has a password.
    """
    _check_invitable(user)
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now
    )
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        created_by=invited_by,
        digest=hash_secret(secret),
        expires_at=now + dt.timedelta(days=settings.VILLAGE_INVITATION_DAYS),
    )
    link = base_url.rstrip("/") + reverse("accounts:invitation_accept", args=[secret])
    context = {"user": user, "invitation": invitation, "invited_by": invited_by, "link": link}
    transaction.on_commit(
        lambda: send_email(
            template="accounts/email/invitation",
            context=context,
            to=[user.email],
            language=user.ui_language,
            time_zone=user.timezone,
        )
    )
    return invitation


@transaction.atomic
def invitation_accept(*, secret: str, password: str) -> User:
    """Set the invited user's password and use up the invitation.

    Raises ``InvitationNotFoundError`` / ``InvitationUnavailableError`` for a link that does not
    work, and ``ValidationError`` on ``password`` when a password validator refuses it; in every
    case nothing changes.
    """
    invitation = invitation_get_open(secret=secret, for_update=True)
    user = invitation.user
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    return user


@dataclass(frozen=True)
class ProfileData:
    preferred_name: str
    pronouns: str
    preferred_language: str
    timezone: str
    phone: str


def _checked_language(data: ProfileData) -> str:
    """The profile's language in its usual spelling; checks the time zone too."""
    try:
        validate_timezone(data.timezone)
    except ValidationError as error:
        raise ValidationError({"timezone": error.error_list}) from error
    try:
        return language_code(data.preferred_language)
    except ValidationError as error:
        raise ValidationError({"preferred_language": error.error_list}) from error


@transaction.atomic
def profile_update(*, user: User, data: ProfileData) -> User:
    """Save what a user may change about themself; raises ``ValidationError`` naming the field."""
    language = _checked_language(data)
    user.preferred_name = data.preferred_name
    user.pronouns = data.pronouns
    user.preferred_language = language
    user.timezone = data.timezone
    user.phone = data.phone
    user.save(
        update_fields=["preferred_name", "pronouns", "preferred_language", "timezone", "phone"]
    )
    return user


PASSWORD_RESET_WINDOW = 60 * 60  # seconds


def count_in_window(key: str, *, window: int = PASSWORD_RESET_WINDOW) -> int:
    """Count one more request under ``key`` in the current window of ``window`` seconds (windows
    follow the clock: 12:00 to 13:00, and so on); the new count.

    The window is part of the counter's name, so a counter is never carried into the next window
    however the cache treats its expiry (the file cache saves an incremented value again with
    its default timeout). ``add`` then ``incr`` is atomic on Redis, where several hosts count;
    other caches read and write the value, so there the processes of the host take turns.
    """
    counters = caches["throttle"]
    current = f"{key}:{int(time.time() // window)}"
    lifetime = window + 60  # outlives its window whenever within it the counter was made
    if isinstance(counters, RedisCache):
        return _incremented(counters, current, lifetime)
    with open(settings.VAR_DIR / "throttle.lock", "ab") as turn:
        locks.lock(turn, locks.LOCK_EX)
        try:
            return _incremented(counters, current, lifetime)
        finally:
            locks.unlock(turn)


def _incremented(counters: BaseCache, key: str, lifetime: int) -> int:
    counters.add(key, 0, timeout=lifetime)
    try:
        return counters.incr(key)
    except ValueError:  # evicted between the two calls: count from here
        counters.add(key, 1, timeout=lifetime)
        return 1


def password_reset_allowed(*, email: str, client_address: str | None) -> bool:
    """May one more password-reset email go out for ``email``, asked from ``client_address``?

    Every request counts, whether or not an account has the address, so the answer reveals
    nothing; the caller shows the same page either way and only sends nothing beyond the limit.
    """
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_email = count_in_window(f"password-reset:email:{digest}")
    by_client = count_in_window(f"password-reset:client:{client_address or 'unknown'}")
    return (
        by_email <= settings.VILLAGE_PASSWORD_RESET_PER_EMAIL
        and by_client <= settings.VILLAGE_PASSWORD_RESET_PER_CLIENT
    )


def login_failures_clear(*, user: User) -> None:
    """Whoever proved they own the account (by resetting its password) may sign in again."""
    axes_reset(username=user.username)


class TokenStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Active")
    EXPIRED = "expired", gettext_lazy("Expired")
    REVOKED = "revoked", gettext_lazy("Revoked")


def token_status(token: PersonalToken) -> TokenStatus:
    if token.revoked_at is not None:
        return TokenStatus.REVOKED
    if not token.is_usable:
        return TokenStatus.EXPIRED
    return TokenStatus.ACTIVE
