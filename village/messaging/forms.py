"""Forms of the messaging pages. The choices of people come from the policy (``candidates``);
the services check them again."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.messaging.models import ParticipantRole
from village.messaging.policies import Candidates, kinds_startable
from village.messaging.services import MAX_BODY, MAX_SUBJECT
from village.notifications.forms import ServiceErrors


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(FilesField, self).clean(item, initial) for item in items]


def _person(user: User) -> str:
    return user.display_name


class StartForm(ServiceErrors):
    kind = forms.ChoiceField(label=_("Who is it for?"), widget=forms.RadioSelect)
    staff = forms.TypedMultipleChoiceField(
        label=_("Staff"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    guardians = forms.TypedMultipleChoiceField(
        label=_("Family"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    with_student = forms.BooleanField(label=_("Include the student"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT)
    body = forms.CharField(
        label=_("Message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = FilesField(label=_("Attach files"), required=False)

    def __init__(
        self, *args: Any, role: ParticipantRole, found: Candidates, starter: User, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        kinds = kinds_startable(role)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (kind.value, kind.label) for kind in kinds
        ]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0].value
            self.fields["kind"].widget = forms.HiddenInput()
        cast(forms.ChoiceField, self.fields["staff"]).choices = [
            (user.pk, _person(user)) for user in found.staff if user.pk != starter.pk
        ]
        cast(forms.ChoiceField, self.fields["guardians"]).choices = [
            (user.pk, _person(user)) for user in found.guardians if user.pk != starter.pk
        ]
        if role != ParticipantRole.STAFF:
            del self.fields["guardians"]
            del self.fields["with_student"]


class ReplyForm(ServiceErrors):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = FilesField(label=_("Attach files"), required=False)


class ReasonForm(ServiceErrors):
    reason = forms.CharField(label=_("Why?"), max_length=300)


class ReportForm(ServiceErrors):
    reason = forms.CharField(
        label=_("What is wrong with this message?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


WEEKDAYS = (
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
)


class OfficeHoursForm(ServiceErrors):
    """One stretch per weekday: from and until (both empty: not that day)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in WEEKDAYS:
            self.fields[f"starts_{day}"] = forms.TimeField(
                label=_("%(day)s from") % {"day": label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"ends_{day}"] = forms.TimeField(
                label=_("%(day)s until") % {"day": label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def days(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(label), self[f"starts_{day}"], self[f"ends_{day}"]) for day, label in WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day, label in WEEKDAYS:
            starts = cleaned.get(f"starts_{day}")
            ends = cleaned.get(f"ends_{day}")
            if (starts is None) != (ends is None):
                self.add_error(
                    f"ends_{day}" if ends is None else f"starts_{day}",
                    _("Give both times for %(day)s, or neither.") % {"day": label},
                )
            elif starts is not None and ends is not None and ends <= starts:
                self.add_error(
                    f"ends_{day}",
                    _("On %(day)s, the end comes after the start.") % {"day": label},
                )
        return cleaned

    def stretches(self) -> list[tuple[int, dt.time, dt.time]]:
        return [
            (day, self.cleaned_data[f"starts_{day}"], self.cleaned_data[f"ends_{day}"])
            for day, _label in WEEKDAYS
            if self.cleaned_data.get(f"starts_{day}") is not None
        ]
