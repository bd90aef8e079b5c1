"""Class and school announcements reach families and students: the announcement kinds, and a
hook for telling a class or a school something (``village.announcements`` writes its own
recipients and uses the same writer, ``services.broadcast``).

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
from typing import Any

from django.db.models import Q, QuerySet
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
from village.notifications.models import EmailMode
from village.notifications.registry import AlertKind, Audience
from village.notifications.services.broadcast import AudienceRow, Broadcast, Sent, Words, broadcast

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
) -> Sent:
    """Tell the families (and, with ``students``, the students) of a class, or of a whole
    school when ``class_id`` is ``None``. ``key`` names the announcement (its id); ``target``
    is where it is read (a guardian without one is taken to the child's page). Written
    set-based by :func:`~village.notifications.services.broadcast.broadcast`."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    student_ids: QuerySet[Any]
    if class_id is not None:
        student_ids = (
            Enrollment.objects.current(today)
            .filter(school_class_id=class_id, role=EnrollmentRole.STUDENT)
            .values("user_id")
        )
        kind = CLASS_ANNOUNCEMENT
    else:
        student_ids = (
            OrgRole.objects.current(today)
            .filter(organisation_id=school_id, role=Role.STUDENT)
            .values("user_id")
        )
        kind = SCHOOL_ANNOUNCEMENT
    if urgent:
        kind = URGENT_ANNOUNCEMENT
    links = GuardianLink.objects.filter(
        student_id__in=student_ids, status=LinkStatus.ACTIVE, no_access=False
    )
    audience: list[AudienceRow] = [
        (guardian_id, student_id, school_id, urgent or communications)
        for guardian_id, student_id, communications in links.values_list(
            "guardian_id", "student_id", "receives_communications"
        )
    ]
    reached = Q(pk__in=links.values("guardian_id"))
    if students:
        audience += [(pk, None, None, True) for pk in student_ids.values_list("user_id", flat=True)]
        reached |= Q(pk__in=student_ids)
    message = Broadcast(
        kind=kind,
        key=key,
        compose=lambda _language: Words(*compose()),
        email_template="notifications/email/broadcast",
        link=target,
        subject=f"announcement:{key}",
        child_link=None if target else _child_page,
    )
    return broadcast(
        message, audience=audience, users=User.objects.filter(reached).values("pk"), now=now
    )


def _child_page(child_id: int) -> str:
    return reverse("families:child", args=[child_id])
