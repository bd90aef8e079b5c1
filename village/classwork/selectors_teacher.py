"""Reading classwork as a class's teacher: the stream, one assignment's students, the gradebook,
the grading flow and the home panel.

Every function runs a fixed number of queries, whatever the number of students, assignments and
attempts: it loads rows with ``values_list`` and computes each student's status in Python with
``village.classwork.status.work_status`` (the gradebook, with its 1,400-odd cells, reads its times
as integers and applies the same rules with ``status_from_moments``). Unlike the student's and
family's views, the teacher's cells include draft scores (feedback saved but not yet returned);
status still follows only what was returned, as the student sees it.

Callers have loaded the class through ``village.classwork.policies`` first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import NotSupportedError
from django.db.models import BigIntegerField, Count, Exists, F, Func, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from village.accounts.models import User
from village.classwork import policies
from village.classwork.grades import CourseGrade, ScoredWork, course_grade
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    ClassEvent,
    Feedback,
    GradingCategory,
    Rubric,
    RubricCriterion,
    RubricScore,
    Submission,
    Topic,
)
from village.classwork.status import WorkStatus, status_from_moments, work_status
from village.community.models import Enrollment, EnrollmentRole, SchoolClass
from village.community.policies import AnyUser
from village.core.models import RosterStatus

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

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


# --- loading one object of a class the user sees as staff -------------------------------------


def class_assignment(school_class: SchoolClass, assignment_id: int) -> Assignment:
    """An active assignment of the class, or ``Http404``."""
    found = (
        Assignment.objects.filter(
            pk=assignment_id, school_class=school_class, status=RosterStatus.ACTIVE
        )
        .select_related("topic", "category", "rubric")
        .first()
    )
    if found is None:
        raise Http404("No such assignment.")
    found.school_class = school_class
    return found


def staff_assignment(user: AnyUser, assignment_id: int) -> Assignment:
    """An active assignment of a class ``user`` sees as staff (teaches, or administers its
    school), or ``Http404``."""
    found = (
        Assignment.objects.filter(
            pk=assignment_id,
            status=RosterStatus.ACTIVE,
            school_class__in=policies.staff_classes(user).values("pk"),
        )
        .select_related("school_class", "school_class__school", "topic", "category", "rubric")
        .first()
    )
    if found is None:
        raise Http404("No such assignment.")
    return found


def class_topic(school_class: SchoolClass, topic_id: int) -> Topic:
    found = Topic.objects.filter(pk=topic_id, school_class=school_class).first()
    if found is None:
        raise Http404("No such topic.")
    return found


def category_weights(school_class: SchoolClass) -> Decimal:
    """The sum of the class's category weights (the grade scales them to 100)."""
    weights = GradingCategory.objects.filter(school_class=school_class).values_list(
        "weight", flat=True
    )
    return sum(weights, Decimal(0))


# --- building blocks -------------------------------------------------------------------------


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


# --- the class stream ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkLine:
    work: Work
    tally: Tally


@dataclass(frozen=True)
class Stream:
    current_topics: list[Topic]
    upcoming_topics: list[Topic]
    due: list[WorkLine]
    recent: list[Work]
    events: list[ClassEvent]
    students: int


#: How far back the stream's list of work due reaches (missing work shows there).
STREAM_DUE_DAYS = 7
STREAM_ITEMS = 12


def class_stream(school_class: SchoolClass, *, now: dt.datetime) -> Stream:
    """What the class studies now and next, work due lately and soon with how the students
    stand on each, work posted lately (and scheduled), and upcoming events. Seven queries."""
    today = timezone.localdate(now)
    topics = list(
        Topic.objects.filter(school_class=school_class, ends_on__gte=today).order_by(
            "starts_on", "id"
        )[:STREAM_ITEMS]
    )
    work = active_work([school_class.pk])
    due = load_work(
        work.filter(due_at__gte=now - dt.timedelta(days=STREAM_DUE_DAYS)).order_by("due_at", "id")[
            :STREAM_ITEMS
        ],
        now,
    )
    recent = load_work(work.order_by("-assign_at", "-id")[:6], now)
    events = list(
        ClassEvent.objects.filter(school_class=school_class, ends_at__gte=now).order_by(
            "starts_at", "id"
        )[:6]
    )
    students = class_students([school_class.pk])[school_class.pk]
    published = [w for w in due if w.published]
    found = cells(published, [s.id for s in students], now)
    return Stream(
        current_topics=[t for t in topics if t.starts_on <= today],
        upcoming_topics=[t for t in topics if t.starts_on > today],
        due=[
            WorkLine(w, tally(w, students, found, now) if w.published else Tally(len(students)))
            for w in due
        ],
        recent=recent,
        events=events,
        students=len(students),
    )


