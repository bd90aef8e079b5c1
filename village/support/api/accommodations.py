"""Accommodations through the API: a student's, as the caller may see them (in force, to come
and ended), added and changed by the admins of the student's school and its support team."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.core.api import READ, WRITE, Id, InputSchema, PageIn, SingleLine, Text, invalid
from village.support import policies
from village.support.api.common import (
    MAX_PAGE_SIZE,
    SupportAccommodationOut,
    accommodation_out,
    audit,
)
from village.support.models import TEXT_MAX, TITLE_MAX, Accommodation, Category, Visibility
from village.support.services.accommodations import (
    AccommodationFields,
    accommodation_add,
    accommodation_change,
)

router = Router()

#: The fields a change may not empty.
REQUIRED = ("category", "title", "starts_on", "visibility")


class SupportAccommodationsPage(Schema):
    items: list[SupportAccommodationOut]
    count: int = Field(description="How many accommodations there are in all.")


class SupportAccommodationIn(InputSchema):
    category: Category
    title: SingleLine = Field(max_length=TITLE_MAX, description='e.g. "Extended time".')
    details: Text = Field("", max_length=TEXT_MAX)
    starts_on: dt.date
    ends_on: dt.date | None = Field(None, description="The last day it applies (null: open).")
    visibility: Visibility = Field(
        Visibility.FAMILY,
        description="family or staff (an accommodation is never restricted: every current "
        "teacher of the student applies it).",
    )


class SupportAccommodationPatch(InputSchema):
    category: Category | None = None
    title: SingleLine | None = Field(None, max_length=TITLE_MAX)
    details: Text | None = Field(None, max_length=TEXT_MAX)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = Field(None, description="Send a day to end it; null: open-ended.")
    visibility: Visibility | None = None


@router.get(
    "/students/{student_id}/accommodations",
    response={200: SupportAccommodationsPage, **READ},
    operation_id="support_accommodations_list",
    summary="A student's accommodations",
    description=(
        "The accommodations of the student the caller may see, in force, to come and ended, "
        "by category and start: all of them for the student's staff, those shared with the "
        "family for the student and their guardians (where the link allows the support "
        "plan); ``limit`` (at most 200) after the first ``offset``. The view is written to "
        "the audit log. 404 for a student whose profile the caller may not open."
    ),
)
def accommodations_list(
    request: HttpRequest, student_id: Id, page: Query[PageIn]
) -> SupportAccommodationsPage:
    user = api_caller(request)
    student = policies.profile_student_for_viewer(user, student_id)
    found = policies.visible_accommodations(user).filter(student_id=student.pk)
    limit = min(page.limit, MAX_PAGE_SIZE)
    rows = found.order_by("category", "starts_on", "pk")[page.offset : page.offset + limit]
    audit(request, user, [student.pk])
    return SupportAccommodationsPage(
        items=[accommodation_out(accommodation) for accommodation in rows], count=found.count()
    )


@router.post(
    "/students/{student_id}/accommodations",
    response={201: SupportAccommodationOut, **WRITE},
    operation_id="support_accommodation_add",
    summary="Add an accommodation",
    description=(
        "Adds an accommodation for the student; the admins of the student's school and its "
        "support team set them. An end before the start, or a restricted visibility, answer "
        "422 naming the field. 403 for those who see the profile but may not set "
        "accommodations; 404 for a student whose profile the caller may not open."
    ),
)
def accommodation_create(
    request: HttpRequest, student_id: Id, payload: SupportAccommodationIn
) -> Status[Any]:
    user = api_caller(request)
    student = policies.profile_student_for_viewer(user, student_id)
    try:
        added = accommodation_add(
            author=user, student=student, fields=AccommodationFields(**payload.model_dump())
        )
    except ValidationError as error:
        return invalid(error)
    return Status(201, accommodation_out(added))


def _changed(accommodation: Accommodation, sent: dict[str, Any]) -> AccommodationFields:
    """The accommodation's fields with those ``sent`` (a field that may not be empty, sent as
    null, is refused)."""
    for name in REQUIRED:
        if name in sent and sent[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    kept = {
        name: getattr(accommodation, name)
        for name in ("category", "title", "details", "starts_on", "ends_on", "visibility")
    }
    if sent.get("details", "") is None:
        sent["details"] = ""
    return AccommodationFields(**{**kept, **sent})


@router.patch(
    "/accommodations/{accommodation_id}",
    response={200: SupportAccommodationOut, **WRITE},
    operation_id="support_accommodation_patch",
    summary="Change or end an accommodation",
    description=(
        "Changes the fields sent; ``ends_on`` ends it on that day (it stays on record), null "
        "makes it open-ended again. The same checks as when adding (422 naming the field). "
        "404 for an accommodation the caller may not set (its student's staff read it, only "
        "the admins of the student's school and its support team change it)."
    ),
)
def accommodation_patch(
    request: HttpRequest, accommodation_id: Id, payload: SupportAccommodationPatch
) -> Status[Any]:
    user = api_caller(request)
    accommodation = policies.accommodation_for_editor(user, accommodation_id)
    try:
        fields = _changed(accommodation, payload.model_dump(exclude_unset=True))
        changed = accommodation_change(editor=user, accommodation=accommodation, fields=fields)
    except ValidationError as error:
        return invalid(error)
    return Status(200, accommodation_out(changed))
