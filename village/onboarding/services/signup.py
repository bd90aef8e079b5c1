"""New guardian accounts made with a pairing code, confirmed by an emailed link; the answer never
tells whether an address already has an account.

Until its address is confirmed, a new account is a placeholder: it cannot sign in, holds a
throwaway username (never the address, so nobody can take an address's username by signing up
with it), and nobody hears of its link. Confirming needs both the emailed link and the password
chosen at sign-up, so only the person who signed up *and* reads the mailbox can activate it; only
then does the account take its address as username and are the child's guardians and the
school told."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.accounts.services import count_in_window, free_username
from village.community.models import (
    GuardianLink,
)
from village.core.mail import send_email
from village.onboarding.models import FamilySignup, PairingCode
from village.onboarding.services.codes import (
    _open_code_for_update,
    _with_claimed_attempt,
    code_route,
)
from village.onboarding.services.links import _link, tell_about_new_guardian

#: How many "someone tried to sign up with your address" emails one address gets per hour.
EXISTING_ACCOUNT_EMAILS_PER_HOUR = 1
#: The start of the throwaway username of an account whose address is not confirmed yet.
PENDING_USERNAME_PREFIX = "pending-"
#: Web and email addresses, and markup: a name is read in emails to guardians and school admins,
#: where anything that looks like a link could be followed.
_NOT_A_NAME = re.compile(r"[/\\@<>]|://|www\.|\.[^\W\d_]{2,}", re.IGNORECASE)

# --- new guardian accounts -------------------------------------------------------------------


@dataclass(frozen=True)
class SignupData:
    first_name: str
    last_name: str
    email: str
    password: str
    language: str


def _pending_username() -> str:
    return f"{PENDING_USERNAME_PREFIX}{secrets.token_hex(12)}"


def _checked_names(data: SignupData) -> None:
    errors = {
        field: _("A name cannot contain a web address, an email address or the signs / @ < >.")
        for field in ("first_name", "last_name")
        if _NOT_A_NAME.search(getattr(data, field))
    }
    if errors:
        raise ValidationError(errors)


def _active_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def _checked_guardian(data: SignupData, *, confirmed: bool) -> User:
    """The new account, unsaved, checked: names without links, known language, password accepted
    by the validators. Raises ``ValidationError`` naming the field. Whether the email is taken is
    not checked here: a sign-up must not tell anyone that.

    An account whose address is not ``confirmed`` yet gets a throwaway username."""
    email = data.email.strip()
    _checked_names(data)
    if data.language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Choose a language from the list.")})
    user = User(
        username=free_username(email) if confirmed else _pending_username(),
        email=email,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        preferred_language=data.language,
    )
    try:
        password_validation.validate_password(data.password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from error
    user.set_password(data.password)
    return user


def _unsaved_guardian(data: SignupData) -> User:
    """``_checked_guardian`` for an invited address, where taken emails are refused by name (the
    invitation's holder already knows the address)."""
    if _active_account(data.email) is not None:
        raise ValidationError(
            {"email": _("An account with this email address exists. Sign in with it instead.")}
        )
    return _checked_guardian(data, confirmed=True)


class _SignupConfirmationTokens(PasswordResetTokenGenerator):
    """Tokens for confirming a new family account's address: their own key, so a confirmation
    token is no password-reset token, and spent once the account is active."""

    key_salt = "village.onboarding.signup_confirmation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


signup_confirmation_tokens = _SignupConfirmationTokens()


class EmailTakenError(Exception):
    """An active account has the address a sign-up gave; nothing was created."""

    def __init__(self, account: User) -> None:
        super().__init__(account.pk)
        self.account = account


def _confirmation_link(user: User, base_url: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = signup_confirmation_tokens.make_token(user)
    return base_url.rstrip("/") + reverse("onboarding:signup_confirm", args=[uidb64, token])


def _spend(code: PairingCode, user: User | None) -> None:
    code.redeemed_at = timezone.now()
    code.redeemed_by = user
    code.save(update_fields=["redeemed_at", "redeemed_by", "updated_at"])


@transaction.atomic
def _signup_with_code(*, user: User, raw_code: str, base_url: str) -> GuardianLink | User:
    """The new (inactive) account's link, or the active account that already has the address.
    Either way the code is spent: whether an address has an account must not show in the
    code's state."""
    code = _open_code_for_update(raw_code)
    existing = _active_account(user.email)
    if existing is not None:
        _spend(code, None)
        return existing
    user.is_active = False  # until the address is confirmed
    user.save()
    link = _link(guardian=user, student=code.student, route=code_route(code), tell=False)
    _spend(code, user)
    FamilySignup.objects.create(user=user, link=link, code=code)
    context = {"user": user, "link": _confirmation_link(user, base_url)}
    transaction.on_commit(
        lambda: send_email(
            template="onboarding/email/signup_confirm",
            context=context,
            to=[user.email],
            language=user.ui_language,
            time_zone=user.timezone,
        )
    )
    return link


def _tell_existing_account(account: User, base_url: str) -> None:
    """Email the account's owner that someone signed up with their address, at most
    ``EXISTING_ACCOUNT_EMAILS_PER_HOUR`` times an hour, however many codes or clients try."""
    digest = hashlib.sha256(account.email.strip().lower().encode()).hexdigest()
    if count_in_window(f"signup-existing:email:{digest}") > EXISTING_ACCOUNT_EMAILS_PER_HOUR:
        return
    send_email(
        template="onboarding/email/signup_existing",
        context={"user": account, "link": base_url.rstrip("/") + reverse("onboarding:redeem")},
        to=[account.email],
        language=account.ui_language,
        time_zone=account.timezone,
    )


def guardian_signup(
    *, data: SignupData, raw_code: str, ip_address: str | None, base_url: str
) -> GuardianLink | None:
    """Create a guardian account, link it with a pairing code, and email a link that confirms
    the address and activates the account (until then nobody can sign in with it, and nobody is
    told of the link).

    The limit is checked first (``TooManyAttemptsError``, before any work such as hashing the
    password), then the fields (``ValidationError`` naming names, language or password; not
    counted), then the code (``CodeRefusedError``, counted); and then nothing is created. When an
    active account already has the address, nothing is created and the answer is ``None``, but
    the code is spent and the attempt counts exactly as a new address's would: nobody can tell
    the two apart. That account is emailed (sign in instead and ask for a new code), at most
    once an hour.
    """
    result = _with_claimed_attempt(
        lambda: _signup_with_code(
            user=_checked_guardian(data, confirmed=False), raw_code=raw_code, base_url=base_url
        ),
        user_id=None,
        ip_address=ip_address,
    )
    if isinstance(result, User):
        _tell_existing_account(result, base_url)
        return None
    return result


class ConfirmationInvalidError(Exception):
    """The confirmation link is unknown, used or expired."""


def _confirmed_username(user: User) -> str:
    """The address as username, unless another account took it meanwhile."""
    email = user.email.strip().lower()
    if not User.objects.filter(username__iexact=email).exclude(pk=user.pk).exists():
        return email
    return free_username(email)


def guardian_signup_pending(*, uidb64: str, token: str, for_update: bool = False) -> User:
    """The account a confirmation link was made for, still waiting for it; raises
    ``ConfirmationInvalidError``. Changes nothing."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, OverflowError):
        raise ConfirmationInvalidError from None
    users = User.objects.select_for_update() if for_update else User.objects.all()
    user = users.filter(pk=user_id, is_active=False).first()
    if user is None or not signup_confirmation_tokens.check_token(user, token):
        raise ConfirmationInvalidError
    return user


@transaction.atomic
def guardian_signup_confirm(*, uidb64: str, token: str, password: str) -> User:
    """Activate the account a confirmation link was made for, given the password chosen at
    sign-up: whoever reads the mailbox but did not sign up cannot take over an account someone
    else made with their address. The account takes its address as username (when still free),
    and the child's guardians and the school now hear of the new link.

    Raises ``ConfirmationInvalidError`` (unknown, used or expired link) or ``ValidationError``
    (naming ``password``, or because another account with the address was confirmed
    meanwhile: two accounts must not share an address); then nothing changes. The caller signs
    the person in, which ends the link."""
    user = guardian_signup_pending(uidb64=uidb64, token=token, for_update=True)
    if not user.check_password(password):
        raise ValidationError(
            {"password": _("This is not the password chosen when the account was created.")}
        )
    if User.objects.filter(email__iexact=user.email, is_active=True).exists():
        raise ValidationError(
            _(
                "This address already has an account in Village. Sign in with it, then enter "
                "a pairing code."
            )
        )
    user.is_active = True
    user.username = _confirmed_username(user)
    user.save(update_fields=["is_active", "username"])
    FamilySignup.objects.filter(user=user, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    for link in GuardianLink.objects.filter(guardian=user).select_related("student"):
        code = (
            PairingCode.objects.select_related("student", "created_by")
            .filter(redeemed_by=user, student=link.student)
            .first()
        )
        if code is not None:
            tell_about_new_guardian(link=link, route=code_route(code))
    return user
