"""What the support endpoints share: the shapes of people and accommodations, the audit of
students shown, and the most items a page holds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.http import HttpRequest
from ninja import Field, Schema

from village.accounts.models import User
from village.community.policies import student_schools, today
from village.core.audit import students_shown
from village.support.models import Accommodation, Category, Visibility

#: The most items one page of a list holds.
MAX_PAGE_SIZE = 200


class SupportPersonOut(Schema):
    id: int
    name: str


class SupportAccommodationOut(Schema):
    id: int
    student_id: int
    category: Category = Field(
        description="presentation, response, setting or timing (timing and scheduling)."
    )
    title: str = Field(description='What is adjusted, e.g. "Extended time".')
    details: str
    starts_on: dt.date
    ends_on: dt.date | None = Field(description="The last day it applies (null: open-ended).")
    in_force: bool = Field(description="Does it apply today?")
    visibility: Visibility = Field(
        description="family (the student and family read it too) or staff (the student's "
        "staff only); every current teacher of the student reads it either way."
    )


def person(user: User) -> SupportPersonOut:
    return SupportPersonOut(id=user.pk, name=user.display_name)


def accommodation_out(
    accommodation: Accommodation, day: dt.date | None = None
) -> SupportAccommodationOut:
    day = day or today()
    in_force = accommodation.starts_on <= day and (
        accommodation.ends_on is None or accommodation.ends_on >= day
    )
    return SupportAccommodationOut(
        id=accommodation.pk,
        student_id=accommodation.student_id,
        category=Category(accommodation.category),
        title=accommodation.title,
        details=accommodation.details,
        starts_on=accommodation.starts_on,
        ends_on=accommodation.ends_on,
        in_force=in_force,
        visibility=Visibility(accommodation.visibility),
    )


def audit(request: HttpRequest, user: User, student_ids: Iterable[int]) -> None:
    """One audit entry per student shown, at the student's school (two queries, none when
    nobody was shown)."""
    ids = list(student_ids)
    if not ids:
        return
    schools = student_schools(ids)
    shown = [(pk, schools[pk].pk if pk in schools else None) for pk in ids]
    students_shown(request, user, shown, channel="api")
