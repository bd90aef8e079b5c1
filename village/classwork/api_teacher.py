"""Classwork endpoints for a class's teachers: ``/api/v1/classwork/…``.

A class's work, topics and grading categories, each student's status on a piece of work, and
feedback. Every endpoint loads through ``village.classwork.policies``: a class or assignment the
caller does not see as staff (teacher, aide, or admin of its school) answers 404, as if it did not
exist; one they see but may not change (an admin's) answers 403 to a change. Bad input answers
422 naming the field, and changes nothing. Times without an offset are read in the caller's own
time zone; times are answered in UTC.
"""

# No ``from __future__ import annotations`` here: the paginated endpoint's parameters (``Id``)
# are read by django-ninja from the wrapped function, which needs them evaluated.
import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from village.accounts.api import api_caller
from village.accounts.api_auth import api_auth
from village.accounts.models import User
from village.classwork import downloads, policies, selectors_teacher, services
from village.classwork.api_materials import MaterialOut, material_out
from village.classwork.models import (
    Assignment,
    AssignmentMaterial,
    Feedback,
    GradingCategory,
    Rubric,
    RubricScore,
    Topic,
)
from village.classwork.status import WorkStatus
from village.community.models import SchoolClass
from village.core.api import (
    READ,
    WRITE,
    ErrorOut,
    Id,
    InputSchema,
    Pages,
    Ref,
    SingleLine,
    Text,
    ValidationErrorOut,
)
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction
from village.core.text import single_line

MAX_PAGE_SIZE = 200

router = Router(auth=api_auth, tags=["classwork: teachers"])


# --- shapes ----------------------------------------------------------------------------------


class TopicOut(Schema):
    id: int
    title: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date


class TopicIn(InputSchema):
    title: SingleLine = Field(max_length=200)
    summary: Text = ""
    starts_on: dt.date
    ends_on: dt.date


class CategoryOut(Schema):
    id: int
    name: str
    weight: Decimal = Field(description="Percentage of the course grade (scaled to 100).")


class CategoryIn(InputSchema):
    name: SingleLine = Field(max_length=100)
    weight: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)


class LevelIn(InputSchema):
    title: SingleLine = Field(max_length=100)
    points: Decimal = Field(ge=0, max_digits=6, decimal_places=2)
    description: Text = Field("", max_length=500)


class CriterionIn(InputSchema):
    title: SingleLine = Field(max_length=200)
    description: Text = Field("", max_length=500)
    levels: list[LevelIn] = Field(description="Best level first.")


class RubricIn(InputSchema):
    title: SingleLine = Field(max_length=200)
    criteria: list[CriterionIn]


class LinkIn(InputSchema):
    title: SingleLine = Field("", max_length=200)
    url: Text = Field(max_length=1000)


class AssignmentOut(Schema):
    id: int
    class_id: int
    title: str
    instructions: str = Field(description="Sanitised HTML.")
    topic_id: int | None
    category_id: int | None
    rubric_id: int | None
    points: Decimal | None = Field(description="What the work is out of (a rubric's maximum).")
    assign_at: dt.datetime
    due_at: dt.datetime | None
    visible_to_families: bool
    published: bool = Field(description="The assign time has come: students see the work.")
    materials: list[MaterialOut]


class AssignmentIn(InputSchema):
    title: SingleLine = Field(max_length=200)
    instructions: Text = Field("", description="HTML; only simple formatting is kept.")
    topic_id: Ref | None = None
    category_id: Ref | None = None
    points: Decimal | None = Field(
        None, ge=0, max_digits=7, decimal_places=2, description="Ignored with a rubric."
    )
    rubric_id: Ref | None = Field(None, description="One of the class's rubrics.")
    rubric: RubricIn | None = Field(None, description="A new rubric for this work.")
    assign_at: dt.datetime | None = Field(None, description="Defaults to now.")
    due_at: dt.datetime | None = None
    visible_to_families: bool = True
    links: list[LinkIn] = []


class AssignmentPatch(InputSchema):
    """Only the fields sent change; ``null`` clears an optional one."""

    title: SingleLine | None = Field(None, max_length=200)
    instructions: Text | None = None
    topic_id: Ref | None = None
    category_id: Ref | None = None
    points: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=2)
    rubric_id: Ref | None = None
    assign_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    visible_to_families: bool | None = None


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


# --- helpers ---------------------------------------------------------------------------------


def _staff_class(user: User, class_id: int, *, change: bool = False) -> SchoolClass:
    school_class = policies.class_for_staff(user, class_id)
    if change and not policies.teaches(user, school_class):
        raise PermissionDenied("Only the class's teachers change its work.")
    return school_class