# --- one assignment --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StudentWork:
    student: Student
    cell: Cell


@dataclass(frozen=True)
class AssignmentPage:
    assignment: Assignment
    work: Work
    materials: list[AssignmentMaterial]
    criteria: list[RubricCriterion]
    rows: list[StudentWork]
    tally: Tally

    @property
    def first_to_grade(self) -> Student | None:
        """Where grading starts: the first student with work to grade, else the first one."""
        waiting = (row.student for row in self.rows if row.cell.needs_grading)
        return next(waiting, self.rows[0].student if self.rows else None)


def _work_of(assignment: Assignment, now: dt.datetime) -> Work:
    return Work(
        id=assignment.pk,
        class_id=assignment.school_class_id,
        title=assignment.title,
        assign_at=assignment.assign_at,
        due_at=assignment.due_at,
        points=assignment.points,
        category_id=assignment.category_id,
        topic_title=assignment.topic.title if assignment.topic else "",
        has_rubric=assignment.rubric_id is not None,
        visible_to_families=assignment.visible_to_families,
        published=assignment.assign_at <= now,
    )


def rubric_criteria(assignment: Assignment) -> list[RubricCriterion]:
    """The rubric's criteria with their levels (two queries; none without a rubric)."""
    if assignment.rubric_id is None:
        return []
    return list(RubricCriterion.objects.filter(rubric=assignment.rubric).prefetch_related("levels"))


def student_work(assignment: Assignment, *, now: dt.datetime) -> tuple[Work, list[StudentWork]]:
    """Every current student of the class with their cell on the assignment (three queries)."""
    work = _work_of(assignment, now)
    students = class_students([assignment.school_class_id])[assignment.school_class_id]
    found = cells([work], [s.id for s in students], now)
    return work, [StudentWork(s, cell_for(found, work, s.id, now)) for s in students]


def assignment_page(assignment: Assignment, *, now: dt.datetime) -> AssignmentPage:
    """The assignment with its materials and rubric, and every student's status. Six queries."""
    work, rows = student_work(assignment, now=now)
    students = [row.student for row in rows]
    found = {(work.id, row.student.id): row.cell for row in rows}
    return AssignmentPage(
        assignment=assignment,
        work=work,
        materials=list(assignment.materials.all()),
        criteria=rubric_criteria(assignment),
        rows=rows,
        tally=tally(work, students, found, now),
    )


# --- the gradebook ---------------------------------------------------------------------------


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


# --- the grading flow ------------------------------------------------------------------------


@dataclass(frozen=True)
class GradingPage:
    assignment: Assignment
    work: Work
    student: User
    cell: Cell
    position: int
    total: int
    previous_id: int | None
    next_id: int | None
    next_ungraded_id: int | None
    submissions: list[Submission]
    feedback: Feedback | None
    criteria: list[RubricCriterion]
    chosen_levels: dict[int, int]


