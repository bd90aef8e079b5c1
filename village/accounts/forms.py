"""Forms of the account pages: signing in, resetting a password, accepting an invitation,
editing one's profile and naming an API token."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from village.accounts.languages import language_choices, timezone_choices
from village.accounts.models import User
from village.accounts.services import ProfileData
from village.accounts.tokens import DEFAULT_LIFETIME_DAYS, LIFETIME_DAYS
from village.core.mail import send_email
from village.core.text import single_line

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")


MAX_ACCOUNTS_PER_EMAIL = 10  # more accounts sharing one address than any family has


def accounts_for_login(identifier: str) -> list[User]:
    """The accounts someone may mean by ``identifier``: the account with that username (in any
    case), and when it is an email address also the active accounts that use it (a parent and a
    child, say). Empty when none does."""
    identifier = identifier.strip()
    by_username = list(User.objects.filter(username__iexact=identifier)[:2])
    accounts = by_username if len(by_username) == 1 else []
    if "@" in identifier:
        by_email = User.objects.filter(email__iexact=identifier, is_active=True).exclude(
            pk__in=[account.pk for account in accounts]
        )
        accounts += list(by_email.order_by("pk")[:MAX_ACCOUNTS_PER_EMAIL])
    return accounts


class LoginForm(AuthenticationForm):
    """Sign in with a username or an email address (not case-sensitive) and a password.

    An email address several accounts use signs in the one whose password matches. The page
    never says whether an address or a username exists: anything that does not sign in gets
    the same message.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That username or email and password do not match an account. Check them and try "
            "again; the password is case-sensitive."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = _("Username or email")
        assert isinstance(username, forms.CharField)
        username.max_length = 254
        username.widget.attrs.update({"maxlength": "254", "autocomplete": "username"})
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean(self) -> dict[str, Any]:
        identifier = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not identifier or not password:
            return super().clean()
        accounts = accounts_for_login(identifier)
        if len(accounts) <= 1:
            self.cleaned_data["username"] = accounts[0].username if accounts else identifier
            return super().clean()
        return self._clean_shared(accounts, password)

    def _clean_shared(self, accounts: list[User], password: str) -> dict[str, Any]:
        """Several accounts: the one whose password matches is signed in (the lockout has its
        say, as always); a password that matches none counts as a failure against each."""
        matching = [account for account in accounts if account.check_password(password)]
        if len(matching) > 1:
            raise self.get_invalid_login_error()
        for account in matching or accounts:
            self.user_cache = authenticate(
                self.request, username=account.username, password=password
            )
        if not matching or self.user_cache is None:
            raise self.get_invalid_login_error()
        self.cleaned_data["username"] = self.user_cache.get_username()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LocalizedPasswordResetForm(PasswordResetForm):
    """Writes each reset email, from ``EMAIL_TEMPLATE``, in its recipient's language and time
    zone (Django's template names are not used)."""

    EMAIL_TEMPLATE = "accounts/email/password_reset"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        try:
            send_email(
                template=self.EMAIL_TEMPLATE,
                context=context,
                to=[to_email],
                language=user.ui_language,
                time_zone=user.timezone,
            )
        except Exception:
            # As Django's form does: the page answers the same whether or not an email went out.
            logger.exception("Failed to send password reset email to %s", user.pk)


class NewPasswordForm(forms.Form):
    """Choose a password (typed twice); the password validators run in the service."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2: str = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise ValidationError(_("The two passwords are not the same."), code="mismatch")
        return password2


class ProfileForm(forms.Form):
    preferred_name = forms.CharField(
        label=_("Preferred name"),
        max_length=150,
        required=False,
        validators=[single_line],
        help_text=_("The name Village uses for you, if not your first name."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    pronouns = forms.CharField(
        label=_("Pronouns"),
        max_length=40,
        required=False,
        validators=[single_line],
        help_text=_("For example she/her, he/him or they/them."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=language_choices,
        help_text=_(
            "Village shows its pages in English or Spanish; for another language it shows them "
            "in English, and your school knows which language your family prefers."
        ),
        widget=forms.Select(attrs={"autocomplete": "language"}),
    )
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=timezone_choices,
        help_text=_("Dates and times are shown in this time zone."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Digits, spaces and an optional leading +."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    @classmethod
    def for_user(cls, user: User) -> ProfileForm:
        initial = {
            "preferred_name": user.preferred_name,
            "pronouns": user.pronouns,
            "language": _listed_language(user.preferred_language),
            "timezone": user.timezone,
            "phone": user.phone,
        }
        return cls(initial=initial)

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"].strip()
        if value and not PHONE.match(value):
            raise ValidationError(
                _("Enter a phone number with digits, spaces and an optional leading +."),
                code="invalid_phone",
            )
        return value

    def profile_data(self) -> ProfileData:
        """The validated profile, ready for ``services.profile_update``."""
        data = self.cleaned_data
        return ProfileData(
            preferred_name=data["preferred_name"].strip(),
            pronouns=data["pronouns"].strip(),
            preferred_language=data["language"],
            timezone=data["timezone"],
            phone=data["phone"],
        )


def lifetime_choices() -> list[tuple[int, str]]:
    return [
        (days, ngettext("%(count)d day", "%(count)d days", days) % {"count": days})
        for days in LIFETIME_DAYS
    ]


def _listed_language(code: str) -> str:
    """The entry of the language list that stands for ``code`` (``es-MX`` → ``es``)."""
    listed = {value for value, _label in language_choices()}
    if code in listed:
        return code
    primary = code.split("-")[0]
    return primary if primary in listed else settings.LANGUAGE_CODE


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        validators=[single_line],
        help_text=_("What the token is for, such as “Gradebook sync”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    days = forms.TypedChoiceField(
        label=_("Expires after"),
        choices=lifetime_choices,
        coerce=int,
        required=False,  # left out, a token lives the default lifetime
        empty_value=DEFAULT_LIFETIME_DAYS,  # type: ignore[arg-type]  # an int, as coerce gives
        initial=DEFAULT_LIFETIME_DAYS,
        help_text=_(
            "The token stops working then, and at once if you change or reset your password."
        ),
    )
