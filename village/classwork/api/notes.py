"""The teacher's weekly notes through the API: one sentence per student on what to work on
next, shown to the family in the weekly digest."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.classwork import policies
from village.classwork.api.common import invalid
from village.classwork.models import WeeklyNote
from village.classwork.selectors.notes import note_week
from village.classwork.services.notes import NOTE_LENGTH, weekly_note_save
from village.core.api import READ, WRITE, Id, InputSchema, SingleLine

router = Router()


class WeeklyNoteOut(Schema):
    student_id: int
    week_start: dt.date = Field(description="The Monday of the note's week.")
    text: str = Field(description="Empty when the student has no note that week.")
    updated_at: dt.datetime | None


class WeeklyNoteIn(InputSchema):
    text: SingleLine = Field(
        max_length=NOTE_LENGTH,
        description="One sentence on what to work on next; empty removes the note.",
    )


class WeekQuery(Schema):
    week: dt.date | None = Field(
        None, description="Any day of the week (the caller's time zone); this week if left out."
    )


def _monday(day: dt.date | None) -> dt.date:
    return note_week() if day is None else day - dt.timedelta(days=day.weekday())


def _out(note: WeeklyNote | None, student_id: int, week: dt.date) -> WeeklyNoteOut:
    if note is None:
        return WeeklyNoteOut(student_id=student_id, week_start=week, text="", updated_at=None)
    return WeeklyNoteOut(
        student_id=student_id, week_start=week, text=note.text, updated_at=note.updated_at
    )


@router.get(
    "/classes/{class_id}/weekly-notes",
    response={200: list[WeeklyNoteOut], **READ},
    summary="A class's weekly notes",
    description=(
        "The notes the class's teachers wrote for a week, by student id. Only the class's "
        "teachers and aides: 404 for anyone else, admins included."
    ),
    operation_id="village_classwork_api_teacher_weekly_note_list",
)
def weekly_note_list(
    request: HttpRequest, class_id: Id, query: Query[WeekQuery]
) -> list[WeeklyNote]:
    school_class = policies.class_for_note_writer(api_caller(request), class_id)
    week = _monday(query.week)
    return list(
        WeeklyNote.objects.filter(school_class=school_class, week_start=week).order_by("student_id")
    )


@router.put(
    "/classes/{class_id}/students/{student_id}/weekly-note",
    response={200: WeeklyNoteOut, **WRITE},
    summary="Write a student's weekly note",
    description=(
        "This week's note for one student of the class (one line, at most 280 characters); "
        "an empty text removes it. 404 for a student not in the class, and for anyone but "
        "the class's teachers and aides."
    ),
    operation_id="village_classwork_api_teacher_weekly_note_put",
)
def weekly_note_put(
    request: HttpRequest, class_id: Id, student_id: Id, payload: WeeklyNoteIn
) -> Status[Any]:
    user = api_caller(request)
    school_class = policies.class_for_note_writer(user, class_id)
    student = policies.class_student_for_viewer(school_class.pk, student_id)
    week = note_week()
    try:
        note = weekly_note_save(
            school_class=school_class, student=student, author=user, text=payload.text
        )
    except ValidationError as error:
        return invalid(error)
    return Status(200, _out(note, student.pk, week))
