"""Bookings through the API, and each child's free times."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from village.accounts.api import api_caller
from village.accounts.models import User
from village.conferences import policies
from village.conferences.api.common import (
    MAX_PAGE_SIZE,
    BookingOut,
    FreeSlotOut,
    booking_out,
    slot_fields,
)
from village.conferences.models import Booking, BookingState
from village.conferences.selectors.family import booking_rows, free_slots
from village.conferences.services.bookings import (
    booking_cancel,
    booking_create,
    booking_reschedule,
)
from village.core.api import LISTED, READ, WRITE, Id, InputSchema, PageIn, Ref, Text, invalid
from village.core.audit import Viewed, audit_views
from village.core.models import AuditAction

router = Router()


class FreeSlotsQuery(Schema):
    round_id: int = Field(ge=1, description="The round.")
    teacher_id: int = Field(ge=1, description="One of the child's teachers in it.")


class BookingsQuery(Schema):
    active: bool = Field(False, description="Only bookings that are not cancelled.")


class BookingIn(InputSchema):
    child_id: Ref
    slot_id: Ref = Field(description="A free time (``/children/{child_id}/slots``).")
    interpreter_language: str = Field(
        "", max_length=16, description="An IETF language tag (es, vi, zh-Hant), or empty."
    )
    note: Text = Field("", max_length=500, description="Anything the teacher should know.")


class RescheduleIn(InputSchema):
    slot_id: Ref = Field(description="Another free time with the same teacher in the round.")


class BookingCancelIn(InputSchema):
    note: Text = Field("", max_length=500, description="Why (told to the other side).")


def _audit(request: HttpRequest, user: User, bookings: list[Booking]) -> None:
    audit_views(
        actor_id=user.pk,
        action=AuditAction.VIEW_STUDENT,
        viewed={
            booking.child_id: Viewed(
                student_id=booking.child_id, organisation_id=booking.round.school_id
            )
            for booking in bookings
        }.values(),
        request=request,
        channel="api",
    )


@router.get(
    "/children/{child_id}/slots",
    response={200: list[FreeSlotOut], **READ},
    operation_id="conference_free_slots",
    summary="A child's free times with one teacher",
    description=(
        "For a guardian who books the child's conferences: the teacher's times in the round "
        "that are free and still bookable, those next to the family's other conferences first "
        "(``suggested``). 404 for a child, round or teacher the caller may not book."
    ),
)
def free_slots_list(
    request: HttpRequest, child_id: Id, query: Query[FreeSlotsQuery]
) -> list[FreeSlotOut]:
    user = api_caller(request)
    child = policies.child_for_family(user, child_id)
    conference_round = policies.round_for_family(user, child, query.round_id)
    teacher = policies.teacher_for_family(child, conference_round, query.teacher_id)
    found = free_slots(user, child, conference_round, teacher, timezone.now())
    return [
        FreeSlotOut(
            **slot_fields(choice.slot),
            suggested=choice.suggested,
            next_to_booking_id=choice.beside.pk if choice.beside else None,
        )
        for choice in found
    ]


class BookingsPage(Schema):
    items: list[BookingOut]
    count: int = Field(description="How many bookings the caller sees in all.")


@router.get(
    "/bookings",
    response={200: BookingsPage, **LISTED},
    operation_id="conference_bookings_list",
    summary="The bookings the caller sees",
    description=(
        "Staff: the bookings of the slots they manage. Guardians: their children's. In time "
        "order, ``limit`` (at most 200) after the first ``offset``; ``active=true`` leaves out "
        "the cancelled. Each child shown is written to the audit log."
    ),
)
def bookings_list(
    request: HttpRequest, query: Query[BookingsQuery], page: Query[PageIn]
) -> BookingsPage:
    user = api_caller(request)
    bookings = policies.visible_bookings(user)
    if query.active:
        bookings = bookings.filter(state=BookingState.BOOKED)
    limit = min(page.limit, MAX_PAGE_SIZE)
    rows = list(booking_rows(bookings)[page.offset : page.offset + limit])
    _audit(request, user, rows)
    return BookingsPage(items=[booking_out(booking) for booking in rows], count=bookings.count())


@router.post(
    "/bookings",
    response={201: BookingOut, **WRITE},
    operation_id="conference_booking_create",
    summary="Book a conference",
    description=(
        "A guardian books a free time for their child; the family and the teacher receive the "
        "calendar invitation. A time just taken, a round not open, a time within the cut-off, "
        "a second booking with the same teacher, or a language Village does not know answer "
        "422 naming the field (``slot_id``, ``interpreter_language``, ``note``)."
    ),
)
def booking_create_endpoint(request: HttpRequest, payload: BookingIn) -> Status[Any]:
    user = api_caller(request)
    child = policies.child_for_family(user, payload.child_id)
    slot = policies.slot_for_family(user, child, payload.slot_id)
    try:
        booking = booking_create(
            guardian=user,
            child=child,
            slot=slot,
            interpreter_language=payload.interpreter_language,
            note=payload.note,
        )
    except ValidationError as error:
        return invalid(error, {"slot": "slot_id"})
    return Status(201, booking_out(policies.booking_for_viewer(user, booking.pk)))


@router.get(
    "/bookings/{booking_id}",
    response={200: BookingOut, **READ},
    operation_id="conference_booking_get",
    summary="One booking",
    description=(
        "A booking of a slot the caller manages, or of a child whose conferences they book; "
        "404 for any other."
    ),
)
def booking_get(request: HttpRequest, booking_id: Id) -> BookingOut:
    user = api_caller(request)
    booking = policies.booking_for_viewer(user, booking_id)
    _audit(request, user, [booking])
    return booking_out(booking)


@router.post(
    "/bookings/{booking_id}/reschedule",
    response={200: BookingOut, **WRITE},
    operation_id="conference_booking_reschedule",
    summary="Move a conference",
    description=(
        "A guardian moves their child's conference to another free time with the same "
        "teacher, until the round's cut-off; both sides receive the updated invitation (same "
        "UID, higher SEQUENCE). After the cut-off, or to a time taken, 422 naming the field."
    ),
)
def booking_reschedule_endpoint(
    request: HttpRequest, booking_id: Id, payload: RescheduleIn
) -> Status[Any]:
    user = api_caller(request)
    booking = policies.booking_for_family(user, booking_id)
    slot = policies.slot_for_family(user, booking.child, payload.slot_id)
    try:
        booking_reschedule(booking=booking, slot=slot)
    except ValidationError as error:
        return invalid(error, {"slot": "slot_id", "booking": "booking_id"})
    return Status(200, booking_out(policies.booking_for_viewer(user, booking.pk)))


@router.post(
    "/bookings/{booking_id}/cancel",
    response={200: BookingOut, **WRITE},
    operation_id="conference_booking_cancel",
    summary="Cancel a conference",
    description=(
        "The family until the round's cut-off; the school (the teacher, an admin) at any time, "
        "with a note the family reads. Both sides receive the cancellation (METHOD:CANCEL). "
        "After the cut-off, or cancelled already, 422 naming ``booking_id``."
    ),
)
def booking_cancel_endpoint(
    request: HttpRequest, booking_id: Id, payload: BookingCancelIn
) -> Status[Any]:
    user = api_caller(request)
    booking = policies.booking_for_viewer(user, booking_id)
    by_school = policies.manages_booking(user, booking)
    try:
        booking_cancel(booking=booking, by=user, note=payload.note, by_school=by_school)
    except ValidationError as error:
        return invalid(error, {"booking": "booking_id"})
    return Status(200, booking_out(policies.booking_for_viewer(user, booking.pk)))
