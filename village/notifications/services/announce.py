"""Class and school announcements reach families and students: the hook messaging calls.

:func:`announce` writes one notification per recipient (the class's students and their
guardians, or a school's), in the caller's transaction, keyed by the announcement so posting it
twice tells nobody twice. A guardian hears it once, however many of their children it
concerns, if their rule for any of those children wants it; ``no_access`` and inactive links
hear nothing; a link that does not receive
communications keeps it in Village. An **urgent** announcement goes out at once, whatever the
hour, the week's budget or the recipient's email setting for announcements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from village.accounts.models import User
from village.community.models import (
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    LinkStatus,
    OrgRole,
    Role,
    Scope,
)
from village.notifications import registry
from village.notifications.models import EmailMode, Notification
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.notify import Pending, notify
from village.notifications.services.rules import effective_rules

CLASS_ANNOUNCEMENT = "class_announcement"
SCHOOL_ANNOUNCEMENT = "school_announcement"
URGENT_ANNOUNCEMENT = "urgent_announcement"


def register() -> None:
    registry.register_kind(
        AlertKind(
            CLASS_ANNOUNCEMENT,
            _("Class announcements"),
            Audience.GUARDIAN,
            Scope.CLASSWORK,
            per_child=True,
            sms=False,
            order=60,
        )
    )
    registry.register_kind(
        AlertKind(
            SCHOOL_ANNOUNCEMENT,
            _("School announcements"),
            Audience.GUARDIAN,
            Scope.CLASSWORK,
            per_child=True,
            default_email=EmailMode.DAILY,
            budgeted=False,
            order=61,
        )
    )
    registry.register_kind(
        AlertKind(
            URGENT_ANNOUNCEMENT,
            _("Urgent school messages"),
            Audience.ANYONE,
            Scope.CLASSWORK,
            urgent=True,
            sms=True,
            budgeted=False,
            help=_("Closures and emergencies: always sent, at any hour."),
            order=1,
        )
    )


def announce(
    *,
    key: str,
    school_id: int,
    compose: Callable[[], tuple[str, str]],
    target: str = "",
    class_id: int | None = None,
    urgent: bool = False,
    students: bool = True,
    now: dt.datetime | None = None,
) -> list[Notification]:
    """Tell the families (and, with ``students``, the students) of a class, or of a whole
    school when ``class_id`` is ``None``. ``key`` names the announcement (its id); ``target``
    is where it is read (a guardian without one is taken to the child's page)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if class_id is not None:
        student_ids = set(
            Enrollment.objects.current(today)
            .filter(school_class_id=class_id, role=EnrollmentRole.STUDENT)
            .values_list("user_id", flat=True)
        )
        kind = CLASS_ANNOUNCEMENT
    else:
        student_ids = set(
            OrgRole.objects.current(today)
            .filter(organisation_id=school_id, role=Role.STUDENT)
            .values_list("user_id", flat=True)
        )
        kind = SCHOOL_ANNOUNCEMENT
    if urgent:
        kind = URGENT_ANNOUNCEMENT
    links = list(
        GuardianLink.objects.filter(
            Q(student_id__in=student_ids),
            status=LinkStatus.ACTIVE,
            no_access=False,
            guardian__is_active=True,
        ).select_related("guardian")
    )
    rules = (
        {}
        if urgent
        else effective_rules(
            {(link.guardian_id, link.student_id) for link in links},
            dict.fromkeys(student_ids, school_id),
        )
    )
    # Once per guardian, whatever the number of their children it concerns: sent when any of
    # those children's links wants it, by email when any of them receives communications.
    wanted: dict[int, list[GuardianLink]] = {}
    for link in links:
        if not urgent:
            rule = rules.get((link.guardian_id, link.student_id), {}).get(kind)
            if rule is None or not rule.enabled:
                continue
        wanted.setdefault(link.guardian_id, []).append(link)
    pending: list[Pending] = []
    for guardian_links in wanted.values():
        first = min(guardian_links, key=lambda link: link.student_id)
        pending.append(
            Pending(
                recipient=first.guardian,
                kind=kind,
                key=key,
                compose=compose,
                link=target or reverse("families:child", args=[first.student_id]),
                child_id=first.student_id if len(guardian_links) == 1 else None,
                school_id=school_id,
                subject=f"announcement:{key}",
                email=urgent or any(link.receives_communications for link in guardian_links),
            )
        )
    if students:
        for student in User.objects.filter(pk__in=student_ids, is_active=True):
            pending.append(
                Pending(
                    recipient=student,
                    kind=kind,
                    key=key,
                    compose=compose,
                    link=target,
                    school_id=school_id,
                    subject=f"announcement:{key}",
                )
            )
    return notify(pending, now=now)
