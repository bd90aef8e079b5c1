"""The student's work in the JSON API, at ``/api/v1/my-work``: what to do, what is missing, what
is done and what feedback is new; one assignment; handing in; the caller's attempts.

Everything here is the caller's own work as a student. An assignment that is not published to a
class the caller is currently a student of answers 404, exactly as if it did not exist (guardians
and staff use the family and classwork endpoints). Bad input answers 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pydantic
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError

from village.accounts.api import api_caller
from village.accounts.api_auth import api_auth
from village.accounts.models import User
from village.classwork import policies
from village.classwork.api.materials import MaterialOut, material_out
from village.classwork.models import Assignment, Submission
from village.classwork.selectors import my_work as my_work_reads
from village.classwork.selectors.my_work import (
    Attempt,
    MyWorkItem,
    Position,
    ReturnedFeedback,
    materials,
    positions,
    unseen_feedback_ids,
)
from village.classwork.selectors.rubrics import RubricRow, rubric_rows
from village.classwork.services.feedback import feedback_mark_seen
from village.classwork.services.submissions import HandInRefusedError, is_late, submission_hand_in
from village.classwork.status import WorkStatus
from village.core.api import READ, WRITE, ErrorOut, Id, InputSchema

router = Router(auth=api_auth, tags=["my work"])


# --- shapes ----------------------------------------------------------------------------------


class WorkOut(Schema):
    """One piece of the caller's work, with its computed status."""

    assignment_id: int
    title: str
    class_id: int
    class_title: str
    topic: str = Field(description="The topic or unit the work belongs to; empty if none.")
    assign_at: dt.datetime
    due_at: dt.datetime | None
    points: Decimal | None = Field(description="What the work is out of; null if ungraded.")
    status: WorkStatus = Field(description="Computed from the due time, attempts and feedback.")
    attempts: int = Field(description="How many times the caller handed it in.")
    submitted_at: dt.datetime | None = Field(description="When the newest attempt came in.")
    returned_at: dt.datetime | None = Field(description="When feedback was returned.")
    feedback_seen: bool = Field(
        description="False while returned feedback waits to be read (true when there is none)."
    )
    score: Decimal | None
    url: str = Field(description="The assignment's page on the web.")


class MyWorkOut(Schema):
    to_do: list[WorkOut] = Field(description="Not handed in and not yet due, by due time.")
    missing: list[WorkOut] = Field(description="Past due with nothing handed in, by due time.")
    done: list[WorkOut] = Field(
        description="Handed in (on time or late), graded or excused; newest first."
    )
    feedback_to_read: list[WorkOut] = Field(
        description="Returned feedback the caller has not opened yet; newest first."
    )


class RubricLevelOut(Schema):
    title: str
    description: str
    points: Decimal


class RubricCriterionOut(Schema):
    title: str
    description: str
    levels: list[RubricLevelOut] = Field(description="Best level first.")


class RubricScoreOut(Schema):
    criterion: str
    level: str = Field(description="The level the teacher chose; empty if none.")
    points: Decimal
    max_points: Decimal | None


class MyFeedbackOut(Schema):
    """Returned feedback on the caller's own work."""

    comment: str
    excused: bool
    returned_at: dt.datetime | None
    score: Decimal | None
    points: Decimal | None
    percent: Decimal | None
    rubric: list[RubricScoreOut]


class FileOut(Schema):
    name: str = Field(description="The file's original name.")
    size: int = Field(description="In bytes.")
    content_type: str
    url: str = Field(description="Download address (web session).")


class SubmissionOut(Schema):
    id: int
    attempt: int
    text: str
    link: str
    file: FileOut | None
    submitted_at: dt.datetime
    late: bool = Field(description="Handed in after the due time (computed, never stored).")


class MyAssignmentOut(Schema):
    """One piece of the caller's own work, as the student sees it."""

    id: int
    title: str
    class_id: int
    class_title: str
    topic: str
    instructions_html: str = Field(description="Sanitised HTML written by the teacher.")
    assign_at: dt.datetime
    due_at: dt.datetime | None
    points: Decimal | None
    category: str
    materials: list[MaterialOut]
    rubric: list[RubricCriterionOut]
    status: WorkStatus
    may_hand_in: bool
    submissions: list[SubmissionOut] = Field(description="The caller's attempts, newest first.")
    feedback: MyFeedbackOut | None = Field(description="Returned feedback; null until returned.")


