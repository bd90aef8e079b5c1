"""Accommodations: set by the admins of the student's school and its support team, applied by
every current teacher of the student."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.policies import today
from village.core.text import SINGLE_LINE_MESSAGE, single_line
from village.support import policies, versions
from village.support.models import (
    ACCOMMODATION_VISIBILITIES,
    TEXT_MAX,
    TITLE_MAX,
    Accommodation,
    Category,
    Visibility,
)
from village.support.services.checks import Errors


@dataclass(frozen=True)
class AccommodationFields:
    """What a form or the API gives for an accommodation; checked by the services."""

    category: Category | str
    title: str
    starts_on: dt.date | None
    ends_on: dt.date | None = None
    details: str = ""
    visibility: Visibility | str = Visibility.FAMILY


@dataclass(frozen=True)
class _Checked:
    category: Category
    title: str
    details: str
    starts_on: dt.date
    ends_on: dt.date | None
    visibility: Visibility


def _checked(fields: AccommodationFields) -> _Checked:
    errors = Errors()
    category = errors.choice(Category, fields.category, "category")
    title = errors.text(fields.title, "title", limit=TITLE_MAX)
    try:
        single_line(title)
    except ValidationError:
        errors.add("title", str(SINGLE_LINE_MESSAGE))
    details = errors.text(fields.details, "details", limit=TEXT_MAX, required=False)
    errors.require(fields.starts_on is not None, "starts_on", _("Say when it starts."))
    errors.require(
        fields.ends_on is None or fields.starts_on is None or fields.ends_on >= fields.starts_on,
        "ends_on",
        _("It cannot end before it starts."),
    )
    visibility = errors.choice(Visibility, fields.visibility, "visibility")
    errors.require(
        visibility is None or visibility in ACCOMMODATION_VISIBILITIES,
        "visibility",
        _("Every current teacher sees accommodations: they cannot be restricted."),
    )
    errors.raise_any()
    assert category is not None
    assert visibility is not None
    assert fields.starts_on is not None
    return _Checked(category, title, details, fields.starts_on, fields.ends_on, visibility)


def _require_manager(user: User, student_id: int) -> None:
    if not policies.may_manage_accommodations(user, student_id):
        raise PermissionDenied(_("You may not set this student's accommodations."))


@transaction.atomic
def accommodation_add(*, author: User, student: User, fields: AccommodationFields) -> Accommodation:
    """Add an accommodation for ``student``; ``author`` administers the student's school or is
    on its support team (else ``PermissionDenied``)."""
    _require_manager(author, student.pk)
    checked = _checked(fields)
    accommodation = Accommodation.objects.create(student=student, author=author, **checked.__dict__)
    if accommodation.visibility == Visibility.FAMILY:
        versions.children_changed([student.pk])
    return accommodation


@transaction.atomic
def accommodation_change(
    *, editor: User, accommodation: Accommodation, fields: AccommodationFields
) -> Accommodation:
    """Change an accommodation (loaded with ``policies.accommodation_for_editor``)."""
    _require_manager(editor, accommodation.student_id)
    checked = _checked(fields)
    family_saw = accommodation.visibility == Visibility.FAMILY
    for name, value in checked.__dict__.items():
        setattr(accommodation, name, value)
    accommodation.save()
    if family_saw or accommodation.visibility == Visibility.FAMILY:
        versions.children_changed([accommodation.student_id])
    return accommodation


@transaction.atomic
def accommodation_end(
    *, editor: User, accommodation: Accommodation, ends_on: dt.date | None = None
) -> Accommodation:
    """End an accommodation on ``ends_on`` (today by default); kept on record."""
    ends_on = ends_on or today()
    fields = AccommodationFields(
        category=accommodation.category,
        title=accommodation.title,
        details=accommodation.details,
        starts_on=accommodation.starts_on,
        ends_on=ends_on,
        visibility=accommodation.visibility,
    )
    return accommodation_change(editor=editor, accommodation=accommodation, fields=fields)
