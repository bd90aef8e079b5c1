"""Reads for the student's pages and the shared assignment page: "my work" across classes, and
one assignment as its student or their guardian sees it.

Each function runs a fixed number of queries, however many classes, assignments, attempts or
children it shows. They start from what the access policy already allowed (the caller loads the
assignment through ``policies``); they never widen it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from village.accounts.models import User
from village.classwork import policies
from village.classwork.grades import percent
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    Feedback,
    FeedbackSeen,
    Submission,
)
from village.classwork.selectors.events import UpcomingEvent, upcoming_events
from village.classwork.selectors.rubrics import (
    RubricRow,
    ScoreLine,
    assessment_lines,
    scores_prefetch,
)
from village.classwork.selectors.work import WorkItem, current_classes, work_items
from village.classwork.status import WorkStatus, work_status
from village.community.policies import student_schools

# --- my work ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyWorkItem:
    """One piece of a student's work, with its due date counted in the viewer's calendar."""

    work: WorkItem
    #: Calendar days from today to the due date (negative once past); ``None`` without a due
    #: time. Counted in the active time zone, which is the viewer's own.
    due_in_days: int | None

    @property
    def days_overdue(self) -> int:
        """Whole days since the due date (0 while it has not passed)."""
        return max(0, -(self.due_in_days or 0))


@dataclass
class MyWork:
    """A student's work across their current classes, in the four lists of the "my work" page."""

    to_do: list[MyWorkItem] = field(default_factory=list)
    missing: list[MyWorkItem] = field(default_factory=list)
    done: list[MyWorkItem] = field(default_factory=list)
    #: Returned feedback the student has not opened yet.
    feedback: list[MyWorkItem] = field(default_factory=list)
    class_count: int = 0
    #: Events of the student's classes coming up (``events.AHEAD``).
    events: list[UpcomingEvent] = field(default_factory=list)

    @property
    def next_due(self) -> MyWorkItem | None:
        return self.to_do[0] if self.to_do else None


_FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)
_FAR_PAST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _days_until(due_at: dt.datetime | None, today: dt.date) -> int | None:
    if due_at is None:
        return None
    return (timezone.localtime(due_at).date() - today).days


def _by_due(item: MyWorkItem) -> tuple[bool, dt.datetime, str, int]:
    work = item.work
    return (work.due_at is None, work.due_at or _FAR_FUTURE, work.title, work.assignment_id)


def _latest_activity(item: MyWorkItem) -> dt.datetime:
    work = item.work
    return max(work.returned_at or _FAR_PAST, work.submitted_at or _FAR_PAST)


def my_work(student: User, *, now: dt.datetime | None = None) -> MyWork:
    """``student``'s work in every current class, and the classes' events coming up (five
    queries).

    To do and missing are in due order (work without a due time last); done and feedback to
    read, most recent first.
    """
    now = now or timezone.now()
    classes = current_classes([student.pk])
    today = timezone.localtime(now).date()
    items = [
        MyWorkItem(work=work, due_in_days=_days_until(work.due_at, today))
        for work in work_items(classes, viewer_id=student.pk, now=now)
    ]
    mine = classes.get(student.pk, [])
    result = MyWork(
        class_count=len(mine),
        events=upcoming_events(dict(mine), now=now, families_only=False),
    )
    for item in items:
        status = item.work.status
        if status == WorkStatus.NOT_YET_DUE:
            result.to_do.append(item)
        elif status == WorkStatus.MISSING:
            result.missing.append(item)
        else:
            result.done.append(item)
        if item.work.has_feedback and not item.work.seen:
            result.feedback.append(item)
    result.to_do.sort(key=_by_due)
    result.missing.sort(key=_by_due)
    result.done.sort(key=_latest_activity, reverse=True)
    result.feedback.sort(key=lambda item: item.work.returned_at or _FAR_PAST, reverse=True)
    return result


# --- one assignment --------------------------------------------------------------------------


def materials(assignment: Assignment) -> list[AssignmentMaterial]:
    return list(assignment.materials.all())


@dataclass(frozen=True)
class ReturnedFeedback:
    """Feedback the teacher returned (or the note that the work is excused).

    ``score``, ``percent`` and ``rubric`` are empty when the viewer may not see grades.
    """

    id: int
    comment: str
    excused: bool
    returned_at: dt.datetime | None
    seen: bool
    score: Decimal | None
    points: Decimal | None
    rubric: list[ScoreLine]

    @property
    def percent(self) -> Decimal | None:
        if self.score is None or not self.points:
            return None
        return percent(self.score, self.points)


