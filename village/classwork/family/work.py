"""Building blocks of classwork's part of the family view: one piece of a child's work with its
feedback (scores only where the link allows grades), course grades and the topics a class
studies today. Each function runs a fixed number of queries (given in its docstring).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils import timezone

from village.classwork.grades import (
    LOW_GRADE,
    CourseGrade,
    ScoredWork,
    Trend,
    course_grade,
    percent,
    weighted_percent,
)
from village.classwork.models import Feedback, FeedbackSeen, Submission, Topic, published_q
from village.classwork.selectors.work import WorkItem
from village.classwork.status import WorkStatus, work_status
from village.families.surface import Child

#: A safety cap on feedback rows read per request (a guardian reads a handful per week).
FEEDBACK_ROWS = 200


@dataclass(frozen=True, slots=True)
class FamilyWork:
    """One child's work on one assignment, as this guardian may see it.

    ``score`` is ``None`` unless the guardian's link allows grades.
    """

    child: Child
    assignment_id: int
    title: str
    class_id: int
    class_title: str
    topic_title: str
    due_at: dt.datetime | None
    status: WorkStatus
    returned_at: dt.datetime | None = None
    comment: str = ""
    score: Decimal | None = None
    points: Decimal | None = None
    seen: bool = True
    teacher: str = ""

    @property
    def percent(self) -> Decimal | None:
        if self.score is None or not self.points:
            return None
        return percent(self.score, self.points)

    @property
    def is_low(self) -> bool:
        value = self.percent
        return value is not None and value < LOW_GRADE

    @property
    def is_new(self) -> bool:
        """Returned feedback this guardian has not opened yet."""
        return self.returned_at is not None and not self.seen


@dataclass(frozen=True, slots=True)
class TopicNow:
    """What a class studies today."""

    id: int
    class_id: int
    class_title: str
    title: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date


# --- work and feedback ---------------------------------------------------------------------------


def family_work(item: WorkItem, child: Child) -> FamilyWork:
    """A ``work_items`` row as ``child``'s guardian may see it (no score without grades)."""
    return FamilyWork(
        child=child,
        assignment_id=item.assignment_id,
        title=item.title,
        class_id=item.class_id,
        class_title=item.class_title,
        topic_title=item.topic_title,
        due_at=item.due_at,
        status=item.status,
        returned_at=item.returned_at,
        comment=item.comment,
        score=item.score if child.grades else None,
        points=item.points,
        seen=item.seen,
    )


def _teacher_name() -> Coalesce:
    """The grading teacher's display name, in SQL (preferred or first name, and last name)."""
    given = Coalesce(NullIf("graded_by__preferred_name", models.Value("")), "graded_by__first_name")
    return Coalesce(
        Concat(given, models.Value(" "), "graded_by__last_name", output_field=models.CharField()),
        models.Value(""),
    )


def _visible_feedback(
    children: Sequence[Child], classes: dict[int, list[tuple[int, str]]], *, now: dt.datetime
) -> models.QuerySet[Feedback] | None:
    """Returned feedback the family may read, every rule in SQL (``None``: nothing to read).

    Published work marked for families, in one of that child's current classes, not excused,
    with a comment — or a score where the guardian may see grades.
    """
    per_child = Q()
    for child in children:
        class_ids = [class_id for class_id, _title in classes.get(child.id, [])]
        if not class_ids:
            continue
        readable = Q() if child.grades else ~Q(comment="")
        per_child |= Q(student_id=child.id, assignment__school_class_id__in=class_ids) & readable
    if not per_child:
        return None
    return Feedback.objects.filter(
        per_child,
        published_q(now, through="assignment__"),
        assignment__visible_to_families=True,
        returned_at__isnull=False,
        excused=False,
    ).filter(~Q(comment="") | Q(score__isnull=False))


_FEEDBACK_COLUMNS = (
    "student_id",
    "assignment_id",
    "assignment__title",
    "assignment__school_class_id",
    "assignment__school_class__title",
    "assignment__topic__title",
    "assignment__due_at",
    "assignment__points",
    "returned_at",
    "comment",
    "score",
    "latest",
    "seen",
    "teacher",
)


