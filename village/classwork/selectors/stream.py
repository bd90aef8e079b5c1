"""The class at a glance: the class stream, and the teacher's home panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from village.classwork.models import (
    ClassEvent,
    Topic,
)
from village.classwork.selectors.cells import (
    TO_GRADE,
    Tally,
    Work,
    active_work,
    cell_for,
    cells,
    class_students,
    load_work,
    tally,
)
from village.classwork.status import WorkStatus
from village.community.models import SchoolClass


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
