"""A class's work through the API: list, post, read and change."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from village.accounts.api import api_caller
from village.accounts.models import User
from village.classwork.api.common import (
    MAX_PAGE_SIZE,
    aware,
    invalid,
    staff_assignment,
    staff_class,
    utc,
)
from village.classwork.api.materials import MaterialOut, material_out
from village.classwork.models import (
    Assignment,
    GradingCategory,
    Rubric,
    Topic,
)
from village.classwork.selectors.cells import active_work
from village.classwork.services import assignments as assignment_services
from village.classwork.services.assignments import assignment_update
from village.classwork.services.materials import MaterialSpec
from village.classwork.services.rubrics import CriterionSpec, LevelSpec, RubricSpec
from village.community.models import SchoolClass
from village.core.api import (
    READ,
    WRITE,
    Id,
    InputSchema,
    Pages,
    Ref,
    SingleLine,
    Text,
)

router = Router()


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
        assign_at=utc(work.assign_at),
        due_at=utc(work.due_at) if work.due_at else None,
        visible_to_families=work.visible_to_families,
        published=work.assign_at <= now,
        materials=[material_out(material) for material in work.materials.all()],
    )


@router.get(
    "/classes/{class_id}/assignments",
    response={200: list[AssignmentOut], **READ},
    summary="A class's work",
    description=(
        "Every active assignment of a class the caller teaches or administers, scheduled work "
        "included, newest due first. 404 if the caller does not see the class as staff."
    ),
    operation_id="village_classwork_api_teacher_assignment_list",
)
@paginate(Pages, max_limit=MAX_PAGE_SIZE)
def assignment_list(request: HttpRequest, class_id: Id) -> list[AssignmentOut]:
    school_class = staff_class(api_caller(request), class_id)
    works = active_work([school_class.pk]).order_by("-due_at", "-id").prefetch_related("materials")
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
    operation_id="village_classwork_api_teacher_assignment_create",
)
def assignment_create(request: HttpRequest, class_id: Id, payload: AssignmentIn) -> Status[Any]:
    user = api_caller(request)
    school_class = staff_class(user, class_id, change=True)
    try:
        work = assignment_services.assignment_create(
            school_class=school_class,
            created_by=user,
            title=payload.title,
            instructions=payload.instructions,
            topic=_of_class(Topic, school_class, payload.topic_id, "topic_id"),
            category=_of_class(GradingCategory, school_class, payload.category_id, "category_id"),
            rubric=_of_class(Rubric, school_class, payload.rubric_id, "rubric_id"),
            new_rubric=_rubric_spec(payload.rubric),
            points=payload.points,
            assign_at=aware(user, payload.assign_at),
            due_at=aware(user, payload.due_at),
            visible_to_families=payload.visible_to_families,
            materials=[MaterialSpec(title=link.title, url=link.url) for link in payload.links],
        )
    except ValidationError as error:
        return invalid(error)
    return Status(201, _assignment_out(work, timezone.now()))


def _rubric_spec(rubric: RubricIn | None) -> RubricSpec | None:
    if rubric is None:
        return None
    return RubricSpec(
        title=rubric.title,
        criteria=[
            CriterionSpec(
                title=criterion.title,
                description=criterion.description,
                levels=[
                    LevelSpec(title=level.title, points=level.points, description=level.description)
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
    operation_id="village_classwork_api_teacher_assignment_detail",
)
def assignment_detail(request: HttpRequest, assignment_id: Id) -> AssignmentOut:
    work = staff_assignment(api_caller(request), assignment_id)
    return _assignment_out(work, timezone.now())


@router.patch(
    "/assignments/{assignment_id}",
    response={200: AssignmentOut, **WRITE},
    summary="Change an assignment",
    description=(
        "Changes the fields sent. The rubric cannot change once work was scored on it, and the "
        "points cannot drop below a grade already given (422). 403 for an admin of the school."
    ),
    operation_id="village_classwork_api_teacher_assignment_patch",
)
def assignment_patch(
    request: HttpRequest, assignment_id: Id, payload: AssignmentPatch
) -> Status[Any]:
    user = api_caller(request)
    work = staff_assignment(user, assignment_id, change=True)
    sent = payload.model_dump(exclude_unset=True)
    try:
        changes = _changes(user, work, sent)
        work = assignment_update(assignment=work, **changes)
    except ValidationError as error:
        return invalid(error)
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
            changes[name] = aware(user, sent[name])
    return changes


def _of_class(model: type[Any], school_class: SchoolClass, pk: int | None, field: str) -> Any:
    """The class's own topic, category or rubric with this id (``None`` for ``None``)."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, school_class=school_class).first()
    if found is None:
        raise ValidationError({field: f"This class has no such {field.removesuffix('_id')}."})
    return found
