"""Forms of the onboarding pages: parse and check input; services write."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from village.accounts.forms import NewPasswordForm
from village.community.models import Relationship, Scope
from village.core.text import single_line
from village.onboarding.models import LinkRoute, OnboardingSettings
from village.onboarding.services import InvitationData, SignupData


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Pairing code"),
        max_length=32,
        help_text=_(
            "The eight characters from the school, such as ABCD-EFGH. Case and dashes do not "
            "matter."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class _AccountFields(NewPasswordForm):
    """A new account's name, password (typed twice) and language."""

    field_order = ["first_name", "last_name", "password1", "password2", "language"]

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[single_line],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("Village shows its pages and sends its messages in this language."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A first password, not a replacement: the labels say so.
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("Password again")

    def signup_data(self, email: str) -> SignupData:
        data = self.cleaned_data
        return SignupData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=email,
            password=data["password1"],
            language=data["language"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's field errors on the matching fields (the password on the first)."""
        for name, errors in error.message_dict.items():
            field = "password1" if name == "password" else name
            self.add_error(field if field in self.fields else None, errors)


class SignupForm(_AccountFields):
    """A new guardian account and the first child's pairing code, in one step."""

    field_order = ["first_name", "last_name", "email", "password1", "password2", "language", "code"]

    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    code = RedeemForm.base_fields["code"]


class SignupConfirmForm(forms.Form):
    """The password chosen at sign-up: the emailed link alone does not activate an account."""

    password = forms.CharField(
        label=_("The password you chose when you signed up"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class InvitationSignupForm(_AccountFields):
    """The invited person's account; the email is the one the invitation went to."""


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Guardian's email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    name = forms.CharField(
        label=_("Guardian's name"),
        max_length=150,
        required=False,
        help_text=_("Optional; used to greet them in the email."),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the student"),
        choices=Relationship.choices,
        initial=Relationship.GUARDIAN,
    )
    language = forms.ChoiceField(
        label=_("Language of the email"),
        choices=settings.LANGUAGES,
        help_text=_("If the guardian already has a Village account, their own language is used."),
    )

    def invitation_data(self) -> InvitationData:
        data = self.cleaned_data
        return InvitationData(
            email=data["email"],
            name=data["name"],
            relationship=Relationship(data["relationship"]),
            language=data["language"],
        )


class SheetChoice(forms.Form):
    EVERYONE = "all"
    WITHOUT_FAMILY = "unlinked"
    PRINT = "print"
    CSV = "csv"

    students = forms.ChoiceField(
        label=_("Codes for"),
        choices=[
            (WITHOUT_FAMILY, _("Students without a guardian in Village")),
            (EVERYONE, _("Every student in the class")),
        ],
        initial=WITHOUT_FAMILY,
        widget=forms.RadioSelect,
    )
    output = forms.ChoiceField(
        label=_("Format"),
        choices=[(PRINT, _("A page to print")), (CSV, _("A CSV file"))],
        initial=PRINT,
        widget=forms.RadioSelect,
    )

    def choice(self) -> dict[str, Any]:
        return {
            "everyone": self.cleaned_data["students"] == self.EVERYONE,
            "csv": self.cleaned_data["output"] == self.CSV,
        }


if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

APPROVE = "approve"
AT_ONCE = "at_once"


def _approval_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=[
            (AT_ONCE, _("The link works at once")),
            (APPROVE, _("A school admin approves the link first")),
        ],
        coerce=lambda value: value == APPROVE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether a school admin approves these links first."),
            "invalid_choice": _("Choose one of the two answers."),
        },
    )


class OnboardingSettingsForm(forms.Form):
    """A school's settings for new family links: approval per route, default areas.

    Village's defaults: links made with a code the student made wait for approval (a student
    can hand a code to anyone); the other routes work at once (the school chose the family).
    """

    APPROVE = APPROVE
    AT_ONCE = AT_ONCE
    #: Each approval field and the route it decides.
    ROUTES = {OnboardingSettings.approval_field(route): route for route in LinkRoute}

    approve_student_codes = _approval_field(
        _("When a family uses a code the student made"),
        _(
            "A student can hand a code to anyone. Village's default: a school admin approves "
            "these links first."
        ),
    )
    approve_teacher_codes = _approval_field(
        _("When a family uses a code a teacher made"),
        _("The teacher gave the code to the family. Village's default: the link works at once."),
    )
    approve_admin_codes = _approval_field(
        _("When a family uses a code a school admin made"),
        _("The school gave the code to the family. Village's default: the link works at once."),
    )
    approve_invitations = _approval_field(
        _("When someone accepts an email invitation"),
        _(
            "A teacher or a school admin sent it to an address they chose. Village's default: "
            "the link works at once."
        ),
    )
    default_scopes = forms.MultipleChoiceField(
        label=_("What a new family link may see"),
        help_text=_(
            "A new link, by pairing code or by invitation, starts with these areas. Links that "
            "already exist keep theirs."
        ),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one area a new family link may see."),
            "invalid_choice": _("Choose areas from the list only."),
        },
    )

    @classmethod
    def initial_from(cls, current: OnboardingSettings) -> dict[str, Any]:
        approvals = {
            name: cls.APPROVE if current.needs_approval(route) else cls.AT_ONCE
            for name, route in cls.ROUTES.items()
        }
        return {**approvals, "default_scopes": [scope.value for scope in current.scopes]}

    def approvals(self) -> dict[LinkRoute, bool]:
        return {route: self.cleaned_data[name] for name, route in self.ROUTES.items()}

    def add_service_errors(self, error: ValidationError) -> None:
        for name, errors in error.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)
