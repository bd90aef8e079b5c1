"""Each student's work on an assignment, and feedback, through the API."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from village.accounts.api import api_caller
from village.classwork import policies
from village.classwork.api.common import invalid, staff_assignment, utc
from village.classwork.models import Feedback
from village.classwork.selectors.grading import student_work
from village.classwork.selectors.rubrics import assessment_levels
from village.classwork.services.feedback import feedback_draft_discard, feedback_save
from village.classwork.status import WorkStatus
from village.core.api import (
    READ,
    WRITE,
    ErrorOut,
    Id,
    InputSchema,
    Text,
)
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction

router = Router()


class StudentRef(Schema):
    id: int
    name: str


class StudentWorkOut(Schema):
    student: StudentRef
    status: WorkStatus = Field(description="Computed from due time, hand-ins and feedback.")
    attempts: int
    submitted_at: dt.datetime | None = Field(description="When the latest attempt came in.")
    late: bool = Field(description="The latest attempt came in after the due time.")
    score: Decimal | None = Field(
        description=(
            "The grade saved, returned or draft; the returned one while changes to returned "
            "feedback are kept (``changes_pending``)."
        )
    )
    returned_at: dt.datetime | None
    excused: bool
    draft: bool = Field(description="Feedback is saved but not returned yet.")
    changes_pending: bool = Field(
        description=(
            "Returned feedback has changes saved but not returned yet: the student and family "
            "still see the returned version."
        )
    )


class FeedbackIn(InputSchema):
    score: Decimal | None = Field(
        None,
        ge=0,
        max_digits=7,
        decimal_places=2,
        description=(
            "The grade, from 0 to the work's points. With a rubric the grade is the sum of the "
            "levels chosen: leave it out, or send that sum."
        ),
    )
    comment: Text = ""
    rubric_levels: dict[int, int | None] | None = Field(
        None, description="With a rubric: criterion id to chosen level id; the grade is the sum."
    )
    excused: bool | None = Field(None, description="Leave out to keep as it is.")
    return_to_student: bool = Field(
        False, description="Return the feedback now: the student and family see it."
    )


class FeedbackChangesOut(Schema):
    """Changes to returned feedback, saved but not returned yet: only the teacher sees them."""

    score: Decimal | None
    comment: str
    excused: bool
    rubric_levels: dict[int, int] = Field(description="Criterion id to chosen level id.")
    saved_at: dt.datetime


class FeedbackOut(Schema):
    """The feedback's version: what the student and family see once it is returned."""

    assignment_id: int
    student_id: int
    score: Decimal | None
    comment: str
    excused: bool
    returned_at: dt.datetime | None
    rubric_levels: dict[int, int]
    changes: FeedbackChangesOut | None = Field(
        description=(
            "Changes to returned feedback kept since it was returned, not shown to the student "
            "and family until it is returned again; null when there are none."
        )
    )


@router.get(
    "/assignments/{assignment_id}/work",
    response={200: list[StudentWorkOut], **READ},
    summary="Each student's work on an assignment",
    description=(
        "Every current student of the class, by last name, with their status, latest hand-in, "
        "attempts and grade (drafts included; for returned feedback with changes pending, the "
        "returned grade). A view of the students' records: written to the audit log."
    ),
    operation_id="village_classwork_api_teacher_assignment_work",
)
def assignment_work(request: HttpRequest, assignment_id: Id) -> list[StudentWorkOut]:
    user = api_caller(request)
    work = staff_assignment(user, assignment_id)
    _work, rows = student_work(work, now=timezone.now())
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed=[
            Viewed(student_id=row.student.id, organisation_id=work.school_class.school_id)
            for row in rows
        ],
        request=request,
        channel="api",
    )
    return [
        StudentWorkOut(
            student=StudentRef(id=row.student.id, name=row.student.name),
            status=row.cell.status,
            attempts=row.cell.attempts,
            submitted_at=row.cell.submitted_at,
            late=row.cell.late,
            score=row.cell.score,
            returned_at=row.cell.returned_at,
            excused=row.cell.excused,
            draft=row.cell.draft,
            changes_pending=row.cell.changes,
        )
        for row in rows
    ]


