"""Conferences' versions of what families see (``village.families.versions``): each write that
can change a child's conferences part of the family overview gives the children concerned a new
token, in the same transaction.

- a booking made, moved or cancelled: its child;
- a round started, changed, published or withdrawn: the students of its school;
- slots added or cancelled: the students the teacher teaches now.
"""

from __future__ import annotations

from collections.abc import Iterable

from village.community.models import Enrollment, EnrollmentRole, OrgRole, Role
from village.community.policies import today
from village.families.versions import students_changed

AREA = "conferences"


def children_changed(child_ids: Iterable[int]) -> None:
    students_changed(AREA, child_ids)


def school_changed(school_id: int) -> None:
    """Every student of the school now (one read, one upsert per thousand)."""
    students = (
        OrgRole.objects.current(today())
        .filter(organisation_id=school_id, role=Role.STUDENT)
        .values_list("user_id", flat=True)
    )
    students_changed(AREA, students)


def teacher_students_changed(teacher_id: int) -> None:
    """The students of the classes the teacher teaches now (one read, one upsert per
    thousand)."""
    current = Enrollment.objects.current(today())
    taught = current.filter(user_id=teacher_id, role=EnrollmentRole.TEACHER).values(
        "school_class_id"
    )
    students = current.filter(role=EnrollmentRole.STUDENT, school_class_id__in=taught)
    students_changed(AREA, students.values_list("user_id", flat=True))
