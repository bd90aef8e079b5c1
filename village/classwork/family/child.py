"""Classwork's sections of a child's page and printable summary: each class with its teachers,
course grade (with the grades scope) and this week's topics; missing work; work due in the next
two weeks; class events; recent feedback; and conversation starters.

A fixed number of queries (classes, teachers, three for work, feedback, topics, events and one
for grades when the link allows them). Neither page marks feedback as seen: that happens when
the guardian opens the piece of work itself, so "new feedback" stays on the home page until then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.classwork.family.overview import (
    RECENT_FEEDBACK,
    RECENT_FEEDBACK_LIMIT,
    UNSEEN_FEEDBACK,
    UPCOMING_WINDOW,
)
from village.classwork.family.work import (
    FamilyWork,
    TopicNow,
    course_grades,
    current_topics,
    family_work,
    graded_classes,
    returned_feedback,
)
from village.classwork.grades import CourseGrade
from village.classwork.selectors.events import UpcomingEvent, upcoming_events
from village.classwork.selectors.notes import note_week, student_notes
from village.classwork.selectors.work import work_items
from village.classwork.status import WorkStatus
from village.community import policies
from village.community.models import Enrollment, EnrollmentRole
from village.families.surface import Child

#: Weeks of grade history the sparkline draws.
SPARK_WEEKS = 10
#: The smallest range of percentages the sparkline's height stands for.
MIN_SPAN = Decimal(10)
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 28, 3


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A small line chart of a course grade week by week, drawn as inline SVG."""

    points: str
    #: The newest week's point, where the line ends in a dot. Strings, so that the template
    #: never localises them ("93,0" is not an SVG coordinate).
    last_x: str
    last_y: str
    label: str
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


def sparkline(grade: CourseGrade | None) -> Sparkline | None:
    """The grade history as SVG coordinates with a text equivalent; needs two weeks or more."""
    if grade is None or len(grade.history) < 2:
        return None
    values = [value for _week, value in grade.history[-SPARK_WEEKS:]]
    low, high = min(values), max(values)
    if high - low < MIN_SPAN:  # a flat line for a steady grade, not magnified wiggles
        middle = (high + low) / 2
        low, high = middle - MIN_SPAN / 2, middle + MIN_SPAN / 2
    pad = SPARK_PAD
    step = (SPARK_WIDTH - 2 * pad) / (len(values) - 1)
    coords = [
        (pad + index * step, pad + float((high - value) / (high - low)) * (SPARK_HEIGHT - 2 * pad))
        for index, value in enumerate(values)
    ]
    label = _("Grade week by week: %(values)s") % {
        "values": ", ".join(f"{value:.0f}%" for value in values)
    }
    return Sparkline(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last_x=f"{coords[-1][0]:.1f}",
        last_y=f"{coords[-1][1]:.1f}",
        label=label,
    )


@dataclass(slots=True)
class ClassView:
    """One of a child's classes on the child page."""

    id: int
    title: str
    location: str
    teachers: list[str]
    #: ``None`` without the grades scope; ``percent`` is ``None`` before any graded work.
    grade: CourseGrade | None
    topics: list[TopicNow] = field(default_factory=list)
    missing: int = 0
    upcoming: int = 0
    #: The teacher's note on what to work on next (this week's, or last week's), and its author.
    note: str = ""
    note_author: str = ""


@dataclass(frozen=True, slots=True)
class ChildPage:
    """Everything the child page, the printable summary and the child endpoint show."""

    child: Child
    classes: list[ClassView]
    missing: list[FamilyWork]
    upcoming: list[FamilyWork]
    recent_feedback: list[FamilyWork]
    topics: list[TopicNow]
    now: dt.datetime
    #: Class events marked for families, coming up in the child's classes.
    events: list[UpcomingEvent] = field(default_factory=list)


def _class_views(student_id: int) -> list[ClassView]:
    """The child's current classes, each with room and teachers (one query)."""
    today = policies.today()
    own = (
        Enrollment.objects.current(today)
        .filter(user_id=student_id, role=EnrollmentRole.STUDENT)
        .values("school_class_id")
    )
    enrolments = (
        Enrollment.objects.current(today)
        .filter(school_class_id__in=own)
        .filter(Q(user_id=student_id, role=EnrollmentRole.STUDENT) | Q(role=EnrollmentRole.TEACHER))
        .filter(user__is_active=True)
        .select_related("school_class", "user")
        .order_by("school_class__title", "school_class_id", "-is_primary", "user__last_name")
    )
    views: dict[int, ClassView] = {}
    teachers: dict[int, list[str]] = defaultdict(list)
    for enrolment in enrolments:
        if enrolment.role == EnrollmentRole.TEACHER:
            teachers[enrolment.school_class_id].append(enrolment.user.display_name)
        else:
            school_class = enrolment.school_class
            views[school_class.pk] = ClassView(
                id=school_class.pk,
                title=school_class.title,
                location=school_class.location,
                teachers=[],
                grade=None,
            )
    for class_id, view in views.items():
        view.teachers = teachers.get(class_id, [])
    return list(views.values())


def _newest_notes(
    student_id: int, class_ids: list[int], now: dt.datetime
) -> dict[int, tuple[str, str]]:
    """Each class's newest teacher's note of this week or last (one query)."""
    this_week = note_week(now)
    found: dict[int, tuple[str, str]] = {}
    for note in student_notes(
        {student_id: class_ids}, first_week=this_week - dt.timedelta(days=7), last_week=this_week
    ):
        found.setdefault(note.class_id, (note.text, note.author))
    return found


def child_page(user: User, child: Child, *, now: dt.datetime | None = None) -> ChildPage:
    """The child page's data for a guardian who may see ``child``'s classwork.

    A fixed number of queries (classes, teachers, three for work, feedback, topics, the
    teachers' notes, events and one for grades when the link allows them).
    """
    now = now or timezone.now()
    views = _class_views(child.id)
    classes = {child.id: [(view.id, view.title) for view in views]}
    items = work_items(
        classes,
        viewer_id=user.pk,
        families_only=True,
        due_before=now + UPCOMING_WINDOW,
        now=now,
    )
    work = [family_work(item, child) for item in items]
    missing = [w for w in work if w.status == WorkStatus.MISSING]
    upcoming = [w for w in work if w.due_at is not None and w.due_at >= now]
    feedback = returned_feedback(
        [child], classes, viewer_id=user.pk, since=now - UNSEEN_FEEDBACK, now=now
    )
    recent = [
        w
        for w in feedback
        if w.returned_at and (w.returned_at >= now - RECENT_FEEDBACK or not w.seen)
    ]
    titles = {view.id: view.title for view in views}
    topics = current_topics(titles, timezone.localdate(now))
    grades = course_grades(graded_classes([child], classes), now=now) if child.grades else {}
    notes = _newest_notes(child.id, list(titles), now)
    for view in views:
        view.note, view.note_author = notes.get(view.id, ("", ""))
        view.grade = grades.get((child.id, view.id)) if child.grades else None
        view.topics = [topic for topic in topics if topic.class_id == view.id]
        view.missing = sum(1 for w in missing if w.class_id == view.id)
        view.upcoming = sum(1 for w in upcoming if w.class_id == view.id)
    return ChildPage(
        child=child,
        classes=views,
        missing=missing,
        upcoming=upcoming,
        recent_feedback=recent[:RECENT_FEEDBACK_LIMIT],
        topics=topics,
        now=now,
        events=upcoming_events(titles, now=now, families_only=True),
    )