def _staff_assignment(user: User, assignment_id: int, *, change: bool = False) -> Assignment:
    work = selectors_teacher.staff_assignment(user, assignment_id)
    if change and not policies.teaches(user, work.school_class):
        raise PermissionDenied("Only the class's teachers change its work.")
    return work


_API_FIELDS = {
    "topic": "topic_id",
    "category": "category_id",
    "rubric": "rubric_id",
    "rubric_title": "rubric",
    "criteria": "rubric",
    "url": "links",
    "file": "links",
}


def _invalid(
    error: ValidationError, fields: dict[str, str] = _API_FIELDS
) -> Status[dict[str, Any]]:
    """A service's ``ValidationError`` as a 422 answer naming the API's fields (``fields`` maps
    a service's field to the API's where they differ)."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    detail = [
        {"loc": ["body", fields.get(name, name)], "msg": message, "type": "value_error"}
        for name, found in messages.items()
        for message in found
    ]
    return Status(422, {"detail": detail})


def _aware(user: User, value: dt.datetime | None) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    try:
        zone = zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.make_aware(value, zone)


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _of_class(model: type[Any], school_class: SchoolClass, pk: int | None, field: str) -> Any:
    """The class's own topic, category or rubric with this id (``None`` for ``None``)."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, school_class=school_class).first()
    if found is None:
        raise ValidationError({field: f"This class has no such {field.removesuffix('_id')}."})
    return found


