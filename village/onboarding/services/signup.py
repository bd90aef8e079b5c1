"""New guardian accounts made with a pairing code, confirmed by an emailed link; the answer never
tells whether an address already has an account."""

from __future__ import annotations

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

from village.accounts.emails import send_to_user
from village.accounts.models import User
from village.community.models import (
    GuardianLink,
)
from village.onboarding.models import FamilySignup
from village.onboarding.services.codes import (
    CodeRefusedError,
    _open_code_for_update,
    _with_claimed_attempt,
)
from village.onboarding.services.links import _link

# --- new guardian accounts -------------------------------------------------------------------


@dataclass(frozen=True)
class SignupData:
    first_name: str
    last_name: str
    email: str
    password: str
    language: str


def _free_username(email: str) -> str:
    base = email.strip().lower()[:140]
    candidate, number = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _active_account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def _checked_guardian(data: SignupData) -> User:
    """The new account, unsaved, checked: known language, password accepted by the validators.
    Raises ``ValidationError`` naming the field. Whether the email is taken is not checked here:
    a sign-up must not tell anyone that."""
    email = data.email.strip()
    if data.language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Choose a language from the list.")})
    user = User(
        username=_free_username(email),
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
    return _checked_guardian(data)


class _SignupConfirmationTokens(PasswordResetTokenGenerator):
    """Tokens for confirming a new family account's address: their own key, so a confirmation
    token is no password-reset token, and spent once the account is active."""

    key_salt = "village.onboarding.signup_confirmation"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


signup_confirmation_tokens = _SignupConfirmationTokens()


class EmailTakenError(Exception):
    """An active account has the address a sign-up gave; nothing was created or redeemed."""

    def __init__(self, account: User) -> None:
        super().__init__(account.pk)
        self.account = account


def _confirmation_link(user: User, base_url: str) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = signup_confirmation_tokens.make_token(user)
    return base_url.rstrip("/") + reverse("onboarding:signup_confirm", args=[uidb64, token])


@transaction.atomic
def _signup_with_code(*, user: User, raw_code: str, base_url: str) -> GuardianLink:
    code = _open_code_for_update(raw_code)
    existing = _active_account(user.email)
    if existing is not None:
        raise EmailTakenError(existing)
    user.is_active = False  # until the address is confirmed
    user.save()
    link = _link(guardian=user, student=code.student, route=code.route)
    code.redeemed_at = timezone.now()
    code.redeemed_by = user
    code.save(update_fields=["redeemed_at", "redeemed_by", "updated_at"])
    FamilySignup.objects.create(user=user, link=link, code=code)
    context = {"link": _confirmation_link(user, base_url)}
    transaction.on_commit(
        lambda: send_to_user(
            user=user, template_prefix="onboarding/email/signup_confirm", context=context
        )
    )
    return link


def _tell_existing_account(account: User, base_url: str) -> None:
    context = {"link": base_url.rstrip("/") + reverse("onboarding:redeem")}
    send_to_user(user=account, template_prefix="onboarding/email/signup_existing", context=context)


def guardian_signup(
    *, data: SignupData, raw_code: str, ip_address: str | None, base_url: str
) -> GuardianLink | None:
    """Create a guardian account, link it with a pairing code, and email a link that confirms
    the address and activates the account (until then nobody can sign in with it).

    The code is checked first: ``TooManyAttemptsError``, ``ValidationError`` naming the field
    (language, password) or ``CodeRefusedError``, and then nothing is created. When an active
    account already has the address, nothing is created or redeemed either: that account is
    emailed (sign in instead and enter the code) and the answer is ``None``. The attempt then
    counts toward the limit, so nobody can email an address again and again.
    """
    user = _checked_guardian(data)
    try:
        return _with_claimed_attempt(
            lambda: _signup_with_code(user=user, raw_code=raw_code, base_url=base_url),
            user_id=None,
            ip_address=ip_address,
            counted=(CodeRefusedError, EmailTakenError),
        )
    except EmailTakenError as taken:
        _tell_existing_account(taken.account, base_url)
        return None


class ConfirmationInvalidError(Exception):
    """The confirmation link is unknown, used or expired."""


@transaction.atomic
def guardian_signup_confirm(*, uidb64: str, token: str) -> User:
    """Activate the account a confirmation link was made for and record that its address is
    confirmed; raises ``ConfirmationInvalidError``. The caller signs the person in, which ends
    the link."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, OverflowError):
        raise ConfirmationInvalidError from None
    user = User.objects.select_for_update().filter(pk=user_id, is_active=False).first()
    if user is None or not signup_confirmation_tokens.check_token(user, token):
        raise ConfirmationInvalidError
    user.is_active = True
    user.save(update_fields=["is_active"])
    FamilySignup.objects.filter(user=user, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )
    return user