def grading_page(assignment: Assignment, student_id: int, *, now: dt.datetime) -> GradingPage:
    """One student's work on the assignment (every attempt, latest first), the feedback saved so
    far and the rubric, with the students before and after and the next one with work to grade.

    Raises ``Http404`` when the student is not (or no longer) in the class."""
    work, rows = student_work(assignment, now=now)
    index = next((i for i, row in enumerate(rows) if row.student.id == student_id), None)
    if index is None:
        raise Http404("No such student.")
    later = rows[index + 1 :] + rows[:index]
    student = User.objects.get(pk=student_id)
    feedback = Feedback.objects.filter(assignment=assignment, student_id=student_id).first()
    chosen = (
        dict(
            RubricScore.objects.filter(feedback=feedback, level__isnull=False).values_list(
                "criterion_id", "level_id"
            )
        )
        if feedback is not None and assignment.rubric_id is not None
        else {}
    )
    return GradingPage(
        assignment=assignment,
        work=work,
        student=student,
        cell=rows[index].cell,
        position=index + 1,
        total=len(rows),
        previous_id=rows[index - 1].student.id if index > 0 else None,
        next_id=rows[index + 1].student.id if index + 1 < len(rows) else None,
        next_ungraded_id=next((r.student.id for r in later if r.cell.needs_grading), None),
        submissions=list(
            Submission.objects.filter(assignment=assignment, student_id=student_id).order_by(
                "-attempt"
            )
        ),
        feedback=feedback,
        criteria=rubric_criteria(assignment),
        chosen_levels={k: v for k, v in chosen.items() if v is not None},
    )


# --- the teacher's home panel ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassGlance:
    class_id: int
    title: str
    to_grade: int
    missing_this_week: int
    next_due: Work | None


def week_start(now: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """Monday 00:00 of ``now``'s week, in ``tz`` (the current time zone by default)."""
    local = timezone.localtime(now, tz)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time.min, tzinfo=local.tzinfo)


def teacher_glance(
    classes: Sequence[SchoolClass], *, now: dt.datetime, tz: dt.tzinfo | None = None
) -> list[ClassGlance]:
    """For each class: work handed in and waiting for feedback, work that went missing this
    week, and the next work due. Four queries, whatever the number of classes."""
    class_ids = [c.pk for c in classes]
    students = class_students(class_ids)
    works = load_work(active_work(class_ids).order_by("due_at", "id"), now)
    every_student = {s.id for group in students.values() for s in group}
    found = cells([w for w in works if w.published], every_student, now)
    monday = week_start(now, tz)
    glances = []
    for school_class in classes:
        own = [w for w in works if w.class_id == school_class.pk]
        to_grade = missing = 0
        for work in own:
            if not work.published:
                continue
            recent = work.due_at is not None and monday <= work.due_at < now
            for student in students[school_class.pk]:
                status = cell_for(found, work, student.id, now).status
                to_grade += status in TO_GRADE
                missing += recent and status == WorkStatus.MISSING
        upcoming = [w for w in own if w.due_at is not None and w.due_at >= now]
        glances.append(
            ClassGlance(
                class_id=school_class.pk,
                title=school_class.title,
                to_grade=to_grade,
                missing_this_week=missing,
                next_due=min(upcoming, key=lambda w: (w.due_at, w.id)) if upcoming else None,
            )
        )
    return glances


# --- rubrics ---------------------------------------------------------------------------------


def rubric_scores(rubric: Rubric | OuterRef) -> QuerySet[RubricScore]:
    """The scores given with the rubric: on its criteria, or on feedback for work graded with it
    (``rubric`` may be an ``OuterRef`` to a rubric's id)."""
    return RubricScore.objects.filter(
        Q(criterion__rubric=rubric) | Q(feedback__assignment__rubric=rubric)
    )


@dataclass(frozen=True)
class RubricLine:
    """A rubric on the class's rubrics page."""

    rubric: Rubric
    criteria: list[RubricCriterion]
    max_points: Decimal
    uses: int
    scored: bool


def class_rubrics(school_class: SchoolClass) -> list[RubricLine]:
    """The class's rubrics with their criteria and levels, how many pieces of work each grades
    and whether work was scored on it (three queries, however many rubrics)."""
    rubrics = (
        Rubric.objects.filter(school_class=school_class)
        .annotate(
            uses=Count("assignments"),
            scored=Exists(rubric_scores(OuterRef("pk"))),
        )
        .prefetch_related("criteria__levels")
    )
    lines = []
    for rubric in rubrics:
        criteria = list(rubric.criteria.all())
        best = (max((lv.points for lv in c.levels.all()), default=Decimal(0)) for c in criteria)
        lines.append(
            RubricLine(
                rubric=rubric,
                criteria=criteria,
                max_points=sum(best, Decimal(0)),
                uses=getattr(rubric, "uses", 0),
                scored=getattr(rubric, "scored", False),
            )
        )
    return lines
