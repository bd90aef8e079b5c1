"""Small builders for classwork rows in tests.

Like the services, each gives the class or student a new work version
(``village.classwork.versions``), so summaries built earlier in a test are rebuilt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from village.accounts.models import User
from village.classwork import versions
from village.classwork.models import Assignment, Feedback, Submission
from village.community.models import SchoolClass


def assignment(
    school_class: SchoolClass,
    title: str = "Worksheet",
    *,
    due_in_days: float | None = 3,
    assigned_days_ago: float = 7,
    points: int | None = 10,
    **fields: Any,
) -> Assignment:
    now = timezone.now()
    assign_at = now - dt.timedelta(days=assigned_days_ago)
    due_at = None if due_in_days is None else now + dt.timedelta(days=due_in_days)
    created = Assignment.objects.create(
        school_class=school_class,
        title=title,
        assign_at=assign_at,
        due_at=due_at,
        points=None if points is None else Decimal(points),
        **fields,
    )
    versions.classes_changed([school_class.pk])
    return created


def hand_in(
    work: Assignment, student: User, *, days_ago: float = 0, attempt: int = 1, text: str = "Done"
) -> Submission:
    versions.students_changed([student.pk])
    return Submission.objects.create(
        assignment=work,
        student=student,
        attempt=attempt,
        text=text,
        submitted_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def feedback(
    work: Assignment,
    student: User,
    *,
    score: int | None = 8,
    comment: str = "Good work.",
    returned: bool = True,
    excused: bool = False,
) -> Feedback:
    versions.students_changed([student.pk])
    return Feedback.objects.create(
        assignment=work,
        student=student,
        score=None if score is None else Decimal(score),
        comment=comment,
        excused=excused,
        returned_at=timezone.now() if returned else None,
    )
