"""Reading teachers' weekly notes: a class's for one week (the gradebook), and the students'
for a range of weeks (the family digest and the child's page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils import timezone

from village.classwork.models import WeeklyNote
from village.community.models import SchoolClass


@dataclass(frozen=True, slots=True)
class NoteView:
    """A weekly note as families read it."""

    student_id: int
    class_id: int
    week_start: dt.date
    text: str
    author: str


def note_week(moment: dt.datetime | None = None) -> dt.date:
    """The Monday of ``moment``'s week (now by default) in the active time zone: the week a
    note written then is for."""
    day = timezone.localdate(moment or timezone.now())
    return day - dt.timedelta(days=day.weekday())


def class_notes(school_class: SchoolClass, week_start: dt.date) -> dict[int, str]:
    """Each student's note in the class for the week, by student id (one query)."""
    return dict(
        WeeklyNote.objects.filter(school_class=school_class, week_start=week_start).values_list(
            "student_id", "text"
        )
    )


def _author_name() -> Coalesce:
    given = Coalesce(NullIf("author__preferred_name", Value("")), "author__first_name")
    return Coalesce(Concat(given, Value(" "), "author__last_name"), Value(""))


def student_notes(
    class_ids: dict[int, Collection[int]], *, first_week: dt.date, last_week: dt.date
) -> list[NoteView]:
    """The notes of these students (student id to the classes to read) for the weeks from
    ``first_week`` to ``last_week``, newest week first (one query)."""
    students = [student_id for student_id, classes in class_ids.items() if classes]
    wanted = {class_id for classes in class_ids.values() for class_id in classes}
    if not students:
        return []
    rows = (
        WeeklyNote.objects.filter(
            student_id__in=students,
            school_class_id__in=wanted,
            week_start__gte=first_week,
            week_start__lte=last_week,
        )
        .annotate(writer=_author_name())
        .order_by("-week_start", "school_class_id")
        .values_list("student_id", "school_class_id", "week_start", "text", "writer")
    )
    return [
        NoteView(student_id, class_id, week, text, str(writer or "").strip())
        for student_id, class_id, week, text, writer in rows
        if class_id in class_ids.get(student_id, ())
    ]
