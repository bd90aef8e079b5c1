"""The form of a class event."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from village.classwork.forms.common import ServiceErrorsMixin, datetime_field
from village.classwork.models import (
    ClassEvent,
)
from village.core.text import single_line


class EventForm(ServiceErrorsMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[single_line])
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(
        _("Ends"), required=False, help_text=_("Leave empty for an hour-long event.")
    )
    all_day = forms.BooleanField(label=_("All day"), required=False)
    location = forms.CharField(
        label=_("Place"), max_length=200, required=False, validators=[single_line]
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    visible_to_families = forms.BooleanField(
        label=_("Families see it"), required=False, initial=True
    )


def event_initial(event: ClassEvent) -> dict[str, Any]:
    """The edit form's starting values."""
    return {
        "title": event.title,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "all_day": event.all_day,
        "location": event.location,
        "description": event.description,
        "visible_to_families": event.visible_to_families,
    }
