"""Forms of the announcement pages. The targets offered come from the policy
(``selectors.options``); the service checks the rest again and names the field it refuses."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from village.announcements.policies import Target
from village.announcements.selectors.options import Options
from village.announcements.services.announcements import MAX_BODY, MAX_TITLE, Draft
from village.messaging.forms import FilesField
from village.messaging.services import MAX_BODY as MAX_REPLY
from village.notifications.forms import ServiceErrors

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class AnnouncementForm(ServiceErrors):
    target = forms.ChoiceField(label=_("To"))
    to_families = forms.BooleanField(label=_("Families"), required=False, initial=True)
    to_students = forms.BooleanField(label=_("Students"), required=False)
    to_staff = forms.BooleanField(
        label=_("Staff"),
        required=False,
        help_text=_("Schools' administrators only."),
    )
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Announcement"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8})
    )
    replies_allowed = forms.BooleanField(
        label=_("Families and students may reply (to you only)"), required=False, initial=True
    )
    urgent = forms.BooleanField(
        label=_("Urgent: a closure or an emergency"),
        required=False,
        help_text=_("Sent at once to everyone, at any hour, whatever they chose to receive."),
    )
    pinned_until = forms.DateField(
        label=_("Pinned until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Shown first in lists until this day. Leave empty not to pin it."),
    )
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        input_formats=[LOCAL_MINUTE],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        help_text=_("Leave empty to send it now."),
    )
    attachments = FilesField(label=_("Attach files"), required=False)

    def __init__(self, *args: Any, options: Options, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        cast(forms.ChoiceField, self.fields["target"]).choices = options.groups()
        if not options.any_admin:
            del self.fields["to_staff"]
            del self.fields["urgent"]

    def field_for(self, key: str) -> str | None:
        if key in ("grade", "announcement"):
            return "target"
        return super().field_for(key)

    def chosen(self) -> Target:
        """The target chosen (a valid form)."""
        value = self.cleaned_data["target"]
        return next(option.target for option in self.options.all if option.target.value == value)

    def draft(self) -> Draft:
        data = self.cleaned_data
        send_at = data.get("send_at")
        if send_at is not None and timezone.is_naive(send_at):
            send_at = timezone.make_aware(send_at)
        return Draft(
            title=data["title"],
            body=data["body"],
            to_families=bool(data.get("to_families")),
            to_students=bool(data.get("to_students")),
            to_staff=bool(data.get("to_staff")),
            replies_allowed=bool(data.get("replies_allowed")),
            urgent=bool(data.get("urgent")),
            pinned_until=data.get("pinned_until"),
            send_at=send_at,
        )


class ReplyForm(ServiceErrors):
    body = forms.CharField(
        label=_("Your reply, to the sender only"),
        max_length=MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = FilesField(label=_("Attach files"), required=False)

    def field_for(self, key: str) -> str | None:
        if key in ("student", "staff", "kind", "subject", "guardians"):
            return "body"
        return super().field_for(key)
