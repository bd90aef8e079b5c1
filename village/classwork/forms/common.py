"""What the classwork forms share: date and time fields read in the teacher's own time zone, and
showing a service's ``ValidationError`` on the field it names (``add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django_stubs_ext import StrOrPromise

from village.core.forms import ServiceErrors

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def datetime_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> forms.Field:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


def date_field(label: StrOrPromise) -> forms.Field:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


#: Classwork's forms call the shared mixin by this name.
ServiceErrorsMixin = ServiceErrors


def class_choices(field: forms.Field, queryset: Any) -> None:
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
