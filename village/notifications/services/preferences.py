"""How people choose what reaches them: their notification settings (per kind: email at once,
in a digest or not at all, and texts; quiet hours; a student's reminders; a teacher's daily
summary; a mobile number) and a guardian's alerts about each child.

Every change is checked whole before anything is written: bad input raises a
``ValidationError`` whose keys name the field (``phone``, ``kinds.<kind>.email``,
``rules.<kind>.threshold``), and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.notifications import registry
from village.notifications.models import EmailMode, KindSetting, UserSettings
from village.notifications.policies import AlertChild
from village.notifications.registry import AlertKind, Threshold
from village.notifications.services.notify import settings_of
from village.notifications.services.rules import RuleInput, save_rules

#: A percentage a grade alert looks for.
PERCENT = (Decimal(0), Decimal(100))
#: Points a grade falls by for the trend alert.
POINTS = (Decimal(1), Decimal(100))
#: Weeks the trend alert looks back over.
WEEKS = (1, 12)
#: Immediate emails per child and week a school allows.
BUDGET = (0, 20)

_PHONE_PUNCTUATION = re.compile(r"[\s().\-]")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def sms_available() -> bool:
    """Is a text-message gateway set up?"""
    return bool(settings.VILLAGE_SMS_URL)


def may_text(kind: AlertKind) -> bool:
    return kind.sms and sms_available()


def normalise_phone(value: str) -> str:
    """A mobile number as ``+`` and digits (E.164), or ``ValidationError``. Spaces, dashes, dots
    and brackets are dropped; an empty value stays empty."""
    compact = _PHONE_PUNCTUATION.sub("", value.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact:
        return ""
    if not _E164.fullmatch(compact):
        raise ValidationError(
            _(
                "Enter the mobile number with its country code, starting with + "
                "(for example +1 555 010 0142)."
            ),
            code="phone",
        )
    return compact


# --- alert thresholds ------------------------------------------------------------------------


def _in(value: Decimal | int | None, bounds: tuple[Decimal, Decimal] | tuple[int, int]) -> bool:
    return value is not None and bounds[0] <= value <= bounds[1]


def threshold_problems(
    kind: AlertKind, threshold: Decimal | None, weeks: int | None
) -> dict[str, str]:
    """What is wrong with an alert's threshold and weeks for ``kind``, by field (none: fine).
    A percentage is 0 to 100 with one decimal place; a fall is 1 to 100 points over 1 to 12
    weeks; a kind without a threshold takes neither."""
    problems: dict[str, str] = {}
    if kind.threshold is None:
        if threshold is not None:
            problems["threshold"] = _("This alert has no threshold.")
        if weeks is not None:
            problems["weeks"] = _("This alert has no number of weeks.")
        return problems
    if kind.threshold == Threshold.DROP:
        if not _in(threshold, POINTS) or not _one_decimal(threshold):
            problems["threshold"] = _("Enter a number of points from 1 to 100.")
        if not _in(weeks, WEEKS):
            problems["weeks"] = _("Enter a number of weeks from 1 to 12.")
        return problems
    if not _in(threshold, PERCENT) or not _one_decimal(threshold):
        problems["threshold"] = _("Enter a percentage from 0 to 100.")
    if weeks is not None:
        problems["weeks"] = _("This alert has no number of weeks.")
    return problems


def _one_decimal(value: Decimal | None) -> bool:
    return value is not None and value == value.quantize(Decimal("0.1"))


# --- a guardian's alerts about a child -------------------------------------------------------


def child_rules_update(*, guardian: User, child: AlertChild, rules: Sequence[RuleInput]) -> None:
    """Save ``guardian``'s own alerts about ``child``: each per-child guardian kind the link
    allows, with a threshold that fits the kind. The caller has loaded ``child`` through
    ``policies.alert_child_for_guardian``."""
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for rule in rules:
        kind = registry.kind(rule.kind)
        if rule.kind in seen:
            problems[f"rules.{rule.kind}.kind"] = _("This alert is listed twice.")
        seen.add(rule.kind)
        if kind is None or not kind.per_child or kind.audience != registry.Audience.GUARDIAN:
            problems[f"rules.{rule.kind}.kind"] = _("There is no such alert.")
            continue
        if not child.allows(kind):
            problems[f"rules.{rule.kind}.kind"] = _(
                "This alert is not offered: the school does not share this with you."
            )
            continue
        for name, message in threshold_problems(kind, rule.threshold, rule.weeks).items():
            problems[f"rules.{rule.kind}.{name}"] = message
    if problems:
        raise ValidationError(problems)
    save_rules(guardian, User.objects.get(pk=child.child.id), rules)


# --- notification settings -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KindChoice:
    """How a user wants one kind: email mode, and texts on or off."""

    kind: str
    email: EmailMode
    sms: bool = False


@dataclass(frozen=True, slots=True)
class SettingsInput:
    """A user's notification settings. ``None`` leaves a value as it is (a student's reminders
    for someone who is no student, a number for someone who cannot receive texts)."""

    kinds: Sequence[KindChoice] = ()
    quiet_hours: bool | None = None
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    phone: str | None = None
    student_reminders: bool | None = None
    teacher_daily: bool | None = None


def _kind_problems(choice: KindChoice, allowed: Collection[str]) -> dict[str, str]:
    kind = registry.kind(choice.kind)
    prefix = f"kinds.{choice.kind}"
    if kind is None or kind.name not in allowed:
        return {f"{prefix}.kind": _("There is no such notification in your settings.")}
    problems = {}
    if kind.urgent and choice.email != EmailMode.IMMEDIATE:
        problems[f"{prefix}.email"] = _("This notification is urgent: it is always sent at once.")
    if choice.sms and not may_text(kind):
        problems[f"{prefix}.sms"] = _("This notification cannot be sent by text message.")
    elif kind.urgent and may_text(kind) and not choice.sms:
        problems[f"{prefix}.sms"] = _(
            "This notification is urgent: it is always texted when you give a mobile number."
        )
    return problems


def _texted(
    existing: Mapping[str, KindSetting], choices: Sequence[KindChoice], allowed: Collection[str]
) -> set[str]:
    """The kinds the user turns texts on for, once the change is made (urgent kinds are texted
    when there is a number, and need none)."""
    texted = {name for name, row in existing.items() if row.sms and name in allowed}
    texted |= {choice.kind for choice in choices if choice.sms}
    texted -= {choice.kind for choice in choices if not choice.sms}
    return {name for name in texted if (kind := registry.kind(name)) and not kind.urgent}


def _settings_problems(
    current: UserSettings,
    changes: SettingsInput,
    allowed: Collection[str],
    *,
    phone: str,
    texted: set[str],
) -> dict[str, str]:
    problems: dict[str, str] = {}
    for choice in changes.kinds:
        problems.update(_kind_problems(choice, allowed))
    if len({choice.kind for choice in changes.kinds}) < len(changes.kinds):
        problems["kinds"] = _("A notification is listed twice.")
    if texted and not phone and "phone" not in problems:
        problems["phone"] = _("Add your mobile number to receive text messages.")
    quiet = current.quiet_hours if changes.quiet_hours is None else changes.quiet_hours
    start = changes.quiet_start or current.quiet_start
    end = changes.quiet_end or current.quiet_end
    if quiet and start == end:
        problems["quiet_end"] = _("Quiet hours cannot start and end at the same time.")
    return problems


def settings_update(*, user: User, allowed: Collection[str], changes: SettingsInput) -> None:
    """Save ``user``'s notification settings. ``allowed``: the kinds on their settings page
    (``policies.may_set_kind``); a choice of another kind is refused."""
    current = settings_of(user)
    existing = {row.kind: row for row in KindSetting.objects.filter(user=user)}
    problems: dict[str, str] = {}
    phone = current.phone
    if changes.phone is not None:
        try:
            phone = normalise_phone(changes.phone)
        except ValidationError as error:
            problems["phone"] = error.messages[0]
    texted = _texted(existing, changes.kinds, allowed) if sms_available() else set()
    problems.update(_settings_problems(current, changes, allowed, phone=phone, texted=texted))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        _save_settings(current, changes, phone)
        _save_kinds(user, existing, changes.kinds)


def _save_settings(current: UserSettings, changes: SettingsInput, phone: str) -> None:
    values: Mapping[str, object] = {
        "quiet_hours": changes.quiet_hours,
        "quiet_start": changes.quiet_start,
        "quiet_end": changes.quiet_end,
        "student_reminders": changes.student_reminders,
        "teacher_daily": changes.teacher_daily,
    }
    for name, value in values.items():
        if value is not None:
            setattr(current, name, value)
    current.phone = phone
    current.save()


def _save_kinds(
    user: User, existing: Mapping[str, KindSetting], choices: Sequence[KindChoice]
) -> None:
    for choice in choices:
        row = existing.get(choice.kind)
        if row is not None and row.email == choice.email and row.sms == choice.sms:
            continue
        KindSetting.objects.update_or_create(
            user=user, kind=choice.kind, defaults={"email": choice.email, "sms": choice.sms}
        )
