"""What the teachers' classwork endpoints share: loading the class or work to change, and
service errors as 422 answers naming the API's fields."""

import datetime as dt
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Status

from village.accounts.models import User
from village.classwork import policies
from village.classwork.models import (
    Assignment,
)
from village.community.models import SchoolClass

MAX_PAGE_SIZE = 200


#: What a class's staff who only view its work (an admin of the school) are told on a change.
ONLY_TEACHERS = "Only the class's teachers change its work."


def staff_class(user: User, class_id: int, *, change: bool = False) -> SchoolClass:
    if change:
        return policies.class_for_editor(user, class_id, ONLY_TEACHERS)
    return policies.class_for_staff(user, class_id)


def staff_assignment(user: User, assignment_id: int, *, change: bool = False) -> Assignment:
    if change:
        return policies.staff_assignment_for_editor(user, assignment_id, ONLY_TEACHERS)
    return policies.staff_assignment_for_viewer(user, assignment_id)


_API_FIELDS = {
    "topic": "topic_id",
    "category": "category_id",
    "rubric": "rubric_id",
    "rubric_title": "rubric",
    "criteria": "rubric",
    "url": "links",
    "file": "links",
}


def invalid(error: ValidationError, fields: dict[str, str] = _API_FIELDS) -> Status[dict[str, Any]]:
    """A service's ``ValidationError`` as a 422 answer naming the API's fields (``fields`` maps
    a service's field to the API's where they differ)."""
    messages = error.message_dict if hasattr(error, "error_dict") else {"body": error.messages}
    detail = [
        {"loc": ["body", fields.get(name, name)], "msg": message, "type": "value_error"}
        for name, found in messages.items()
        for message in found
    ]
    return Status(422, {"detail": detail})


def aware(user: User, value: dt.datetime | None) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    try:
        zone = zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.make_aware(value, zone)


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)
