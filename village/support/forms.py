"""The profile's forms: an entry on one topic, and an accommodation.

They read what was typed; every rule is the services' (``village.support.services``), whose
refusals are shown on the field they name (``add_service_errors``). The student's own form says
what its fields refuse in the student's words ("tú" in Spanish).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.core.forms import ServiceErrors
from village.support.models import (
    ACCOMMODATION_VISIBILITIES,
    TEXT_MAX,
    TITLE_MAX,
    Category,
    Section,
    Visibility,
)


def _too_long_student(limit: int) -> str:
    return pgettext("student", "Keep this under %(limit)s characters.") % {"limit": f"{limit:,}"}


def _too_long(limit: int) -> str:
    return gettext("Keep this under %(limit)s characters.") % {"limit": f"{limit:,}"}


def _display_name(user: User) -> str:
    return user.display_name


class EntryForm(ServiceErrors, forms.Form):
    """One entry of the profile. Staff choose who reads a school note, and for a restricted
    one the staff it names (``candidates``)."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=TEXT_MAX)
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    readers = forms.ModelMultipleChoiceField(
        label=_("Named staff"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For an entry seen by named staff only: who may read it."),
    )

    def __init__(
        self,
        *args: Any,
        section: Section,
        label: str,
        candidates: QuerySet[User] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        text.label = label
        if section == Section.ABOUT_ME:
            text.error_messages["required"] = pgettext_lazy("student", "Write something here.")
            text.error_messages["max_length"] = lazy(_too_long_student, str)(TEXT_MAX)
        else:
            text.error_messages["max_length"] = lazy(_too_long, str)(TEXT_MAX)
        if section != Section.SCHOOL_NOTES:
            del self.fields["visibility"]
            del self.fields["readers"]
            return
        readers = self.fields["readers"]
        assert isinstance(readers, forms.ModelMultipleChoiceField)
        readers.queryset = candidates if candidates is not None else User.objects.none()
        readers.label_from_instance = _display_name  # type: ignore[method-assign,assignment]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class AccommodationForm(ServiceErrors, forms.Form):
    """A new accommodation for the student."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("Accommodation"), max_length=TITLE_MAX)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while it applies."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=[(str(v), v.label) for v in ACCOMMODATION_VISIBILITIES],
        widget=forms.RadioSelect,
        initial=Visibility.FAMILY,
    )
