"""Announcements in the JSON API, at ``/api/v1/announcements``: the caller's (as a recipient, in
their language where translated; reading one is its read receipt), and for staff the ones
they sent with whom they reached, and a new one.

A new announcement goes through the same policy and checks as the page: a class, school or
district the caller may not announce to answers 404, as if it did not exist; bad input answers
422 naming the field, and nothing is written. Attachments are added on the page only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from village.accounts.api import api_caller
from village.accounts.api_auth import api_auth
from village.announcements import labels, policies
from village.announcements.models import Announcement, AudienceScope
from village.announcements.selectors import lists
from village.announcements.selectors import reach as reach_selectors
from village.announcements.services.announcements import (
    MAX_ATTACHMENTS,
    MAX_BODY,
    MAX_TITLE,
    Draft,
    announcement_create,
)
from village.community.policies import roles_of
from village.core.api import LISTED, READ, WRITE, ErrorOut, Id, InputSchema, PageIn, Ref, Text
from village.core.policies import require_page
from village.translation.texts import Shown

router = Router(auth=api_auth, tags=["announcements"])

#: The most announcements one page may hold, whatever ``limit`` asks for.
MAX_PAGE_SIZE = 100


class AnnouncementTextOut(Schema):
    text: str = Field(description="In the caller's language when a translation is ready.")
    language: str = Field(description="The language ``text`` is in.")
    translated: bool = Field(description="Machine-translated from ``original``.")
    original: str
    original_language: str

    @staticmethod
    def of(shown: Shown) -> AnnouncementTextOut:
        return AnnouncementTextOut(
            text=shown.text,
            language=shown.language,
            translated=shown.translated,
            original=shown.original,
            original_language=shown.original_language,
        )


class AnnouncementFileOut(Schema):
    id: int
    name: str
    size: int


class AnnouncementOut(Schema):
    id: int
    title: AnnouncementTextOut
    body: AnnouncementTextOut
    sender: str = Field(description="Who sent it.")
    audience: str = Field(description='Whom it was for, e.g. "Families of Grade 5 Homeroom".')
    urgent: bool
    pinned: bool = Field(description="Shown first until its day has passed.")
    replies_allowed: bool
    sent_at: dt.datetime
    read_at: dt.datetime | None = Field(
        description="When the caller first opened it; null while unread."
    )


class AnnouncementsPageOut(Schema):
    items: list[AnnouncementOut]
    count: int


class AnnouncementOpenedOut(AnnouncementOut):
    files: list[AnnouncementFileOut]


class AnnouncementSentOut(Schema):
    id: int
    title: str
    audience: str
    scope: AudienceScope
    organisation_id: int = Field(description="The school (or the district) it comes from.")
    class_id: int | None
    grade: str
    to_families: bool
    to_students: bool
    to_staff: bool
    urgent: bool
    replies_allowed: bool
    pinned_until: dt.date | None
    send_at: dt.datetime
    sent_at: dt.datetime | None = Field(description="Null while scheduled.")
    cancelled_at: dt.datetime | None = Field(description="Withdrawn before it was sent.")
    recipients: int
    read: int
    read_percent: int


class AnnouncementsSentPageOut(Schema):
    items: list[AnnouncementSentOut]
    count: int


class AnnouncementReachOut(AnnouncementSentOut):
    emailed: int = Field(description="Emails handed to the mail server.")
    email_failed: int
    not_reached: int = Field(
        description=(
            "Recipients who have not opened it and have no email address, do not receive "
            "school communications, whose email failed, or who have not opened it in "
            "VILLAGE_ANNOUNCEMENT_NOT_REACHED_DAYS days."
        )
    )


class AnnouncementIn(InputSchema):
    scope: AudienceScope = Field(description="``class``, ``grade``, ``school`` or ``district``.")
    class_id: Ref | None = Field(None, description="The class (``scope`` ``class``).")
    school_id: Ref | None = Field(None, description="The school (``grade`` and ``school``).")
    grade: str = Field("", max_length=8, description='The grade (``scope`` ``grade``), e.g. "5".')
    district_id: Ref | None = Field(None, description="The district (``scope`` ``district``).")
    title: Text = Field(max_length=MAX_TITLE)
    body: Text = Field(max_length=MAX_BODY)
    to_families: bool = True
    to_students: bool = False
    to_staff: bool = Field(False, description="Administrators only.")
    replies_allowed: bool = True
    urgent: bool = Field(False, description="Administrators only: sent at once, at any hour.")
    pinned_until: dt.date | None = None
    send_at: dt.datetime | None = Field(
        None, description="With its time zone; null or left out: at once."
    )


# Declared before the routes with an announcement's id, so that its path is not taken for one.
@router.post(
    "/with-files",
    response={201: AnnouncementSentOut, **WRITE},
    operation_id="announcement_create_with_files",
    summary="Send an announcement with attached files (staff)",
    description=(
        "The same as ``POST /announcements``, as a multipart form (``multipart/form-data``): "
        "each field of the announcement as a form field, and up to "
        f"{MAX_ATTACHMENTS} files in ``attachments``, checked as hand-ins are (type, size, "
        "content). Recipients download them from the announcement. 422 naming the field "
        "(``attachments`` for a file refused), and nothing is sent."
    ),
)
def announcement_new_with_files(
    request: HttpRequest,
    payload: Form[AnnouncementIn],
    attachments: File[list[UploadedFile]] = [],  # noqa: B006 - ninja reads the default only
) -> Status[Any]:
    return _create(request, payload, attachments)


# --- as a recipient ------------------------------------------------------------------------------


def _received(row: lists.Row, read_at: dt.datetime | None) -> dict[str, Any]:
    announcement = row.announcement
    return {
        "id": announcement.pk,
        "title": AnnouncementTextOut.of(row.title),
        "body": AnnouncementTextOut.of(row.body),
        "sender": announcement.author.display_name,
        "audience": labels.audience_label(announcement),
        "urgent": announcement.urgent,
        "pinned": row.pinned,
        "replies_allowed": announcement.replies_allowed,
        "sent_at": announcement.sent_at,
        "read_at": read_at,
    }


@router.get(
    "",
    response={200: AnnouncementsPageOut, **LISTED},
    operation_id="announcements_list",
    summary="The announcements sent to the caller",
    description="Pinned first, then newest; each in the caller's language where translated.",
)
def announcements_list(request: HttpRequest, page: Query[PageIn]) -> AnnouncementsPageOut:
    user = api_caller(request)
    limit = min(page.limit, MAX_PAGE_SIZE)
    receipts = lists.receipts(user, today=timezone.localdate())
    shown = list(receipts[page.offset : page.offset + limit])
    rows = lists.rows_of(shown, user)
    return AnnouncementsPageOut(
        items=[
            AnnouncementOut(**_received(row, receipt.read_at))
            for row, receipt in zip(rows, shown, strict=True)
        ],
        count=receipts.count(),
    )


@router.get(
    "/sent",
    response={200: AnnouncementsSentPageOut, **LISTED, 404: ErrorOut},
    operation_id="announcements_sent",
    summary="The announcements the caller sent, or their schools' (staff)",
    description=(
        "Their own, and for administrators those of their schools and districts, newest "
        "first, with how many received and read each. 404 for a caller who is not staff."
    ),
)
def announcements_sent(request: HttpRequest, page: Query[PageIn]) -> AnnouncementsSentPageOut:
    user = api_caller(request)
    require_page(roles_of(user).is_staff_member)
    limit = min(page.limit, MAX_PAGE_SIZE)
    found = lists.sent_list(user)
    return AnnouncementsSentPageOut(
        items=[_sent(item) for item in found[page.offset : page.offset + limit]],
        count=found.count(),
    )


def _sent(item: Announcement) -> AnnouncementSentOut:
    recipients = int(getattr(item, "recipients_count", 0))
    read = int(getattr(item, "read_count", 0))
    return AnnouncementSentOut(**_sent_fields(item, recipients, read))


def _sent_fields(item: Announcement, recipients: int, read: int) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "audience": labels.audience_label(item),
        "scope": item.scope,
        "organisation_id": item.organisation_id,
        "class_id": item.school_class_id,
        "grade": item.grade,
        "to_families": item.to_families,
        "to_students": item.to_students,
        "to_staff": item.to_staff,
        "urgent": item.urgent,
        "replies_allowed": item.replies_allowed,
        "pinned_until": item.pinned_until,
        "send_at": item.send_at,
        "sent_at": item.sent_at,
        "cancelled_at": item.cancelled_at,
        "recipients": recipients,
        "read": read,
        "read_percent": round(100 * read / recipients) if recipients else 0,
    }


@router.get(
    "/{announcement_id}",
    response={200: AnnouncementOpenedOut, **READ},
    operation_id="announcement_read",
    summary="Read one announcement sent to the caller",
    description=(
        "In the caller's language where translated; the first reading is its read receipt. "
        "404 for one not sent to the caller (or no longer theirs to read)."
    ),
)
def announcement_read(request: HttpRequest, announcement_id: Id) -> AnnouncementOpenedOut:
    from village.announcements.services.announcements import announcement_open

    user = api_caller(request)
    reading = policies.announcement_for_reader(user, announcement_id)
    require_page(reading.receipt is not None)
    assert reading.receipt is not None
    shown = lists.opened(reading, user)
    announcement_open(receipt=reading.receipt)
    row = lists.Row(
        announcement=reading.announcement,
        title=shown.title,
        body=shown.body,
        unread=False,
        pinned=lists.is_pinned(reading.announcement, timezone.localdate()),
    )
    return AnnouncementOpenedOut(
        **_received(row, reading.receipt.read_at),
        files=[AnnouncementFileOut(id=f.pk, name=f.name, size=f.size) for f in shown.files],
    )


@router.get(
    "/{announcement_id}/reach",
    response={200: AnnouncementReachOut, **READ},
    operation_id="announcement_reach",
    summary="Whom one announcement reached (its sender and administrators)",
    description="Its figures. 404 for one the caller did not send and does not administer.",
)
def announcement_reach(request: HttpRequest, announcement_id: Id) -> AnnouncementReachOut:
    announcement = policies.announcement_for_manager(api_caller(request), announcement_id)
    counts = reach_selectors.counts(announcement)
    missed = reach_selectors.not_reached(announcement, now=timezone.now(), limit=0)
    return AnnouncementReachOut(
        **_sent_fields(announcement, counts.recipients, counts.read),
        emailed=counts.emailed,
        email_failed=counts.email_failed,
        not_reached=missed.total,
    )


# --- a new one -----------------------------------------------------------------------------------


def _invalid(error: ValidationError) -> Status[dict[str, Any]]:
    detail = [
        {"loc": ["body", "payload", key], "msg": message, "type": "value_error"}
        for key, messages in error.message_dict.items()
        for message in messages
    ]
    return Status(422, {"detail": detail})


def _target(user: Any, payload: AnnouncementIn) -> policies.Target | Status[dict[str, Any]]:
    needed = {
        AudienceScope.CLASS: ("class_id", payload.class_id),
        AudienceScope.GRADE: ("school_id", payload.school_id),
        AudienceScope.SCHOOL: ("school_id", payload.school_id),
        AudienceScope.DISTRICT: ("district_id", payload.district_id),
    }
    field, value = needed[payload.scope]
    if value is None:
        return _invalid(ValidationError({field: _("Name whom this announcement is for.")}))
    if payload.scope == AudienceScope.GRADE and not payload.grade.strip():
        return _invalid(ValidationError({"grade": _("Choose the grade.")}))
    return policies.target_for_announcer(
        user,
        scope=payload.scope,
        class_id=payload.class_id,
        school_id=payload.school_id,
        grade=payload.grade.strip(),
        district_id=payload.district_id,
    )


@router.post(
    "",
    response={201: AnnouncementSentOut, **WRITE},
    operation_id="announcement_create",
    summary="Send an announcement, now or later (staff)",
    description=(
        "To a class the caller teaches, or a grade, a school or a class of a school they "
        "administer, or their district, and to its families, students or staff as the "
        "policy allows. 404 for a target the caller may not announce to; 422 naming the "
        "field for bad input (no one to send to, staff or urgent without being an "
        "administrator, a time in the past)."
    ),
)
def announcement_new(request: HttpRequest, payload: AnnouncementIn) -> Status[Any]:
    return _create(request, payload, [])


def _create(
    request: HttpRequest, payload: AnnouncementIn, files: list[UploadedFile]
) -> Status[Any]:
    user = api_caller(request)
    target = _target(user, payload)
    if isinstance(target, Status):
        return target
    draft = Draft(
        title=payload.title,
        body=payload.body,
        to_families=payload.to_families,
        to_students=payload.to_students,
        to_staff=payload.to_staff,
        replies_allowed=payload.replies_allowed,
        urgent=payload.urgent,
        pinned_until=payload.pinned_until,
        send_at=payload.send_at,
    )
    try:
        announcement = announcement_create(author=user, target=target, draft=draft, files=files)
    except ValidationError as error:
        return _invalid(error)
    counts = reach_selectors.counts(announcement)
    return Status(
        201, AnnouncementSentOut(**_sent_fields(announcement, counts.recipients, counts.read))
    )
