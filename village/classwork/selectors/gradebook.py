"""The gradebook: students by assignments, with each student's course grade."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import NotSupportedError
from django.db.models import BigIntegerField, F, Func, Max
from django.db.models.functions import Coalesce

from village.classwork.grades import CourseGrade, ScoredWork, course_grade
from village.classwork.models import (
    Feedback,
    GradingCategory,
    Submission,
)
from village.classwork.selectors.cells import Student, Work, active_work, class_students, load_work
from village.classwork.status import WorkStatus, status_from_moments
from village.community.models import SchoolClass

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class GradebookCell(NamedTuple):
    """What one cell of the gradebook shows: the status, the score saved by the teacher (returned
    or not), whether that score is a draft (saved but not returned yet) and whether returned
    feedback has changes waiting to be returned."""

    status: WorkStatus
    score: Decimal | None = None
    draft: bool = False
    #: Returned feedback with changes saved but not returned yet (the score is the returned one).
    changes: bool = False


@dataclass(frozen=True, slots=True)
class GradebookRow:
    student: Student
    cells: list[GradebookCell]
    grade: CourseGrade
    missing: int
    late: int

    @property
    def needs_attention(self) -> bool:
        return bool(self.missing or self.late)


@dataclass(frozen=True)
class Gradebook:
    columns: list[Work]
    rows: list[GradebookRow]
    categories: dict[int, GradingCategory] = field(default_factory=dict)
    #: Students in the class, whether the filter shows them or not.
    students: int = 0


def gradebook(
    school_class: SchoolClass,
    *,
    now: dt.datetime,
    tz: dt.tzinfo | None = None,
    attention_only: bool = False,
) -> Gradebook:
    """Students by assignments, newest work first, with each student's course grade (weighted by
    the class's categories) and its trend. ``attention_only`` keeps students with missing or
    late work. Five queries."""
    categories = {c.pk: c for c in GradingCategory.objects.filter(school_class=school_class)}
    weights = {pk: c.weight for pk, c in categories.items()}
    columns = load_work(
        active_work([school_class.pk]).order_by(
            Coalesce("due_at", "assign_at").desc(), F("id").desc()
        ),
        now,
    )
    students = class_students([school_class.pk])[school_class.pk]
    rows = _gradebook_rows(columns, students, weights, now, tz)
    if attention_only:
        rows = [row for row in rows if row.needs_attention]
    return Gradebook(columns=columns, rows=rows, categories=categories, students=len(students))


class Microseconds(Func):
    """A moment as whole microseconds since 1970 (UTC), computed by the database.

    The gradebook reads its 2,000-odd times this way: an integer costs the database driver far
    less to read than a datetime, and keeps the order ``status_from_moments`` compares."""

    output_field = BigIntegerField()

    def as_sql(self, *args: Any, **kwargs: Any) -> tuple[str, list[Any]]:
        raise NotSupportedError("Microseconds is written for PostgreSQL and SQLite.")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        # EXTRACT gives an exact numeric (PostgreSQL 14 and later).
        return f"(EXTRACT(EPOCH FROM {sql}) * 1000000)::bigint", list(params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        # Django keeps a moment as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]": the whole seconds
        # (without the fraction, which strftime would round to milliseconds), then the fraction
        # padded to six digits. ("%%" is a literal "%" once parameters are bound.)
        return (
            f"(CAST(strftime('%%s', substr({sql}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({sql} || '000000', 21, 6) AS INTEGER))",
            [*params, *params],
        )

    def get_db_converters(self, connection: BaseDatabaseWrapper) -> list[Any]:
        return []  # both drivers return an int already


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def microseconds(moment: dt.datetime) -> int:
    """What ``Microseconds`` computes, for an aware datetime in Python."""
    return (moment - _EPOCH) // _MICROSECOND


#: The cells without a score, one of each status.
_WITHOUT_SCORE = {status: GradebookCell(status) for status in WorkStatus}


def _gradebook_rows(
    columns: Sequence[Work],
    students: Sequence[Student],
    weights: dict[int, Decimal],
    now: dt.datetime,
    tz: dt.tzinfo | None,
) -> list[GradebookRow]:
    """Every student's row: cells, counts and course grade (two queries).

    A 35-by-40 gradebook has 1,400 cells, so the work per cell is kept small: the database
    returns the latest attempt's time and the feedback's return time as integers
    (``Microseconds``), which ``status_from_moments`` compares as ``work_status`` compares the
    datetimes, and a return time becomes a datetime again only for work that counts in the
    course grade. Scheduled work shows as not yet due, whatever was handed in."""
    now_at = microseconds(now)
    due = {
        work.id: None if work.due_at is None else microseconds(work.due_at)
        for work in columns
        if work.published
    }
    # The cell of a student with nothing handed in and no feedback.
    empty = [
        _WITHOUT_SCORE[
            status_from_moments(
                due_at=due[work.id], submitted_at=None, returned_at=None, excused=False, now=now_at
            )
            if work.published
            else WorkStatus.NOT_YET_DUE
        ]
        for work in columns
    ]
    cells = {student.id: list(empty) for student in students}
    scored: dict[int, list[ScoredWork]] = {student.id: [] for student in students}
    if due and students:
        position = {work.id: index for index, work in enumerate(columns)}
        counts = {work.id: (work.category_id, work.points) for work in columns if work.points}
        ids, student_ids = list(due), list(cells)
        latest = {
            (assignment_id, student_id): at
            for assignment_id, student_id, at in Submission.objects.filter(
                assignment_id__in=ids, student_id__in=student_ids
            )
            .values("assignment_id", "student_id")
            .annotate(latest=Microseconds(Max("submitted_at")))
            .values_list("assignment_id", "student_id", "latest")
            .order_by()
        }
        feedback = (
            Feedback.objects.filter(assignment_id__in=ids, student_id__in=student_ids)
            .values_list(
                "assignment_id",
                "student_id",
                "score",
                Microseconds("returned_at"),
                "excused",
                "draft_saved_at",
            )
            .order_by()
        )
        for assignment_id, student_id, score, returned, excused, changed in feedback:
            status = status_from_moments(
                due_at=due[assignment_id],
                submitted_at=latest.pop((assignment_id, student_id), None),
                returned_at=returned,
                excused=excused,
                now=now_at,
            )
            changes = returned is not None and changed is not None
            cells[student_id][position[assignment_id]] = (
                GradebookCell(status, score, returned is None, changes)
                if score is not None or changes
                else _WITHOUT_SCORE[status]
            )
            if returned is not None and score is not None and not excused:
                counted = counts.get(assignment_id)
                if counted is not None:
                    category_id, out_of = counted
                    # timedelta(0, 0, n) is n microseconds (positional: about twice as fast).
                    returned_at = _EPOCH + dt.timedelta(0, 0, returned)
                    scored[student_id].append(ScoredWork(category_id, score, out_of, returned_at))
        for (assignment_id, student_id), at in latest.items():
            status = status_from_moments(
                due_at=due[assignment_id],
                submitted_at=at,
                returned_at=None,
                excused=False,
                now=now_at,
            )
            cells[student_id][position[assignment_id]] = _WITHOUT_SCORE[status]
    rows = []
    for student in students:
        row = cells[student.id]
        statuses = [cell.status for cell in row]
        rows.append(
            GradebookRow(
                student=student,
                cells=row,
                grade=course_grade(scored[student.id], weights, tz=tz),
                missing=statuses.count(WorkStatus.MISSING),
                late=statuses.count(WorkStatus.LATE),
            )
        )
    return rows
