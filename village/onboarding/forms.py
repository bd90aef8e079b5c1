"""Forms of the onboarding pages: parse and check input; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from village.community.models import Relationship
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


class _AccountFields(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("Village shows its pages and sends its messages in this language."),
    )

    def clean_password2(self) -> str:
        password1 = self.cleaned_data.get("password1")
        password2: str = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise ValidationError(_("The two passwords are not the same."), code="mismatch")
        return password2

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
