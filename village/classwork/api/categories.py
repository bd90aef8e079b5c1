"""A class's grading categories through the API."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from village.accounts.api import api_caller
from village.classwork.api.common import invalid, staff_class
from village.classwork.models import (
    GradingCategory,
)
from village.classwork.services import categories as category_services
from village.core.api import (
    READ,
    WRITE,
    Id,
    InputSchema,
    SingleLine,
)

router = Router()


class CategoryOut(Schema):
    id: int
    name: str
    weight: Decimal = Field(description="Percentage of the course grade (scaled to 100).")


class CategoryIn(InputSchema):
    name: SingleLine = Field(max_length=100)
    weight: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)


@router.get(
    "/classes/{class_id}/categories",
    response={200: list[CategoryOut], **READ},
    summary="A class's grading categories",
    description="Each kind of work with its weight in the course grade.",
    operation_id="village_classwork_api_teacher_category_list",
)
def category_list(request: HttpRequest, class_id: Id) -> list[GradingCategory]:
    school_class = staff_class(api_caller(request), class_id)
    return list(GradingCategory.objects.filter(school_class=school_class))


@router.post(
    "/classes/{class_id}/categories",
    response={201: CategoryOut, **WRITE},
    summary="Add a grading category",
    description="A name unique in the class and a weight from 0 to 100.",
    operation_id="village_classwork_api_teacher_category_create",
)
def category_create(request: HttpRequest, class_id: Id, payload: CategoryIn) -> Status[Any]:
    school_class = staff_class(api_caller(request), class_id, change=True)
    try:
        category = category_services.category_create(
            school_class=school_class, name=payload.name, weight=payload.weight
        )
    except ValidationError as error:
        return invalid(error)
    return Status(201, category)
