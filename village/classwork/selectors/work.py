"""Reading students' work: one row per (student, assignment) with its computed status.

``work_items`` is the building block of "my work", the family view, the gradebook and the API. It
runs a fixed number of queries (four) whatever the number of students, classes and assignments,
and computes each status in Python with ``village.classwork.status.work_status``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Count, Exists, F, Max, OuterRef, Q, Value
from django.utils import timezone

from village.classwork.grades import ScoredWork, percent
from village.classwork.models import Assignment, Feedback, FeedbackSeen, Submission
from village.classwork.status import WorkStatus, work_status
from village.community.models import Enrollment, EnrollmentRole


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One student's position on one assignment."""

    student_id: int
    assignment_id: int
    title: str
    class_id: int
    class_title: str
    topic_title: str
    category_id: int | None
    assign_at: dt.datetime
    due_at: dt.datetime | None
    points: Decimal | None
    status: WorkStatus
    attempts: int
    submitted_at: dt.datetime | None
    feedback_id: int | None
    returned_at: dt.datetime | None
    score: Decimal | None
    comment: str
    excused: bool
    #: Has the viewer seen the returned feedback? (``True`` when there is none to see.)
    seen: bool

    @property
    def percent(self) -> Decimal | None:
        if self.status != WorkStatus.GRADED or self.score is None or not self.points:
            return None
        return percent(self.score, self.points)

    @property
    def has_feedback(self) -> bool:
        return self.returned_at is not None and (bool(self.comment) or self.score is not None)

    def scored(self) -> ScoredWork | None:
        """This work as it counts in the course grade, or ``None`` if it does not count."""
        if (
            self.returned_at is None
            or self.excused
            or self.score is None
            or self.points is None
            or self.points <= 0
        ):
            return None
        return ScoredWork(self.category_id, self.score, self.points, self.returned_at)


def current_classes(student_ids: Collection[int]) -> dict[int, list[tuple[int, str]]]:
    """Each student's current classes as (class id, title), in title order (one query)."""
    today = timezone.localdate()
    rows = (
        Enrollment.objects.current(today)
        .filter(user_id__in=list(student_ids), role=EnrollmentRole.STUDENT)
        .order_by("school_class__title", "school_class_id")
        .values_list("user_id", "school_class_id", "school_class__title")
    )
    classes: dict[int, list[tuple[int, str]]] = {student_id: [] for student_id in student_ids}
    for student_id, class_id, title in rows:
        classes[student_id].append((class_id, title))
    return classes


def work_items(
    classes: dict[int, list[tuple[int, str]]],
    *,
    viewer_id: int | None,
    families_only: bool = False,
    due_after: dt.datetime | None = None,
    due_before: dt.datetime | None = None,
    now: dt.datetime | None = None,
    assigned_before: dt.datetime | None = None,
) -> list[WorkItem]:
    """Every (student, published assignment) pair for the students and classes in ``classes``.

    ``classes`` maps each student to the classes to include (as from ``current_classes``).
    ``families_only`` keeps work marked for families; ``due_after``/``due_before`` keep work
    due in that window (work without a due time is kept only when neither is given).
    Returned feedback only: drafts are the teacher's own. Work is published when its assign
    time has come (``now``, or ``assigned_before`` to include work published later). Without a
    ``viewer_id`` nobody's reading of feedback is looked up (``seen`` is ``True``). Three queries.
    """
    now = now or timezone.now()
    class_titles = {class_id: title for pairs in classes.values() for class_id, title in pairs}
    student_ids = list(classes)
    if not class_titles or not student_ids:
        return []
    assignments = Assignment.objects.published(assigned_before or now).filter(
        school_class_id__in=list(class_titles)
    )
    if families_only:
        assignments = assignments.filter(visible_to_families=True)
    if due_after is not None:
        assignments = assignments.filter(due_at__gte=due_after)
    if due_before is not None:
        assignments = assignments.filter(due_at__lt=due_before)
    rows = list(
        assignments.order_by("due_at", "id").values_list(
            "pk",
            "title",
            "school_class_id",
            "topic__title",
            "category_id",
            "assign_at",
            "due_at",
            "points",
        )
    )
    if not rows:
        return []
    assignment_ids = [row[0] for row in rows]
    handed_in = {
        (assignment_id, student_id): (latest, attempts)
        for assignment_id, student_id, latest, attempts in Submission.objects.filter(
            assignment_id__in=assignment_ids, student_id__in=student_ids
        )
        .values("assignment_id", "student_id")
        .annotate(latest=Max("submitted_at"), attempts=Count("pk"))
        .values_list("assignment_id", "student_id", "latest", "attempts")
        .order_by()
    }
    seen = (
        Exists(FeedbackSeen.objects.filter(feedback_id=OuterRef("pk"), user_id=viewer_id))
        if viewer_id is not None
        else Value(True, output_field=BooleanField())
    )
    feedback = {
        (row[1], row[2]): row
        for row in Feedback.objects.filter(
            Q(returned_at__isnull=False) | Q(excused=True),
            assignment_id__in=assignment_ids,
            student_id__in=student_ids,
        )
        .annotate(seen=seen)
        .values_list(
            "pk",
            "assignment_id",
            "student_id",
            "returned_at",
            "score",
            "comment",
            "excused",
            "seen",
        )
        .order_by()
    }
    items: list[WorkItem] = []
    for student_id, pairs in classes.items():
        own_classes = {class_id for class_id, _ in pairs}
        for pk, title, class_id, topic_title, category_id, assign_at, due_at, points in rows:
            if class_id not in own_classes:
                continue
            latest, attempts = handed_in.get((pk, student_id), (None, 0))
            found = feedback.get((pk, student_id))
            returned_at = found[3] if found else None
            excused = bool(found[6]) if found else False
            items.append(
                WorkItem(
                    student_id=student_id,
                    assignment_id=pk,
                    title=title,
                    class_id=class_id,
                    class_title=class_titles[class_id],
                    topic_title=topic_title or "",
                    category_id=category_id,
                    assign_at=assign_at,
                    due_at=due_at,
                    points=points,
                    status=work_status(
                        due_at=due_at,
                        submitted_at=latest,
                        returned_at=returned_at,
                        excused=excused,
                        now=now,
                    ),
                    attempts=attempts,
                    submitted_at=latest,
                    feedback_id=found[0] if found else None,
                    returned_at=returned_at,
                    score=found[4] if found and returned_at else None,
                    comment=(found[5] if found and returned_at else "") or "",
                    excused=excused,
                    seen=bool(found[7]) if found and returned_at else True,
                )
            )
    return items


