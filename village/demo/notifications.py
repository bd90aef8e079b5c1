"""The demo's notifications: the personas' alert settings, the school's defaults, and a history
in each persona's notification centre made by the real alert engine over the demo's classwork.

The engine looks at Ada's and Leo's work as it stood every other day of the last three weeks,
as the worker would have after each change, so the centre holds what Village would have told
Sam, Jordan, Ada and Leo: missing work, feedback, grades crossing a threshold. What is older
than three days is read; the emails of that history count as sent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from village.accounts.models import User
from village.classwork import alerts as classwork_alerts
from village.community.models import Organisation
from village.notifications.models import (
    AlertRule,
    Delivery,
    DeliveryState,
    EmailMode,
    KindSetting,
    Notification,
    SchoolAlertDefault,
    SchoolNotificationSettings,
    UserSettings,
)
from village.notifications.registry import CheckRequest
from village.notifications.services.alerts import apply

HISTORY_DAYS = 21
READ_AFTER = dt.timedelta(days=3)


def demo_notifications_build(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    people = {
        user.username: user
        for user in User.objects.filter(
            username__in=["sam", "jordan", "ada", "leo", "rivera", "chen"]
        )
    }
    if len(people) < 6:
        return {"notifications": 0}
    sam, jordan, ada, leo = people["sam"], people["jordan"], people["ada"], people["leo"]
    school = Organisation.objects.filter(roles__user=leo, roles__role="student").first()
    if school is not None:
        SchoolNotificationSettings.objects.update_or_create(
            school=school, defaults={"digest_weekday": 4, "digest_hour": 16}
        )
        SchoolAlertDefault.objects.update_or_create(
            school=school,
            kind=classwork_alerts.COURSE_BELOW,
            defaults={"enabled": True, "threshold": Decimal(70)},
        )
    # Sam watches Leo's grades closely, and Ada's feedback; Jordan wants missing work only.
    AlertRule.objects.bulk_create(
        [
            AlertRule(guardian=sam, child=leo, kind=classwork_alerts.COURSE_BELOW,
                      threshold=Decimal(70)),
            AlertRule(guardian=sam, child=leo, kind=classwork_alerts.ASSIGNMENT_BELOW,
                      threshold=Decimal(60)),
            AlertRule(guardian=sam, child=ada, kind=classwork_alerts.ASSIGNMENT_ABOVE,
                      threshold=Decimal(90)),
            AlertRule(guardian=jordan, child=leo, kind=classwork_alerts.FEEDBACK, enabled=False),
        ]
    )  # fmt: skip
    KindSetting.objects.bulk_create(
        [
            KindSetting(user=sam, kind=classwork_alerts.FEEDBACK, email=EmailMode.WEEKLY),
            KindSetting(user=jordan, kind=classwork_alerts.MISSING, email=EmailMode.IMMEDIATE),
        ]
    )
    UserSettings.objects.bulk_create(
        [
            UserSettings(user=sam, quiet_start=dt.time(21), quiet_end=dt.time(7)),
            UserSettings(user=people["rivera"], teacher_daily=True),
        ]
    )
    # The history: the engine over the last three weeks, every other day.
    students = [ada.pk, leo.pk]
    for days in range(HISTORY_DAYS, -1, -2):
        moment = now - dt.timedelta(days=days)
        apply(classwork_alerts.check(CheckRequest(student_ids=students, now=moment)), now=moment)
    Notification.objects.filter(created_at__lt=now - READ_AFTER).update(
        read_at=F("created_at") + dt.timedelta(hours=5)
    )
    Delivery.objects.filter(created_at__lt=now - dt.timedelta(hours=1)).update(
        state=DeliveryState.SENT, sent_at=F("due_at"), attempts=1
    )
    return {"notifications": Notification.objects.count()}