class SubmissionIn(InputSchema):
    text: str = Field("", description="A written answer.")
    link: str = Field("", description="A web address (http or https).")


NOT_VISIBLE = {401: ErrorOut, 404: ErrorOut}

_MULTIPART_SCHEMA = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "description": "A written answer."},
        "link": {"type": "string", "description": "A web address (http or https)."},
        "file": {"type": "string", "format": "binary", "description": "One file."},
    },
}


# --- building the answers --------------------------------------------------------------------


def _work_out(item: MyWorkItem) -> WorkOut:
    work = item.work
    return WorkOut(
        assignment_id=work.assignment_id,
        title=work.title,
        class_id=work.class_id,
        class_title=work.class_title,
        topic=work.topic_title,
        assign_at=work.assign_at,
        due_at=work.due_at,
        points=work.points,
        status=work.status,
        attempts=work.attempts,
        submitted_at=work.submitted_at,
        returned_at=work.returned_at,
        feedback_seen=work.seen,
        score=work.score,
        url=reverse("classwork:assignment", args=[work.assignment_id]),
    )


def _submission_out(attempt: Attempt) -> SubmissionOut:
    submission = attempt.submission
    return SubmissionOut(
        id=submission.pk,
        attempt=submission.attempt,
        text=submission.text,
        link=submission.link,
        file=_file_out(submission) if submission.file else None,
        submitted_at=submission.submitted_at,
        late=attempt.late,
    )


def _file_out(submission: Submission) -> FileOut:
    return FileOut(
        name=submission.file_name,
        size=submission.file_size,
        content_type=submission.content_type,
        url=reverse("classwork:submission_file", args=[submission.pk]),
    )


def _rubric_out(rubric: list[RubricRow]) -> list[RubricCriterionOut]:
    return [
        RubricCriterionOut(
            title=row.criterion.title,
            description=row.criterion.description,
            levels=[
                RubricLevelOut(title=lvl.title, description=lvl.description, points=lvl.points)
                for lvl in row.levels
            ],
        )
        for row in rubric
    ]


def _feedback_out(feedback: ReturnedFeedback | None) -> MyFeedbackOut | None:
    if feedback is None:
        return None
    return MyFeedbackOut(
        comment=feedback.comment,
        excused=feedback.excused,
        returned_at=feedback.returned_at,
        score=feedback.score,
        points=feedback.points,
        percent=feedback.percent,
        rubric=[
            RubricScoreOut(
                criterion=line.criterion,
                level=line.level,
                points=line.points,
                max_points=line.max_points,
            )
            for line in feedback.rubric
        ],
    )


def _own_position(user: User, assignment: Assignment, rubric: list[RubricRow]) -> Position:
    [position] = positions(
        assignment, [user], viewer=user, with_attempts=True, grades_for={user.pk}, rubric=rubric
    )
    return position