def _with_details(
    rows: models.QuerySet[Feedback], viewer_id: int | None
) -> models.QuerySet[Feedback]:
    """The latest hand-in, the grading teacher's name and (for a viewer) whether they have seen
    it; without a viewer ``seen`` is true."""
    latest = (
        Submission.objects.filter(
            assignment_id=OuterRef("assignment_id"), student_id=OuterRef("student_id")
        )
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    seen: models.Exists | models.Value = (
        models.Exists(FeedbackSeen.objects.filter(feedback_id=OuterRef("pk"), user_id=viewer_id))
        if viewer_id is not None
        else models.Value(True, output_field=models.BooleanField())
    )
    return rows.annotate(latest=Subquery(latest), seen=seen, teacher=_teacher_name())


class FeedbackRow(NamedTuple):
    """Returned feedback with the work it is on, as ``feedback_rows`` reads it."""

    student_id: int
    assignment_id: int
    title: str
    class_id: int
    class_title: str
    topic_title: str | None
    due_at: dt.datetime | None
    points: Decimal | None
    returned_at: dt.datetime
    comment: str
    score: Decimal | None
    submitted_at: dt.datetime | None
    seen: bool
    teacher: str
    feedback_id: int
    assign_at: dt.datetime


def feedback_rows(
    children: Sequence[Child],
    classes: dict[int, list[tuple[int, str]]],
    *,
    since: dt.datetime,
    until: dt.datetime,
) -> list[FeedbackRow]:
    """Feedback the family may read (as ``returned_feedback``), returned since ``since`` on work
    published by ``until``, newest first, without a viewer (one query).

    For many children at once (a summary rebuild, a batch of digests) the query asks for the
    children's and classes' ids as two lists rather than one condition per child, and each row
    is then kept only for a class of its own child's (and, without grades, with a comment): the
    rows ``_visible_feedback`` reads, with a query that stays short.
    """
    pairs = {
        (child.id, class_id) for child in children for class_id, _title in classes.get(child.id, [])
    }
    if not pairs:
        return []
    commented_only = {child.id for child in children if not child.grades}
    visible = Feedback.objects.filter(
        published_q(until, through="assignment__"),
        student_id__in=sorted({student_id for student_id, _class in pairs}),
        assignment__school_class_id__in=sorted({class_id for _student, class_id in pairs}),
        assignment__visible_to_families=True,
        returned_at__isnull=False,
        returned_at__gte=since,
        excused=False,
    ).filter(~Q(comment="") | Q(score__isnull=False))
    rows = (
        _with_details(visible, None)
        .order_by("-returned_at", "-id")
        .values_list(*_FEEDBACK_COLUMNS, "pk", "assignment__assign_at")
    )
    return [
        FeedbackRow(*row)
        for row in rows
        if (row[0], row[3]) in pairs and (row[9] or row[0] not in commented_only)
    ]


def _feedback_work(row: Sequence[object], child: Child, now: dt.datetime) -> FamilyWork:
    (_student, assignment_id, title, class_id, class_title, topic, due_at, points) = row[:8]
    returned_at, comment, score, latest_at, seen, teacher = row[8:14]
    assert isinstance(returned_at, dt.datetime)
    return FamilyWork(
        child=child,
        assignment_id=assignment_id,  # type: ignore[arg-type]
        title=title,  # type: ignore[arg-type]
        class_id=class_id,  # type: ignore[arg-type]
        class_title=class_title,  # type: ignore[arg-type]
        topic_title=topic or "",  # type: ignore[arg-type]
        due_at=due_at,  # type: ignore[arg-type]
        status=work_status(
            due_at=due_at,  # type: ignore[arg-type]
            submitted_at=latest_at,  # type: ignore[arg-type]
            returned_at=returned_at,
            excused=False,
            now=now,
        ),
        returned_at=returned_at,
        comment=comment,  # type: ignore[arg-type]
        score=score if child.grades else None,  # type: ignore[arg-type]
        points=points,  # type: ignore[arg-type]
        seen=bool(seen),
        teacher=str(teacher or "").strip(),
    )


def returned_feedback(
    children: Sequence[Child],
    classes: dict[int, list[tuple[int, str]]],
    *,
    viewer_id: int,
    since: dt.datetime,
    now: dt.datetime,
    limit: int = FEEDBACK_ROWS,
) -> list[FamilyWork]:
    """Feedback returned to these children since ``since``, newest first (one query).

    Only work the family may see (published, marked for families, in one of the child's
    current classes) and only feedback there is something to read in: a comment, or a score
    where the guardian may see grades. At most ``limit`` rows.
    """
    visible = _visible_feedback(children, classes, now=now)
    if visible is None:
        return []
    by_id = {child.id: child for child in children}
    rows = (
        _with_details(visible.filter(returned_at__gte=since), viewer_id)
        .order_by("-returned_at", "-id")
        .values_list(*_FEEDBACK_COLUMNS)[:limit]
    )
    return [_feedback_work(row, by_id[row[0]], now) for row in rows]


# --- grades --------------------------------------------------------------------------------------


def course_grades(
    classes: dict[int, list[tuple[int, str]]], *, now: dt.datetime, history: bool = True
) -> dict[tuple[int, int], CourseGrade]:
    """Each (student, class) course grade from returned, scored work (one query).

    Every published piece of work counts, including work not shown to families: the grade is
    the same one the student and the teacher see. Without ``history`` only the grade now is
    computed (the home page needs no trend). Pass only children whose grades the viewer may see.
    """
    counted = _counted_feedback(classes, now)
    if counted is None:
        return {}
    rows = counted.values_list(
        "student_id",
        "assignment__school_class_id",
        "assignment__category_id",
        "score",
        "assignment__points",
        "returned_at",
        "assignment__category__weight",
    )
    work: dict[tuple[int, int], list[ScoredWork]] = defaultdict(list)
    # Only the weights of categories with counted work matter to the grade, so they come
    # with the work itself rather than in a query of their own.
    weights: dict[int, Decimal] = {}
    for student_id, class_id, category_id, score, points, returned_at, weight in rows:
        # the filter above guarantees these; the type checker cannot know
        assert score is not None
        assert points is not None
        assert returned_at is not None
        work[(student_id, class_id)].append(ScoredWork(category_id, score, points, returned_at))
        if category_id is not None and weight is not None:
            weights[category_id] = weight
    tz = timezone.get_current_timezone()
    grades: dict[tuple[int, int], CourseGrade] = {}
    for student_id, pairs in classes.items():
        for class_id, _title in pairs:
            scored = work.get((student_id, class_id), [])
            grades[(student_id, class_id)] = (
                course_grade(scored, weights, tz=tz) if history else _grade_now(scored, weights)
            )
    return grades


def grades_now(
    classes: dict[int, list[tuple[int, str]]], *, now: dt.datetime
) -> dict[tuple[int, int], Decimal | None]:
    """Each (student, class) course grade now, summed in SQL (one query).

    The same grade as ``course_grades``: points earned and possible are summed per student,
    class and category in the database, and ``weighted_percent`` weighs the sums exactly as it
    weighs the pieces of work. Pass only children whose grades the viewer may see.
    """
    counted = _counted_feedback(classes, now)
    if counted is None:
        return {}
    rows = (
        counted.values(
            "student_id",
            "assignment__school_class_id",
            "assignment__category_id",
            "assignment__category__weight",
        )
        .annotate(earned=models.Sum("score"), possible=models.Sum("assignment__points"))
        .values_list(
            "student_id",
            "assignment__school_class_id",
            "assignment__category_id",
            "assignment__category__weight",
            "earned",
            "possible",
        )
        .order_by()
    )
    sums: dict[tuple[int, int], list[ScoredWork]] = defaultdict(list)
    weights: dict[int, Decimal] = {}
    for student_id, class_id, category_id, weight, earned, possible in rows:
        # ``weighted_percent`` only adds scores and points up, so one item per category
        # carrying its sums gives the grade of the pieces themselves.
        sums[(student_id, class_id)].append(
            ScoredWork(category_id, Decimal(earned), Decimal(possible), now)
        )
        if category_id is not None and weight is not None:
            weights[category_id] = weight
    return {
        (student_id, class_id): weighted_percent(sums.get((student_id, class_id), []), weights)
        for student_id, pairs in classes.items()
        for class_id, _title in pairs
    }


class GradeMove(NamedTuple):
    """A course grade as it was at some moment and as it is now, and when counted work was
    last returned."""

    then: Decimal | None
    now: Decimal | None
    last_returned: dt.datetime


def grade_moves(
    classes: dict[int, list[tuple[int, str]]], *, now: dt.datetime, then: dt.datetime
) -> dict[tuple[int, int], GradeMove]:
    """Each (student, class) course grade now and at ``then`` (counting the work returned
    before it), as ``grades_now`` sums them, in one query; pairs without counted work are left
    out. Pass only children whose grades the viewer may see."""
    counted = _counted_feedback(classes, now)
    if counted is None:
        return {}
    before = models.Q(returned_at__lt=then)
    rows = (
        counted.values(
            "student_id",
            "assignment__school_class_id",
            "assignment__category_id",
            "assignment__category__weight",
        )
        .annotate(
            earned=models.Sum("score"),
            possible=models.Sum("assignment__points"),
            earned_then=models.Sum("score", filter=before),
            possible_then=models.Sum("assignment__points", filter=before),
            last=models.Max("returned_at"),
        )
        .values_list(
            "student_id",
            "assignment__school_class_id",
            "assignment__category_id",
            "assignment__category__weight",
            "earned",
            "possible",
            "earned_then",
            "possible_then",
            "last",
        )
        .order_by()
    )
    sums_now: dict[tuple[int, int], list[ScoredWork]] = defaultdict(list)
    sums_then: dict[tuple[int, int], list[ScoredWork]] = defaultdict(list)
    last: dict[tuple[int, int], dt.datetime] = {}
    weights: dict[int, Decimal] = {}
    for student_id, class_id, category_id, weight, *sums, returned in rows:
        earned, possible, earned_then, possible_then = sums
        pair = (student_id, class_id)
        sums_now[pair].append(ScoredWork(category_id, Decimal(earned), Decimal(possible), now))
        if possible_then is not None:
            sums_then[pair].append(
                ScoredWork(category_id, Decimal(earned_then), Decimal(possible_then), then)
            )
        last[pair] = max(returned, last.get(pair, returned))
        if category_id is not None and weight is not None:
            weights[category_id] = weight
    return {
        pair: GradeMove(
            weighted_percent(sums_then.get(pair, []), weights),
            weighted_percent(scored, weights),
            last[pair],
        )
        for pair, scored in sums_now.items()
    }


def _counted_feedback(
    classes: dict[int, list[tuple[int, str]]], now: dt.datetime
) -> models.QuerySet[Feedback] | None:
    """Feedback that counts in these students' course grades in these classes: returned,
    scored, not excused, on published work with points. ``None`` when there is nothing to ask."""
    class_ids = {class_id for pairs in classes.values() for class_id, _title in pairs}
    if not classes or not class_ids:
        return None
    return Feedback.objects.filter(
        published_q(now, through="assignment__"),
        student_id__in=list(classes),
        assignment__school_class_id__in=list(class_ids),
        assignment__points__gt=0,
        returned_at__isnull=False,
        excused=False,
        score__isnull=False,
    )


def _grade_now(scored: list[ScoredWork], weights: dict[int, Decimal]) -> CourseGrade:
    return CourseGrade(percent=weighted_percent(scored, weights), trend=Trend.NEW, history=())


def graded_classes(
    children: Sequence[Child], classes: dict[int, list[tuple[int, str]]]
) -> dict[int, list[tuple[int, str]]]:
    """Only the children whose grades the guardian may see."""
    return {child.id: classes.get(child.id, []) for child in children if child.grades}


def current_topics(class_titles: dict[int, str], today: dt.date) -> list[TopicNow]:
    """Topics of these classes whose dates include ``today`` (one query)."""
    if not class_titles:
        return []
    rows = Topic.objects.filter(
        school_class_id__in=list(class_titles), starts_on__lte=today, ends_on__gte=today
    ).order_by("school_class__title", "starts_on", "id")
    return [
        TopicNow(
            id=topic.pk,
            class_id=topic.school_class_id,
            class_title=class_titles[topic.school_class_id],
            title=topic.title,
            summary=topic.summary,
            starts_on=topic.starts_on,
            ends_on=topic.ends_on,
        )
        for topic in rows
    ]
