"""Forms of the community pages: parse and check input; the writes happen in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from village.accounts.languages import language_choices, language_code
from village.accounts.models import User
from village.accounts.services import free_username
from village.community import policies
from village.community.models import Organisation, OrgRole, Relationship, Role
from village.core.text import single_line

ADDABLE_ROLES = (Role.TEACHER, Role.AIDE, Role.STUDENT, Role.GUARDIAN)


class AuditFilterForm(forms.Form):
    student = forms.ModelChoiceField(
        label=_("Student"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("All students"),
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["student"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _students_of_admin_schools(viewer)


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or email"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), required=False)
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("All schools"),
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [("", _("All roles")), *Role.choices]
        school_field = self.fields["school"]
        assert isinstance(school_field, forms.ModelChoiceField)
        school_field.queryset = policies.administered_schools(viewer).order_by("name")


def _students_of_admin_schools(viewer: User) -> QuerySet[User]:
    """Students at the schools ``viewer`` administers (not their own children)."""
    student_roles = OrgRole.objects.current(policies.today()).filter(
        role=Role.STUDENT,
        organisation_id__in=policies.administered_schools(viewer).values("pk"),
    )
    return (
        get_user_model()
        .objects.filter(pk__in=student_roles.values("user_id"), is_active=True)
        .order_by("last_name", "first_name", "id")
    )


class StudentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        grade = _("grade %(grade)s") % {"grade": obj.grade} if obj.grade else ""
        return f"{obj.display_name} ({grade})" if grade else obj.display_name


class PersonAddForm(forms.Form):
    """A new teacher, aide, student or guardian account at a school the admin runs."""

    school = forms.ModelChoiceField(label=_("School"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(
        label=_("Role"), choices=[(role.value, role.label) for role in ADDABLE_ROLES]
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, validators=[single_line])
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[single_line])
    preferred_name = forms.CharField(
        label=_("Preferred name"),
        max_length=150,
        required=False,
        validators=[single_line],
        help_text=_("The name Village uses, if different from the first name."),
    )
    email = forms.EmailField(
        label=_("Email"), help_text=_("The invitation to set a password is sent here.")
    )
    username = forms.SlugField(
        label=_("Username"),
        max_length=150,
        required=False,
        help_text=_("Letters, numbers, hyphens and underscores. Leave empty to use the email."),
    )
    grade = forms.CharField(
        label=_("Grade"), max_length=8, required=False, help_text=_("Students only, e.g. 5.")
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=language_choices, initial="en"
    )
    student = StudentChoiceField(
        label=_("Guardian of"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("No student"),
        help_text=_("Guardians only: link this guardian to a student of the same school."),
    )
    relationship = forms.ChoiceField(
        label=_("Relationship"),
        choices=Relationship.choices,
        initial=Relationship.GUARDIAN,
        required=False,
    )

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        school_field = self.fields["school"]
        assert isinstance(school_field, forms.ModelChoiceField)
        school_field.queryset = policies.administered_schools(viewer).order_by("name")
        schools = list(school_field.queryset[:2])
        if len(schools) == 1:
            school_field.initial = schools[0].pk
        student_field = self.fields["student"]
        assert isinstance(student_field, forms.ModelChoiceField)
        student_field.queryset = _students_of_admin_schools(viewer)

    def clean_email(self) -> str:
        """A duplicate is reported only among the people the admin can already see (their
        schools); an address used elsewhere in Village gets the same answer as a new one, so the
        form tells nobody who else has an account."""
        email = self.cleaned_data["email"].strip().lower()
        if policies.visible_people(self.viewer).filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("Someone at your schools already has this email address.")
            )
        return email

    def clean_username(self) -> str:
        """Like an email, a taken username is reported only among the people the admin can see;
        one taken elsewhere in Village gets a number added in ``clean``, without a word."""
        username = self.cleaned_data.get("username", "").strip().lower()
        visible = policies.visible_people(self.viewer)
        if username and visible.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken; choose another."))
        return username

    def clean_preferred_language(self) -> str:
        return language_code(self.cleaned_data["preferred_language"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        student = data.get("student")
        if student is not None:
            self._check_student(data, student)
        if data.get("email") and "username" not in self.errors:
            data["username"] = free_username(data.get("username") or data["email"])
        return data

    def _check_student(self, data: dict[str, Any], student: User) -> None:
        if data.get("role") != Role.GUARDIAN:
            self.add_error("student", _("Only a guardian can be linked to a student."))
            return
        school = data.get("school")
        at_school = OrgRole.objects.filter(user=student, role=Role.STUDENT, organisation=school)
        if school is not None and not at_school.exists():
            self.add_error("student", _("Choose a student of the selected school."))
