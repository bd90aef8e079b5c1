"""What the conference endpoints share: the shapes of rounds, slots and bookings, and service
refusals as 422 answers naming the API's fields."""

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from village.accounts.models import User
from village.conferences.models import Booking, ConferenceRound, Slot
from village.conferences.services.bookings import changes_until

MAX_PAGE_SIZE = 200


class PersonOut(Schema):
    id: int
    name: str


class SchoolOut(Schema):
    id: int
    name: str


class RoundOut(Schema):
    id: int
    school: SchoolOut
    title: str
    opens_at: dt.datetime = Field(description="When families may start booking.")
    closes_at: dt.datetime = Field(description="When booking closes.")
    cutoff_hours: int = Field(
        description="Families move or cancel a conference until this many hours before it."
    )
    published: bool = Field(description="Do families see the round?")
    households_apart: bool = Field(
        description=(
            "Guardians living apart book their own: a guardian who does not live with the "
            "child books their own conference with each teacher, and each household sees only "
            "its own."
        )
    )
    state: str = Field(description="What families see now: hidden, coming, open or closed.")

    @staticmethod
    def resolve_school(obj: ConferenceRound) -> SchoolOut:
        return SchoolOut(id=obj.school.pk, name=obj.school.name)

    @staticmethod
    def resolve_opens_at(obj: ConferenceRound) -> dt.datetime:
        return utc(obj.opens_at)

    @staticmethod
    def resolve_closes_at(obj: ConferenceRound) -> dt.datetime:
        return utc(obj.closes_at)

    @staticmethod
    def resolve_state(obj: ConferenceRound) -> str:
        return obj.state_at(timezone.now())


class SlotOut(Schema):
    id: int
    round_id: int
    teacher: PersonOut
    starts_at: dt.datetime
    ends_at: dt.datetime
    minutes: int
    mode: str = Field(description="in_person, phone or video.")
    place: str = Field(description="A room, a number to call, or a video link.")
    class_id: int | None = Field(description="Only for the families of this class, if set.")
    cancelled: bool = Field(description="Withdrawn by the school.")
    booked: bool = Field(description="Somebody booked it (staff only; false for families).")


class FreeSlotOut(SlotOut):
    suggested: bool = Field(description="Next to another of the family's conferences.")
    next_to_booking_id: int | None = Field(description="The conference it is next to.")


class BookingOut(Schema):
    id: int
    round_id: int
    slot: SlotOut
    child: PersonOut
    guardian: PersonOut = Field(description="Who booked it.")
    household: int = Field(
        description=(
            "Whose conference it is: 0 for the child's home (and every booking of a round that "
            "does not keep households apart), else the id of the guardian living apart from the "
            "child who booked it."
        )
    )
    interpreter_language: str = Field(description="An IETF language tag, or empty for none.")
    note: str
    state: str = Field(description="booked or cancelled.")
    sequence: int = Field(description="The SEQUENCE of its calendar invitation.")
    changes_until: dt.datetime = Field(
        description="Families move or cancel it until then (the school, at any time)."
    )
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancel_note: str


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def aware(user: User, value: dt.datetime) -> dt.datetime:
    """``value``, read in the caller's time zone when it has no offset."""
    if timezone.is_aware(value):
        return value
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(user.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return timezone.make_aware(value, zone)


def person(user: User) -> PersonOut:
    return PersonOut(id=user.pk, name=user.display_name)


def round_out(conference_round: ConferenceRound) -> RoundOut:
    return RoundOut.from_orm(conference_round)


def slot_fields(slot: Slot, *, booked: bool = False) -> dict[str, Any]:
    return {
        "id": slot.pk,
        "round_id": slot.round_id,
        "teacher": person(slot.teacher),
        "starts_at": utc(slot.starts_at),
        "ends_at": utc(slot.ends_at),
        "minutes": slot.minutes,
        "mode": slot.mode,
        "place": slot.place,
        "class_id": slot.school_class_id,
        "cancelled": slot.cancelled,
        "booked": booked,
    }


def booking_out(booking: Booking) -> BookingOut:
    # The slot's teacher and round are the booking's, read once with it.
    booking.slot.teacher = booking.teacher
    booking.slot.round = booking.round
    return BookingOut(
        id=booking.pk,
        round_id=booking.round_id,
        slot=SlotOut(**slot_fields(booking.slot, booked=booking.active)),
        child=person(booking.child),
        guardian=person(booking.guardian),
        household=booking.household,
        interpreter_language=booking.interpreter_language,
        note=booking.note,
        state=booking.state,
        sequence=booking.sequence,
        changes_until=utc(changes_until(booking.slot)),
        created_at=utc(booking.created_at),
        cancelled_at=utc(booking.cancelled_at) if booking.cancelled_at else None,
        cancel_note=booking.cancel_note,
    )