def _field_errors(error: DjangoValidationError) -> ValidationError:
    return ValidationError(
        [
            {"type": "value_error", "loc": ["body", field], "msg": str(message)}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    )


def _hand_in_input(request: HttpRequest) -> tuple[str, str, UploadedFile | None]:
    """Text, link and file from a JSON body or a multipart (or url-encoded) form."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return request.POST.get("text", ""), request.POST.get("link", ""), request.FILES.get("file")
    if request.content_type != "application/json":
        raise ValidationError(
            [
                {
                    "type": "value_error",
                    "loc": ["body"],
                    "msg": "Send application/json (text, link) or multipart/form-data (with file).",
                }
            ]
        )
    try:
        payload = SubmissionIn.model_validate_json(request.body or b"{}")
    except pydantic.ValidationError as error:
        raise ValidationError(
            [
                {"type": item["type"], "loc": ["body", *item["loc"]], "msg": item["msg"]}
                for item in error.errors()
            ]
        ) from error
    return payload.text, payload.link, None


# --- endpoints -------------------------------------------------------------------------------


@router.get(
    "",
    response={200: MyWorkOut, **NOT_VISIBLE},
    summary="My work",
    description=(
        "The caller's work in every current class, as on the 'my work' page: to do, missing, "
        "done, and feedback to read. 404 if the caller is not a student."
    ),
)
def my_work(request: HttpRequest) -> MyWorkOut:
    user = api_caller(request)
    policies.student_for_viewer(user, "No work: the caller is not a student.")
    work = my_work_reads.my_work(user)
    return MyWorkOut(
        to_do=[_work_out(item) for item in work.to_do],
        missing=[_work_out(item) for item in work.missing],
        done=[_work_out(item) for item in work.done],
        feedback_to_read=[_work_out(item) for item in work.feedback],
    )


@router.get(
    "/assignments/{assignment_id}",
    response={200: MyAssignmentOut, **READ},
    summary="One assignment",
    description=(
        "An assignment of one of the caller's classes: instructions, materials, rubric, the "
        "caller's status and attempts, and returned feedback, which this marks as read. 404 "
        "unless the work is published to a class the caller is currently a student of."
    ),
)
def assignment_detail(request: HttpRequest, assignment_id: Id) -> MyAssignmentOut:
    user = api_caller(request)
    assignment = policies.own_assignment_for_viewer(user, assignment_id)
    rubric = rubric_rows(assignment)
    position = _own_position(user, assignment, rubric)
    feedback_mark_seen(user_id=user.pk, feedback_ids=unseen_feedback_ids([position]))
    return MyAssignmentOut(
        id=assignment.pk,
        title=assignment.title,
        class_id=assignment.school_class_id,
        class_title=assignment.school_class.title,
        topic=assignment.topic.title if assignment.topic else "",
        instructions_html=assignment.instructions,
        assign_at=assignment.assign_at,
        due_at=assignment.due_at,
        points=assignment.points,
        category=assignment.category.name if assignment.category else "",
        materials=[material_out(m) for m in materials(assignment)],
        rubric=_rubric_out(rubric),
        status=position.status,
        may_hand_in=policies.may_submit(user, assignment),
        submissions=[_submission_out(attempt) for attempt in position.attempts],
        feedback=_feedback_out(position.feedback),
    )


@router.get(
    "/assignments/{assignment_id}/submissions",
    response={200: list[SubmissionOut], **READ},
    summary="My attempts",
    description="Every attempt the caller handed in for this assignment, newest first.",
)
def submission_list(request: HttpRequest, assignment_id: Id) -> list[SubmissionOut]:
    user = api_caller(request)
    assignment = policies.own_assignment_for_viewer(user, assignment_id)
    position = _own_position(user, assignment, [])
    return [_submission_out(attempt) for attempt in position.attempts]


@router.post(
    "/assignments/{assignment_id}/submissions",
    response={201: SubmissionOut, **WRITE},
    summary="Hand in",
    description=(
        "Hand in (or hand in again) the caller's work: a written answer, a link, a file, or any "
        "of them together, at least one. Send JSON (`text`, `link`) or multipart/form-data "
        "(`text`, `link`, `file`). A new attempt is added each time; earlier ones are kept. "
        "Files: documents, pictures, audio and video, checked by name and content, up to the "
        "size the school allows. 422 names the field that is wrong; nothing is saved then."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": SubmissionIn.model_json_schema()},
                "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
            },
        }
    },
)
def submission_create(request: HttpRequest, assignment_id: Id) -> Status[Any]:
    user = api_caller(request)
    assignment = policies.own_assignment_for_viewer(user, assignment_id)
    text, link, file = _hand_in_input(request)
    try:
        submission = submission_hand_in(
            student=user, assignment=assignment, text=text, link=link, file=file
        )
    except DjangoValidationError as error:
        raise _field_errors(error) from error
    except HandInRefusedError:
        return Status(403, {"detail": "This work is not open for handing in."})
    late = is_late(submission, assignment)
    return Status(201, _submission_out(Attempt(submission, late=late)))