@router.get(
    "/materials/{material_id}/file",
    url_name="material_download",
    response=READ,
    tags=["classwork"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with the media type of its kind (e.g. application/pdf).",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="Download a file that goes with an assignment",
    description=(
        "The file as an attachment, for anyone who may see its assignment: the class's staff, "
        "its students once the work is published, and their families where the work is shown "
        "to families and their link allows classwork. 404 for anyone else, or for a link."
    ),
)
def material_download(request: HttpRequest, material_id: Id) -> FileResponse:
    return downloads.material_download(api_caller(request), material_id)


def _assignment_out(work: Assignment, now: dt.datetime) -> AssignmentOut:
    return AssignmentOut(
        id=work.pk,
        class_id=work.school_class_id,
        title=work.title,
        instructions=work.instructions,
        topic_id=work.topic_id,
        category_id=work.category_id,
        rubric_id=work.rubric_id,
        points=work.points,
        assign_at=_utc(work.assign_at),
        due_at=_utc(work.due_at) if work.due_at else None,
        visible_to_families=work.visible_to_families,
        published=work.assign_at <= now,
        materials=[material_out(material) for material in work.materials.all()],
    )


# --- a class's work --------------------------------------------------------------------------


@router.get(
    "/classes/{class_id}/assignments",
    response={200: list[AssignmentOut], **READ},
    summary="A class's work",
    description=(
        "Every active assignment of a class the caller teaches or administers, scheduled work "
        "included, newest due first. 404 if the caller does not see the class as staff."
    ),
)
@paginate(Pages, max_limit=MAX_PAGE_SIZE)
def assignment_list(request: HttpRequest, class_id: Id) -> list[AssignmentOut]:
    school_class = _staff_class(api_caller(request), class_id)
    works = (
        selectors_teacher.active_work([school_class.pk])
        .order_by("-due_at", "-id")
        .prefetch_related("materials")
    )
    now = timezone.now()
    return [_assignment_out(work, now) for work in works]


@router.post(
    "/classes/{class_id}/assignments",
    response={201: AssignmentOut, **WRITE},
    summary="Post work to a class",
    description=(
        "Creates an assignment, with a new rubric (``rubric``) or one of the class's "
        "(``rubric_id``), in which case its points are the rubric's maximum, and with links. "
        "403 for a class the caller sees but does not teach; 422 naming the field for bad input."
    ),
)
def assignment_create(request: HttpRequest, class_id: Id, payload: AssignmentIn) -> Status[Any]:
    user = api_caller(request)
    school_class = _staff_class(user, class_id, change=True)
    try:
        work = services.assignment_create(
            school_class=school_class,
            created_by=user,
            title=payload.title,
            instructions=payload.instructions,
            topic=_of_class(Topic, school_class, payload.topic_id, "topic_id"),
            category=_of_class(GradingCategory, school_class, payload.category_id, "category_id"),
            rubric=_of_class(Rubric, school_class, payload.rubric_id, "rubric_id"),
            new_rubric=_rubric_spec(payload.rubric),
            points=payload.points,
            assign_at=_aware(user, payload.assign_at),
            due_at=_aware(user, payload.due_at),
            visible_to_families=payload.visible_to_families,
            materials=[
                services.MaterialSpec(title=link.title, url=link.url) for link in payload.links
            ],
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, _assignment_out(work, timezone.now()))


def _rubric_spec(rubric: RubricIn | None) -> services.RubricSpec | None:
    if rubric is None:
        return None
    return services.RubricSpec(
        title=rubric.title,
        criteria=[
            services.CriterionSpec(
                title=criterion.title,
                description=criterion.description,
                levels=[
                    services.LevelSpec(
                        title=level.title, points=level.points, description=level.description
                    )
                    for level in criterion.levels
                ],
            )
            for criterion in rubric.criteria
        ],
    )


@router.get(
    "/assignments/{assignment_id}",
    response={200: AssignmentOut, **READ},
    summary="One assignment",
    description="An assignment of a class the caller teaches or administers; 404 otherwise.",
)
def assignment_detail(request: HttpRequest, assignment_id: Id) -> AssignmentOut:
    work = _staff_assignment(api_caller(request), assignment_id)
    return _assignment_out(work, timezone.now())


@router.patch(
    "/assignments/{assignment_id}",
    response={200: AssignmentOut, **WRITE},
    summary="Change an assignment",
    description=(
        "Changes the fields sent. The rubric cannot change once work was scored on it, and the "
        "points cannot drop below a grade already given (422). 403 for an admin of the school."
    ),
)
def assignment_patch(
    request: HttpRequest, assignment_id: Id, payload: AssignmentPatch
) -> Status[Any]:
    user = api_caller(request)
    work = _staff_assignment(user, assignment_id, change=True)
    sent = payload.model_dump(exclude_unset=True)
    try:
        changes = _changes(user, work, sent)
        work = services.assignment_update(assignment=work, **changes)
    except ValidationError as error:
        return _invalid(error)
    return Status(200, _assignment_out(work, timezone.now()))


def _changes(user: User, work: Assignment, sent: dict[str, Any]) -> dict[str, Any]:
    school_class = work.school_class
    changes: dict[str, Any] = {}
    for name in ("title", "instructions", "visible_to_families", "points"):
        if name in sent:
            if sent[name] is None and name != "points":
                raise ValidationError({name: "This field cannot be empty."})
            changes[name] = sent[name]
    models = {"topic_id": Topic, "category_id": GradingCategory, "rubric_id": Rubric}
    for name, model in models.items():
        if name in sent:
            changes[name.removesuffix("_id")] = _of_class(model, school_class, sent[name], name)
    for name in ("assign_at", "due_at"):
        if name in sent:
            if sent[name] is None and name == "assign_at":
                raise ValidationError({name: "This field cannot be empty."})
            changes[name] = _aware(user, sent[name])
    return changes


# --- an assignment's materials ---------------------------------------------------------------


@router.post(
    "/assignments/{assignment_id}/materials",
    response={201: MaterialOut, **WRITE},
    summary="Attach a file or a link to an assignment",
    description=(
        "A multipart form (``multipart/form-data``) with a ``title`` and either a ``file`` or a "
        "``url`` (``http`` or ``https``), not both; without a title, the file's name or the link "
        "is the title. The material comes after the work's others. A file is at most "
        f"{services.MAX_MATERIAL_BYTES // 1024 // 1024} MB, of one of these types: "
        f"{', '.join(sorted(s.lstrip('.') for s in services.MATERIAL_SUFFIXES))}; it is "
        "downloaded from the ``url`` answered, by anyone who may see the work (a page of the "
        "site: it takes a browser session, not a token). 403 for an admin of the school; 422 "
        "naming the field (``file`` or ``url``) for bad input, and nothing is attached."
    ),
)
def material_add(
    request: HttpRequest,
    assignment_id: Id,
    title: Form[str] = "",
    url: Form[str] = "",
    file: File[UploadedFile | None] = None,
) -> Status[Any]:
    work = _staff_assignment(api_caller(request), assignment_id, change=True)
    try:
        single_line(title, field="title")
        material = services.material_add(assignment=work, title=title, url=url, file=file)
    except ValidationError as error:
        return _invalid(error, fields={})
    return Status(201, material_out(material))


@router.delete(
    "/assignments/{assignment_id}/materials/{material_id}",
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="Remove a material from an assignment",
    description=(
        "Removes a file or link from the work; a file is deleted with it. 404 for a material "
        "of another assignment; 403 for an admin of the school."
    ),
)
def material_remove(request: HttpRequest, assignment_id: Id, material_id: Id) -> Status[None]:
    work = _staff_assignment(api_caller(request), assignment_id, change=True)
    material = AssignmentMaterial.objects.filter(pk=material_id, assignment=work).first()
    if material is None:
        raise Http404("No such material.")
    services.material_remove(material=material)
    return Status(204, None)


# --- each student's work, and feedback -------------------------------------------------------


@router.get(
    "/assignments/{assignment_id}/work",
    response={200: list[StudentWorkOut], **READ},
    summary="Each student's work on an assignment",
    description=(
        "Every current student of the class, by last name, with their status, latest hand-in, "
        "attempts and grade (drafts included; for returned feedback with changes pending, the "
        "returned grade). A view of the students' records: written to the audit log."
    ),
)
def assignment_work(request: HttpRequest, assignment_id: Id) -> list[StudentWorkOut]:
    user = api_caller(request)
    work = _staff_assignment(user, assignment_id)
    _work, rows = selectors_teacher.student_work(work, now=timezone.now())
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
)
def feedback_put(
    request: HttpRequest, assignment_id: Id, student_id: Id, payload: FeedbackIn
) -> Status[Any]:
    user = api_caller(request)
    work = _staff_assignment(user, assignment_id, change=True)
    try:
        feedback = services.feedback_save(
            assignment=work,
            student=_class_student(work, student_id),
            graded_by=user,
            score=payload.score,
            comment=payload.comment,
            rubric_levels=payload.rubric_levels,
            excused=payload.excused,
            return_to_student=payload.return_to_student,
        )
    except ValidationError as error:
        return _invalid(error)
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
)
def feedback_changes_discard(
    request: HttpRequest, assignment_id: Id, student_id: Id
) -> FeedbackOut:
    work = _staff_assignment(api_caller(request), assignment_id, change=True)
    student = _class_student(work, student_id)
    feedback = services.feedback_draft_discard(assignment=work, student=student)
    if feedback is None:
        raise Http404("No feedback yet.")
    return _feedback_out(feedback)


