"""A class's topics through the API."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from village.accounts.api import api_caller
from village.classwork.api.common import invalid, staff_class
from village.classwork.models import (
    Topic,
)
from village.classwork.services import topics as topic_services
from village.core.api import (
    READ,
    WRITE,
    Id,
    InputSchema,
    SingleLine,
    Text,
)

router = Router()


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


@router.get(
    "/classes/{class_id}/topics",
    response={200: list[TopicOut], **READ},
    summary="A class's topics",
    description="What the class studies, by start date.",
    operation_id="village_classwork_api_teacher_topic_list",
)
def topic_list(request: HttpRequest, class_id: Id) -> list[Topic]:
    school_class = staff_class(api_caller(request), class_id)
    return list(Topic.objects.filter(school_class=school_class).order_by("starts_on", "id"))


@router.post(
    "/classes/{class_id}/topics",
    response={201: TopicOut, **WRITE},
    summary="Add a topic",
    description="What the class studies between two dates. 422 if it ends before it starts.",
    operation_id="village_classwork_api_teacher_topic_create",
)
def topic_create(request: HttpRequest, class_id: Id, payload: TopicIn) -> Status[Any]:
    school_class = staff_class(api_caller(request), class_id, change=True)
    try:
        topic = topic_services.topic_create(school_class=school_class, **payload.model_dump())
    except ValidationError as error:
        return invalid(error)
    return Status(201, topic)