@dataclass(frozen=True)
class Attempt:
    """One attempt the student handed in, and whether it came in after the due time."""

    submission: Submission
    late: bool


@dataclass(frozen=True)
class Position:
    """One student's work on one assignment, as a viewer may see it."""

    student: User
    status: WorkStatus
    submitted_at: dt.datetime | None
    #: Every attempt, newest first (for the student themself and their guardians).
    attempts: list[Attempt]
    feedback: ReturnedFeedback | None
    grades_visible: bool

    @property
    def attempt_count(self) -> int:
        return len(self.attempts)


def _returned_feedback(
    assignment: Assignment, student_ids: list[int], viewer_id: int
) -> dict[int, Feedback]:
    """Each student's returned (or excused) feedback with rubric scores, and whether the viewer
    has seen it (two queries)."""
    rows = (
        Feedback.objects.filter(
            Q(returned_at__isnull=False) | Q(excused=True),
            assignment=assignment,
            student_id__in=student_ids,
        )
        .annotate(
            viewer_seen=Exists(
                FeedbackSeen.objects.filter(feedback_id=OuterRef("pk"), user_id=viewer_id)
            )
        )
        .select_related("assessment")
        .prefetch_related(scores_prefetch("assessment__"))
    )
    return {feedback.student_id: feedback for feedback in rows}


def _rubric_lines(feedback: Feedback, rubric: list[RubricRow]) -> list[ScoreLine]:
    max_points = {row.criterion.pk: row.max_points for row in rubric}
    return assessment_lines(feedback.assessment, max_points)


def _feedback_view(
    feedback: Feedback, assignment: Assignment, rubric: list[RubricRow], *, grades: bool
) -> ReturnedFeedback:
    returned = feedback.returned_at is not None
    return ReturnedFeedback(
        id=feedback.pk,
        comment=feedback.comment if returned else "",
        excused=feedback.excused,
        returned_at=feedback.returned_at,
        seen=bool(getattr(feedback, "viewer_seen", False)),
        score=feedback.score if grades and returned else None,
        points=assignment.points,
        rubric=_rubric_lines(feedback, rubric) if grades and returned else [],
    )


def positions(
    assignment: Assignment,
    students: list[User],
    *,
    viewer: User,
    with_attempts: bool,
    grades_for: Collection[int],
    rubric: list[RubricRow],
    now: dt.datetime | None = None,
) -> list[Position]:
    """Each student's status, attempts (``with_attempts``) and returned feedback on the
    assignment; scores and rubric points only for students in ``grades_for`` (three queries)."""
    now = now or timezone.now()
    student_ids = [student.pk for student in students]
    attempts: dict[int, list[Submission]] = defaultdict(list)
    for submission in Submission.objects.filter(
        assignment=assignment, student_id__in=student_ids
    ).order_by("-attempt"):
        attempts[submission.student_id].append(submission)
    feedback = _returned_feedback(assignment, student_ids, viewer.pk)
    result = []
    for student in students:
        own = attempts.get(student.pk, [])
        found = feedback.get(student.pk)
        latest = own[0].submitted_at if own else None
        result.append(
            Position(
                student=student,
                status=work_status(
                    due_at=assignment.due_at,
                    submitted_at=latest,
                    returned_at=found.returned_at if found else None,
                    excused=found.excused if found else False,
                    now=now,
                ),
                submitted_at=latest,
                attempts=[_attempt(s, assignment) for s in own] if with_attempts else [],
                feedback=_feedback_view(found, assignment, rubric, grades=student.pk in grades_for)
                if found
                else None,
                grades_visible=student.pk in grades_for,
            )
        )
    return result


def _attempt(submission: Submission, assignment: Assignment) -> Attempt:
    due_at = assignment.due_at
    return Attempt(submission, late=due_at is not None and submission.submitted_at > due_at)


def grade_visible_ids(viewer: User, student_ids: Iterable[int]) -> set[int]:
    """Which of these students' scores ``viewer`` may see (their link allows grades)."""
    return set(
        policies.grade_scope_student_ids(viewer)
        .filter(pk__in=list(student_ids))
        .values_list("pk", flat=True)
    )


def school_ids(student_ids: Iterable[int]) -> dict[int, int]:
    """Each student's school id, as the audit log records it (one query)."""
    return {pk: school.pk for pk, school in student_schools(student_ids).items()}


def unseen_feedback_ids(found: Iterable[Position]) -> list[int]:
    """Returned feedback in these positions that the viewer has not seen yet."""
    return [
        position.feedback.id
        for position in found
        if position.feedback is not None
        and position.feedback.returned_at is not None
        and not position.feedback.seen
    ]
