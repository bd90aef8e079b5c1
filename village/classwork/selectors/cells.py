"""The teacher's building blocks: a class's students, its work, and each student's cell on it.

Every function runs a fixed number of queries, whatever the number of students, assignments and
attempts: it loads rows with ``values_list`` and computes each student's status in Python with
``village.classwork.status.work_status``. Unlike the student's and family's views, the teacher's
cells include draft scores (feedback saved but not yet returned); status still follows only what
was returned, as the student sees it.

Callers have loaded the class through ``village.classwork.policies`` first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from village.classwork.models import (
    Assignment,
    Feedback,
    Submission,
)
from village.classwork.status import WorkStatus, work_status
from village.community.models import Enrollment, EnrollmentRole
from village.core.models import RosterStatus

#: Statuses that mean the teacher has work to look at.
TO_GRADE = frozenset({WorkStatus.SUBMITTED, WorkStatus.LATE})


@dataclass(frozen=True, slots=True)
class Student:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Work:
    """One assignment as a row of the teacher's lists or a column of the gradebook."""

    id: int
    class_id: int
    title: str
    assign_at: dt.datetime
    due_at: dt.datetime | None
    points: Decimal | None
    category_id: int | None
    topic_title: str
    has_rubric: bool
    visible_to_families: bool
    published: bool


@dataclass(frozen=True, slots=True)
class Cell:
    """One student's position on one assignment, as the teacher sees it."""

    status: WorkStatus
    attempts: int = 0
    submitted_at: dt.datetime | None = None
    #: The latest attempt came in after the due time (also once graded).
    late: bool = False
    #: The score saved by the teacher, returned or not.
    score: Decimal | None = None
    returned_at: dt.datetime | None = None
    excused: bool = False
    #: Feedback is saved but not yet returned.
    draft: bool = False
    #: Returned feedback has changes kept but not returned yet (the score is the returned one).
    changes: bool = False

    @property
    def needs_grading(self) -> bool:
        return self.status in TO_GRADE


def class_students(class_ids: Collection[int]) -> dict[int, list[Student]]:
    """Each class's current students by last name (one query)."""
    rows = (
        Enrollment.objects.current(timezone.localdate())
        .filter(
            school_class_id__in=list(class_ids),
            role=EnrollmentRole.STUDENT,
            user__is_active=True,
        )
        .order_by("user__last_name", "user__first_name", "user_id")
        .values_list(
            "school_class_id",
            "user_id",
            "user__first_name",
            "user__preferred_name",
            "user__last_name",
            "user__username",
        )
    )
    students: dict[int, list[Student]] = {class_id: [] for class_id in class_ids}
    seen: set[tuple[int, int]] = set()
    for class_id, user_id, first, preferred, last, username in rows:
        if (class_id, user_id) in seen:
            continue
        seen.add((class_id, user_id))
        name = f"{preferred or first} {last}".strip() or username
        students[class_id].append(Student(id=user_id, name=name))
    return students


_WORK_FIELDS = (
    "pk",
    "school_class_id",
    "title",
    "assign_at",
    "due_at",
    "points",
    "category_id",
    "topic__title",
    "rubric_id",
    "visible_to_families",
)


def load_work(queryset: QuerySet[Assignment], now: dt.datetime) -> list[Work]:
    """Evaluate an assignment queryset into ``Work`` rows (one query)."""
    return [
        Work(
            id=pk,
            class_id=class_id,
            title=title,
            assign_at=assign_at,
            due_at=due_at,
            points=points,
            category_id=category_id,
            topic_title=topic or "",
            has_rubric=rubric_id is not None,
            visible_to_families=bool(families),
            published=assign_at <= now,
        )
        for (
            pk,
            class_id,
            title,
            assign_at,
            due_at,
            points,
            category_id,
            topic,
            rubric_id,
            families,
        ) in queryset.values_list(*_WORK_FIELDS)
    ]


def active_work(class_ids: Collection[int]) -> QuerySet[Assignment]:
    """The classes' active assignments, published or scheduled (a queryset)."""
    return Assignment.objects.filter(
        school_class_id__in=list(class_ids), status=RosterStatus.ACTIVE
    )


def cells(
    works: Sequence[Work], student_ids: Collection[int], now: dt.datetime
) -> dict[tuple[int, int], Cell]:
    """The cell of every (assignment id, student id) pair that has handed in or has feedback;
    pairs left out have nothing yet (see ``cell_for``). Two queries."""
    if not works or not student_ids:
        return {}
    ids = [work.id for work in works]
    handed_in = {
        (assignment_id, student_id): (latest, attempts)
        for assignment_id, student_id, latest, attempts in Submission.objects.filter(
            assignment_id__in=ids, student_id__in=list(student_ids)
        )
        .values("assignment_id", "student_id")
        .annotate(latest=Max("submitted_at"), attempts=Count("pk"))
        .values_list("assignment_id", "student_id", "latest", "attempts")
        .order_by()
    }
    feedback = {
        (assignment_id, student_id): (score, returned_at, excused, changed)
        for assignment_id, student_id, score, returned_at, excused, changed in (
            Feedback.objects.filter(assignment_id__in=ids, student_id__in=list(student_ids))
            .values_list(
                "assignment_id", "student_id", "score", "returned_at", "excused", "draft_saved_at"
            )
            .order_by()
        )
    }
    due = {work.id: work.due_at for work in works}
    result: dict[tuple[int, int], Cell] = {}
    for key in handed_in.keys() | feedback.keys():
        latest, attempts = handed_in.get(key, (None, 0))
        score, returned_at, excused, changed = feedback.get(key, (None, None, False, None))
        due_at = due[key[0]]
        result[key] = Cell(
            status=work_status(
                due_at=due_at,
                submitted_at=latest,
                returned_at=returned_at,
                excused=excused,
                now=now,
            ),
            attempts=attempts,
            submitted_at=latest,
            late=latest is not None and due_at is not None and latest > due_at,
            score=score,
            returned_at=returned_at,
            excused=excused,
            draft=key in feedback and returned_at is None and (score is not None),
            changes=returned_at is not None and changed is not None,
        )
    return result


def cell_for(
    found: dict[tuple[int, int], Cell], work: Work, student_id: int, now: dt.datetime
) -> Cell:
    """The cell of one pair, computed for a pair with nothing handed in and no feedback."""
    cell = found.get((work.id, student_id))
    if cell is not None:
        return cell
    missing = work.due_at is not None and work.due_at < now
    return _MISSING if missing else _NOT_YET_DUE


_MISSING = Cell(status=WorkStatus.MISSING)
_NOT_YET_DUE = Cell(status=WorkStatus.NOT_YET_DUE)


@dataclass(frozen=True, slots=True)
class Tally:
    """How the students of a class stand on one assignment."""

    students: int = 0
    handed_in: int = 0
    missing: int = 0
    to_grade: int = 0
    graded: int = 0
    excused: int = 0


def tally(
    work: Work, students: Sequence[Student], found: dict[tuple[int, int], Cell], now: dt.datetime
) -> Tally:
    counts = dict.fromkeys(WorkStatus, 0)
    handed_in = 0
    for student in students:
        cell = cell_for(found, work, student.id, now)
        counts[cell.status] += 1
        handed_in += cell.attempts > 0
    return Tally(
        students=len(students),
        handed_in=handed_in,
        missing=counts[WorkStatus.MISSING],
        to_grade=counts[WorkStatus.SUBMITTED] + counts[WorkStatus.LATE],
        graded=counts[WorkStatus.GRADED],
        excused=counts[WorkStatus.EXCUSED],
    )