@router.put(
    "/assignments/{assignment_id}/feedback/{student_id}",
    response={200: FeedbackOut, **WRITE},
    summary="Save or return feedback",
    description=(
        "Saves the feedback on one student's work: a grade (or, with a rubric, a level per "
        "criterion, the grade being their sum; levels left out stay as chosen), a comment, "
        "excused (left out, it stays as it is); the grade and comment sent replace the saved "
        "ones, and are cleared when left out. With ``return_to_student`` it is returned at "
        "once. A grade is between 0 and the work's points; on rubric work a grade sent must be "
        "the sum of the levels (422 naming ``score`` otherwise). Feedback already returned "
        "keeps what was returned: without ``return_to_student`` what is sent is kept as "
        "``changes``, which the student and family do not see, and the answer's own fields "
        "stay the returned ones; sent with ``return_to_student: true``, it is applied and "
        "returned (levels and excused left out then come from the changes kept). Changes "
        "that match what was returned leave nothing kept; ``DELETE …/changes`` discards "
        "them. 403 for an admin of the school; 404 for a student not in the class."
    ),
    operation_id="village_classwork_api_teacher_feedback_put",
)
def feedback_put(
    request: HttpRequest, assignment_id: Id, student_id: Id, payload: FeedbackIn
) -> Status[Any]:
    user = api_caller(request)
    work = staff_assignment(user, assignment_id, change=True)
    try:
        feedback = feedback_save(
            assignment=work,
            student=policies.class_student_for_viewer(work.school_class_id, student_id),
            graded_by=user,
            score=payload.score,
            comment=payload.comment,
            rubric_levels=payload.rubric_levels,
            excused=payload.excused,
            return_to_student=payload.return_to_student,
        )
    except ValidationError as error:
        return invalid(error)
    return Status(200, _feedback_out(feedback))


@router.delete(
    "/assignments/{assignment_id}/feedback/{student_id}/changes",
    response={200: FeedbackOut, 403: ErrorOut, **READ},
    summary="Discard the changes kept for returned feedback",
    description=(
        "Forgets the changes saved to returned feedback without returning them: the feedback "
        "stays as it was returned, and is answered with ``changes`` null (also when there were "
        "none). 403 for an admin of the school; 404 for a student not in the class, or without "
        "feedback on the work."
    ),
    operation_id="village_classwork_api_teacher_feedback_changes_discard",
)
def feedback_changes_discard(
    request: HttpRequest, assignment_id: Id, student_id: Id
) -> FeedbackOut:
    work = staff_assignment(api_caller(request), assignment_id, change=True)
    student = policies.class_student_for_viewer(work.school_class_id, student_id)
    feedback = policies.feedback_for_editor(work, student)
    feedback_draft_discard(assignment=work, student=student)
    return _feedback_out(feedback)


def _feedback_out(feedback: Feedback) -> FeedbackOut:
    feedback.refresh_from_db()  # grades as stored: with two decimal places
    return FeedbackOut(
        assignment_id=feedback.assignment_id,
        student_id=feedback.student_id,
        score=feedback.score,
        comment=feedback.comment,
        excused=feedback.excused,
        returned_at=feedback.returned_at,
        rubric_levels=assessment_levels(feedback.assessment_id),
        changes=_changes_out(feedback),
    )


def _changes_out(feedback: Feedback) -> FeedbackChangesOut | None:
    if not feedback.has_draft or feedback.draft_saved_at is None:
        return None
    return FeedbackChangesOut(
        score=feedback.draft_score,
        comment=feedback.draft_comment,
        excused=feedback.draft_excused,
        rubric_levels=feedback.draft_levels,
        saved_at=utc(feedback.draft_saved_at),
    )
