"""A school's notification settings: its default for each per-child alert (for guardians who
have not set their own), the day and hour of its weekly family digest, and how many immediate
emails a family receives per child and week before alerts wait for the digest.

Checked whole before anything is written: bad input raises a ``ValidationError`` whose keys
name the field (``digest_hour``, ``defaults.<kind>.threshold``), and nothing is saved. The
caller has checked that the user may change the school's settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from village.community.models import Organisation
from village.notifications import registry
from village.notifications.models import SchoolAlertDefault, SchoolNotificationSettings
from village.notifications.services.preferences import BUDGET, threshold_problems


@dataclass(frozen=True, slots=True)
class DefaultInput:
    kind: str
    enabled: bool
    threshold: Decimal | None = None
    weeks: int | None = None


def school_settings_of(school: Organisation) -> SchoolNotificationSettings:
    """The school's settings (unsaved defaults when it has set none)."""
    found = SchoolNotificationSettings.objects.filter(school=school).first()
    return found or SchoolNotificationSettings(school=school)


def _default_problems(defaults: Sequence[DefaultInput]) -> dict[str, str]:
    problems: dict[str, str] = {}
    for default in defaults:
        kind = registry.kind(default.kind)
        if kind is None or not kind.per_child or kind.audience != registry.Audience.GUARDIAN:
            problems[f"defaults.{default.kind}.kind"] = _("There is no such alert.")
            continue
        for name, message in threshold_problems(kind, default.threshold, default.weeks).items():
            problems[f"defaults.{default.kind}.{name}"] = message
    return problems


def _settings_problems(*, digest_weekday: int, digest_hour: int, budget: int) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not 0 <= digest_weekday <= 6:
        problems["digest_weekday"] = _("Choose a day of the week.")
    if not 0 <= digest_hour <= 23:
        problems["digest_hour"] = _("Choose an hour from 0 to 23.")
    if not BUDGET[0] <= budget <= BUDGET[1]:
        problems["weekly_email_budget"] = _("Enter a number of emails from 0 to 20.")
    return problems


@transaction.atomic
def school_notifications_update(
    *,
    school: Organisation,
    defaults: Sequence[DefaultInput],
    digest_weekday: int,
    digest_hour: int,
    weekly_email_budget: int,
) -> None:
    """Save the school's alert defaults and digest settings, or change nothing."""
    problems = _default_problems(defaults)
    problems.update(
        _settings_problems(
            digest_weekday=digest_weekday, digest_hour=digest_hour, budget=weekly_email_budget
        )
    )
    if problems:
        raise ValidationError(problems)
    for default in defaults:
        SchoolAlertDefault.objects.update_or_create(
            school=school,
            kind=default.kind,
            defaults={
                "enabled": default.enabled,
                "threshold": default.threshold,
                "weeks": default.weeks,
            },
        )
    SchoolNotificationSettings.objects.update_or_create(
        school=school,
        defaults={
            "digest_weekday": digest_weekday,
            "digest_hour": digest_hour,
            "weekly_email_budget": weekly_email_budget,
        },
    )
