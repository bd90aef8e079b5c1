"""Small builders for classwork rows in tests.

Like the services, each gives the class or student a new work version
(``village.classwork.versions``), so summaries built earlier in a test are rebuilt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from village.accounts.models import User
from village.classwork import versions
from village.classwork.models import Assignment, Feedback, Rubric, Submission
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, rubric_create
from village.community.models import SchoolClass
from village.demo.personas import Personas
from village.families.models import ReaderVersion, StudentVersion


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


def field_of(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


def levels(*points: int) -> list[LevelSpec]:
    names = ["Excellent", "Good", "Developing", "Beginning"]
    return [LevelSpec(title=names[i], points=Decimal(p)) for i, p in enumerate(points)]


def water_rubric(p: Personas) -> Rubric:
    return rubric_create(
        school_class=p.science8,
        title="Lab report",
        criteria=[
            CriterionSpec(title="Hypothesis", levels=levels(4, 3, 2, 1)),
            CriterionSpec(title="Evidence", levels=levels(6, 4, 2)),
        ],
    )


def version_tokens(user_ids: list[int] | Any) -> dict[int, tuple[int, int]]:
    """Each user's classwork versions as stored: (the student's, the reader's), ``UNCHANGED``
    where there is no row."""
    ids = list(user_ids)
    work = dict(
        StudentVersion.objects.filter(area=versions.AREA, student_id__in=ids).values_list(
            "student_id", "token"
        )
    )
    seen = dict(
        ReaderVersion.objects.filter(area=versions.AREA, reader_id__in=ids).values_list(
            "reader_id", "token"
        )
    )
    return {pk: (work.get(pk, versions.UNCHANGED), seen.get(pk, versions.UNCHANGED)) for pk in ids}