@dataclass(frozen=True, slots=True)
class OpenWork:
    """Published work a student has neither handed in nor been graded on or excused from:
    missing once it is past due, not yet due before."""

    student_id: int
    assignment_id: int
    title: str
    class_id: int
    class_title: str
    due_at: dt.datetime
    status: WorkStatus


def open_work(
    classes: dict[int, list[tuple[int, str]]],
    *,
    due_after: dt.datetime,
    due_before: dt.datetime,
    now: dt.datetime,
    families_only: bool = False,
) -> list[OpenWork]:
    """The open work (as ``OpenWork``) of the students and classes in ``classes`` due in the
    window, by due time (two queries).

    ``work_items`` with only the rows whose status is missing or not yet due, for many students
    at once: the database leaves out the pairs with a hand-in, or with returned or excused
    feedback, so the work that is done (most of it) is never read. Statuses come from
    ``work_status`` as there.
    """
    class_titles = {class_id: title for pairs in classes.values() for class_id, title in pairs}
    if not class_titles:
        return []
    assignments = Assignment.objects.published(now).filter(
        school_class_id__in=sorted(class_titles), due_at__gte=due_after, due_at__lt=due_before
    )
    if families_only:
        assignments = assignments.filter(visible_to_families=True)
    rows: dict[int, tuple[str, int, dt.datetime]] = {}
    for pk, title, class_id, due_at in assignments.order_by("due_at", "id").values_list(
        "pk", "title", "school_class_id", "due_at"
    ):
        if due_at is not None:  # the window leaves out work without a due time
            rows[pk] = (title, class_id, due_at)
    if not rows:
        return []
    # From each student's enrolment to the work of its class: the pairs without a hand-in and
    # without returned or excused feedback (the subqueries name the pair by the annotation, so
    # that they reuse the query's own join to the work).
    handed_in = Submission.objects.filter(
        assignment_id=OuterRef("work"), student_id=OuterRef("user_id")
    )
    settled = Feedback.objects.filter(
        Q(returned_at__isnull=False) | Q(excused=True),
        assignment_id=OuterRef("work"),
        student_id=OuterRef("user_id"),
    )
    open_pairs = (
        Enrollment.objects.filter(
            user_id__in=list(classes),
            role=EnrollmentRole.STUDENT,
            school_class__assignments__id__in=list(rows),
        )
        .annotate(work=F("school_class__assignments__id"))
        .filter(~Exists(handed_in), ~Exists(settled))
        .values_list("work", "user_id")
        .order_by()
        .distinct()
    )
    students: dict[int, list[int]] = defaultdict(list)
    for assignment_id, student_id in open_pairs:
        students[assignment_id].append(student_id)
    wanted = {
        (student_id, class_id) for student_id, own in classes.items() for class_id, _title in own
    }
    found = []
    for assignment_id, (title, class_id, due_at) in rows.items():
        status = work_status(
            due_at=due_at, submitted_at=None, returned_at=None, excused=False, now=now
        )
        for student_id in sorted(students.get(assignment_id, ())):
            if (student_id, class_id) in wanted:
                found.append(
                    OpenWork(
                        student_id=student_id,
                        assignment_id=assignment_id,
                        title=title,
                        class_id=class_id,
                        class_title=class_titles[class_id],
                        due_at=due_at,
                        status=status,
                    )
                )
    return found
