"""The forms of the notification settings, a guardian's alerts about a child, and a school's
defaults. Each parses the page's fields and hands them to a service, which checks them whole;
the service's problems come back onto the fields they name (``add_service_errors``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Threshold
from village.notifications.selectors import KindRow, SettingsView
from village.notifications.services.preferences import BUDGET, KindChoice, SettingsInput
from village.notifications.services.rules import RuleInput
from village.notifications.services.school import DefaultInput


class ServiceErrors(forms.Form):
    """A form whose service raises ``ValidationError`` keyed by dotted names
    (``rules.<kind>.threshold``), shown on the fields ``field_for`` names."""

    def field_for(self, key: str) -> str | None:
        return key if key in self.fields else None

    def add_service_errors(self, error: ValidationError) -> None:
        for key, messages in error.message_dict.items():
            self.add_error(self.field_for(key), messages)

    def summary(self) -> list[tuple[str, str, str]]:
        """Each error as (the field's id, its full label, the message), for the summary."""
        found = [("", "", str(message)) for message in self.non_field_errors()]
        for name, field in self.fields.items():
            label = getattr(field, "full_label", field.label)
            found += [(self[name].auto_id, str(label), str(m)) for m in self.errors.get(name, [])]
        return found


def _prefixed(key: str, parts: int = 3) -> tuple[str, str] | None:
    """``rules.<kind>.threshold`` → (kind, threshold)."""
    pieces = key.split(".")
    if len(pieces) != parts:
        return None
    return pieces[1], pieces[2]


# --- alerts: on or off, and their thresholds --------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleFields:
    """One alert's fields as the page shows them."""

    kind: AlertKind
    enabled: BoundField
    threshold: BoundField | None
    weeks: BoundField | None
    #: Where its values come from: "guardian", "school" or "default".
    source: str = ""


def _threshold_label(kind: AlertKind) -> StrOrPromise:
    if kind.threshold == Threshold.BELOW:
        return _("When it is below (percent)")
    if kind.threshold == Threshold.ABOVE:
        return _("When it is above (percent)")
    return _("When it falls by at least (points)")


def _plain(value: Decimal | None) -> Decimal | None:
    """70.0 as 70, 65.5 as it is: a percentage as people write it."""
    if value is None or value != value.to_integral_value():
        return value
    return value.quantize(Decimal(1))


def _threshold_field(kind: AlertKind, initial: Decimal | None) -> forms.DecimalField:
    low = 1 if kind.threshold == Threshold.DROP else 0
    field = forms.DecimalField(
        label=_threshold_label(kind),
        required=False,
        initial=_plain(initial),
        max_digits=8,
        decimal_places=3,
        widget=forms.NumberInput(
            attrs={"min": low, "max": 100, "step": "0.1", "inputmode": "decimal"}
        ),
        error_messages={"invalid": _("Enter a number."), "max_digits": _("Enter a number.")},
    )
    field.full_label = f"{kind.label}: {field.label}"  # type: ignore[attr-defined]
    return field


def _weeks_field(kind: AlertKind, initial: int | None) -> forms.IntegerField:
    field = forms.IntegerField(
        label=_("Over how many weeks"),
        required=False,
        initial=initial,
        widget=forms.NumberInput(attrs={"min": 1, "max": 12, "step": 1, "inputmode": "numeric"}),
        error_messages={"invalid": _("Enter a whole number of weeks.")},
    )
    field.full_label = f"{kind.label}: {field.label}"  # type: ignore[attr-defined]
    return field


class AlertRulesForm(ServiceErrors):
    """Per alert kind: on or off (``<kind>-enabled``), its threshold (``<kind>-threshold``) and,
    for a fall, the weeks it looks back over (``<kind>-weeks``). ``rows`` give each kind with
    its values now and where they come from."""

    service_prefix = "rules"

    def __init__(
        self,
        data: Any = None,
        *,
        rows: Iterable[tuple[AlertKind, bool, Decimal | None, int | None, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.kinds: list[tuple[AlertKind, str]] = []
        for kind, enabled, threshold, weeks, source in rows:
            self.kinds.append((kind, source))
            on = forms.BooleanField(label=_("Send this alert"), required=False, initial=enabled)
            on.full_label = f"{kind.label}: {on.label}"  # type: ignore[attr-defined]
            self.fields[f"{kind.name}-enabled"] = on
            if kind.threshold is not None:
                self.fields[f"{kind.name}-threshold"] = _threshold_field(kind, threshold)
            if kind.threshold == Threshold.DROP:
                self.fields[f"{kind.name}-weeks"] = _weeks_field(kind, weeks)

    def rule_fields(self) -> list[RuleFields]:
        return [
            RuleFields(
                kind=kind,
                enabled=self[f"{kind.name}-enabled"],
                threshold=self._bound(f"{kind.name}-threshold"),
                weeks=self._bound(f"{kind.name}-weeks"),
                source=source,
            )
            for kind, source in self.kinds
        ]

    def _bound(self, name: str) -> BoundField | None:
        return self[name] if name in self.fields else None

    def rules(self) -> list[RuleInput]:
        data = self.cleaned_data
        return [
            RuleInput(
                kind=kind.name,
                enabled=bool(data.get(f"{kind.name}-enabled")),
                threshold=data.get(f"{kind.name}-threshold"),
                weeks=data.get(f"{kind.name}-weeks"),
            )
            for kind, _source in self.kinds
        ]

    def field_for(self, key: str) -> str | None:
        found = _prefixed(key)
        if found is not None and key.startswith(self.service_prefix + "."):
            name = f"{found[0]}-{found[1]}"
            if name in self.fields:
                return name
            if f"{found[0]}-enabled" in self.fields:
                return f"{found[0]}-enabled"
        return super().field_for(key)


# --- a school's notification settings ---------------------------------------------------------


def _hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


class SchoolNotificationsForm(AlertRulesForm):
    """A school's default per alert, when its weekly family digest goes out, and how many
    immediate emails a family receives per child and week."""

    service_prefix = "defaults"

    digest_weekday = forms.TypedChoiceField(
        label=_("Day of the weekly family digest"),
        choices=[(day, name) for day, name in WEEKDAYS.items()],
        coerce=int,
        error_messages={"invalid_choice": _("Choose a day of the week.")},
    )
    digest_hour = forms.TypedChoiceField(
        label=_("Hour of the weekly family digest"),
        help_text=_("In each family's own time zone."),
        choices=[(hour, _hour_label(hour)) for hour in range(24)],
        coerce=int,
        error_messages={"invalid_choice": _("Choose an hour from 0 to 23.")},
    )
    weekly_email_budget = forms.IntegerField(
        label=_("Alert emails per child per week"),
        help_text=_(
            "Beyond this number, a family's alerts about a child wait for the weekly digest "
            "(urgent ones are always sent). From 0 to 20."
        ),
        widget=forms.NumberInput(
            attrs={"min": BUDGET[0], "max": BUDGET[1], "step": 1, "inputmode": "numeric"}
        ),
        error_messages={
            "invalid": _("Enter a number of emails from 0 to 20."),
            "required": _("Enter a number of emails from 0 to 20."),
        },
    )

    def defaults(self) -> list[DefaultInput]:
        return [
            DefaultInput(kind=r.kind, enabled=r.enabled, threshold=r.threshold, weeks=r.weeks)
            for r in self.rules()
        ]


# --- a user's notification settings -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindFields:
    row: KindRow
    email: BoundField | None
    sms: BoundField | None


class NotificationSettingsForm(ServiceErrors):
    """Per kind on the user's settings: email mode (``<kind>-email``; none for an urgent kind,
    always sent at once) and texts (``<kind>-sms``, where it may be texted); quiet hours; a
    mobile number where texts are possible; a student's reminders, a teacher's summary."""

    quiet_hours = forms.BooleanField(label=_("Hold messages during quiet hours"), required=False)
    quiet_start = forms.TimeField(
        label=_("Quiet hours start"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter the time quiet hours start, e.g. 21:00."),
            "invalid": _("Enter the time quiet hours start, e.g. 21:00."),
        },
    )
    quiet_end = forms.TimeField(
        label=_("Quiet hours end"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "required": _("Enter the time quiet hours end, e.g. 07:00."),
            "invalid": _("Enter the time quiet hours end, e.g. 07:00."),
        },
    )

    def __init__(self, data: Any = None, *, view: SettingsView, **kwargs: Any) -> None:
        current = view.settings
        initial = {
            "quiet_hours": current.quiet_hours,
            "quiet_start": current.quiet_start,
            "quiet_end": current.quiet_end,
            "phone": current.phone,
            "student_reminders": current.student_reminders,
            "teacher_daily": current.teacher_daily,
        }
        super().__init__(data, initial=initial, **kwargs)
        self.view = view
        for row in view.rows:
            self._add_kind(row)
        if view.texts:
            self.fields["phone"] = forms.CharField(
                label=_("Mobile number for text messages"),
                help_text=_("With its country code, e.g. +1 555 010 0142."),
                required=False,
                max_length=32,
                widget=forms.TextInput(
                    attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
                ),
            )
        if view.student:
            self.fields["student_reminders"] = forms.BooleanField(
                label=_("My reminders"),
                help_text=_("Work due tomorrow, work now missing, feedback returned."),
                required=False,
            )
        if view.teacher:
            self.fields["teacher_daily"] = forms.BooleanField(
                label=_("Daily summary of work to grade"),
                help_text=_("Each morning: work handed in to grade and work newly missing."),
                required=False,
            )

    def _add_kind(self, row: KindRow) -> None:
        kind = row.kind
        if not kind.urgent:
            field = forms.TypedChoiceField(
                label=_("Email"),
                choices=EmailMode.choices,
                coerce=EmailMode,
                initial=row.email.value,
                error_messages={
                    "required": _("Choose how this reaches you by email."),
                    "invalid_choice": _("Choose how this reaches you by email."),
                },
            )
            field.full_label = f"{kind.label}: {field.label}"  # type: ignore[attr-defined]
            self.fields[f"{kind.name}-email"] = field
        if row.textable and not kind.urgent:
            sms = forms.BooleanField(
                label=_("Also by text message"), required=False, initial=row.sms
            )
            sms.full_label = f"{kind.label}: {sms.label}"  # type: ignore[attr-defined]
            self.fields[f"{kind.name}-sms"] = sms

    def kind_fields(self, rows: Sequence[KindRow]) -> list[KindFields]:
        return [
            KindFields(
                row=row,
                email=self[f"{row.name}-email"] if f"{row.name}-email" in self.fields else None,
                sms=self[f"{row.name}-sms"] if f"{row.name}-sms" in self.fields else None,
            )
            for row in rows
        ]

    def changes(self) -> SettingsInput:
        data = self.cleaned_data
        return SettingsInput(
            kinds=[
                KindChoice(
                    kind=row.name,
                    email=data.get(f"{row.name}-email") or EmailMode.IMMEDIATE,
                    sms=row.textable if row.kind.urgent else bool(data.get(f"{row.name}-sms")),
                )
                for row in self.view.rows
            ],
            quiet_hours=data["quiet_hours"],
            quiet_start=data["quiet_start"],
            quiet_end=data["quiet_end"],
            phone=data.get("phone") if "phone" in self.fields else None,
            student_reminders=data.get("student_reminders") if self.view.student else None,
            teacher_daily=data.get("teacher_daily") if self.view.teacher else None,
        )

    def field_for(self, key: str) -> str | None:
        found = _prefixed(key)
        if found is not None and key.startswith("kinds."):
            name = f"{found[0]}-{found[1]}"
            return name if name in self.fields else None
        return super().field_for(key)
