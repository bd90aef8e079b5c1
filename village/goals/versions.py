"""Goals' versions of what families see (``village.families.versions``): each write that can
change a child's goals part of the family pages gives the children concerned a new token, in
the same transaction.

- a plan chosen, ordered, sent, approved; an effort, feedback, a goal met; encouragement and
  requests for help: the plan's student;
- a set changed, published or hidden, a goal or group added, changed or removed: the students
  of its class now.
"""

from __future__ import annotations

from collections.abc import Iterable

from village.community.models import Enrollment, EnrollmentRole
from village.community.policies import today
from village.families.versions import students_changed

AREA = "goals"


def children_changed(child_ids: Iterable[int]) -> None:
    students_changed(AREA, child_ids)


def class_changed(class_id: int) -> None:
    """Every student of the class now (one read, one upsert per thousand)."""
    students = Enrollment.objects.current(today()).filter(
        school_class_id=class_id, role=EnrollmentRole.STUDENT
    )
    students_changed(AREA, students.values_list("user_id", flat=True))