def _class_student(work: Assignment, student_id: int) -> User:
    """A current student of the work's class (404 for anyone else)."""
    students = selectors_teacher.class_students([work.school_class_id])[work.school_class_id]
    if student_id not in {student.id for student in students}:
        raise Http404("No such student.")
    return User.objects.get(pk=student_id)


def _feedback_out(feedback: Feedback) -> FeedbackOut:
    feedback.refresh_from_db()  # grades as stored: with two decimal places
    levels = RubricScore.objects.filter(feedback=feedback, level__isnull=False).values_list(
        "criterion_id", "level_id"
    )
    return FeedbackOut(
        assignment_id=feedback.assignment_id,
        student_id=feedback.student_id,
        score=feedback.score,
        comment=feedback.comment,
        excused=feedback.excused,
        returned_at=feedback.returned_at,
        rubric_levels={criterion: level for criterion, level in levels if level is not None},
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
        saved_at=_utc(feedback.draft_saved_at),
    )


# --- topics and categories -------------------------------------------------------------------


@router.get(
    "/classes/{class_id}/topics",
    response={200: list[TopicOut], **READ},
    summary="A class's topics",
    description="What the class studies, by start date.",
)
def topic_list(request: HttpRequest, class_id: Id) -> list[Topic]:
    school_class = _staff_class(api_caller(request), class_id)
    return list(Topic.objects.filter(school_class=school_class).order_by("starts_on", "id"))


@router.post(
    "/classes/{class_id}/topics",
    response={201: TopicOut, **WRITE},
    summary="Add a topic",
    description="What the class studies between two dates. 422 if it ends before it starts.",
)
def topic_create(request: HttpRequest, class_id: Id, payload: TopicIn) -> Status[Any]:
    school_class = _staff_class(api_caller(request), class_id, change=True)
    try:
        topic = services.topic_create(school_class=school_class, **payload.model_dump())
    except ValidationError as error:
        return _invalid(error)
    return Status(201, topic)


@router.get(
    "/classes/{class_id}/categories",
    response={200: list[CategoryOut], **READ},
    summary="A class's grading categories",
    description="Each kind of work with its weight in the course grade.",
)
def category_list(request: HttpRequest, class_id: Id) -> list[GradingCategory]:
    school_class = _staff_class(api_caller(request), class_id)
    return list(GradingCategory.objects.filter(school_class=school_class))


@router.post(
    "/classes/{class_id}/categories",
    response={201: CategoryOut, **WRITE},
    summary="Add a grading category",
    description="A name unique in the class and a weight from 0 to 100.",
)
def category_create(request: HttpRequest, class_id: Id, payload: CategoryIn) -> Status[Any]:
    school_class = _staff_class(api_caller(request), class_id, change=True)
    try:
        category = services.category_create(
            school_class=school_class, name=payload.name, weight=payload.weight
        )
    except ValidationError as error:
        return _invalid(error)
    return Status(201, category)
