"""Rounds and their slots through the API."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from village.accounts.api import api_caller
from village.community.models import SchoolClass
from village.conferences import policies
from village.conferences.api.common import (
    MAX_PAGE_SIZE,
    RoundOut,
    SlotOut,
    aware,
    round_out,
    slot_fields,
)
from village.conferences.models import ConferenceRound, Mode
from village.conferences.selectors.staff import teacher_slots
from village.conferences.services.rounds import (
    MAX_CUTOFF_HOURS,
    RoundSpec,
    round_create,
    round_update,
)
from village.conferences.services.slots import (
    PlaceChange,
    SlotRange,
    slot_cancel,
    slot_change_place,
    slots_generate,
)
from village.core.api import (
    LISTED,
    READ,
    WRITE,
    Id,
    InputSchema,
    Pages,
    Ref,
    SingleLine,
    Text,
    invalid,
)

router = Router()

#: A time of day as the school's clock shows it: HH:MM.
ClockTime = Annotated[
    str,
    Field(
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="HH:MM, 24-hour, in the school's time zone.",
        examples=["15:00"],
    ),
]


class RoundIn(InputSchema):
    school_id: Ref = Field(description="A school where the caller teaches or that they run.")
    title: SingleLine = Field(min_length=1, max_length=200)
    opens_at: dt.datetime
    closes_at: dt.datetime
    cutoff_hours: int = Field(24, ge=0, le=MAX_CUTOFF_HOURS)
    published: bool = False
    households_apart: bool = Field(
        False, description="Guardians living apart book their own conferences."
    )


class RoundPatch(InputSchema):
    """Only the fields sent change."""

    title: SingleLine | None = Field(None, min_length=1, max_length=200)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    cutoff_hours: int | None = Field(None, ge=0, le=MAX_CUTOFF_HOURS)
    published: bool | None = None
    households_apart: bool | None = Field(
        None,
        description=(
            "Guardians living apart book their own conferences. Turned off only while no child "
            "has a conference with one teacher for two households (422 naming it otherwise)."
        ),
    )


class SlotsIn(InputSchema):
    teacher_id: Ref | None = Field(None, description="Admins: whose slots; others: themselves.")
    day: dt.date
    start: ClockTime
    end: ClockTime
    minutes: int = Field(ge=5, le=240, description="How long each conference lasts.")
    gap: int = Field(0, ge=0, le=120, description="Minutes between two conferences.")
    mode: Mode = Mode.IN_PERSON
    place: SingleLine = Field("", max_length=300)
    class_id: Ref | None = Field(None, description="Only for the families of this class.")


class CancelIn(InputSchema):
    note: Text = Field("", max_length=500, description="Told to the family, if it was booked.")


class PlaceIn(InputSchema):
    mode: Mode = Field(description="in_person, phone or video.")
    place: SingleLine = Field(
        "", max_length=300, description="A room, a number to call, or a video link (https://)."
    )


class TeacherQuery(Schema):
    teacher_id: int | None = Field(None, ge=1, description="Admins: whose slots (default: own).")


@router.get(
    "/rounds",
    response={200: list[RoundOut], **LISTED},
    operation_id="conference_rounds_list",
    summary="The rounds the caller sees",
    description=(
        "Staff: every round of their schools, published or not. Guardians: the published "
        "rounds of the schools of the children whose conferences they book."
    ),
)
@paginate(Pages, max_limit=MAX_PAGE_SIZE)
def rounds_list(request: HttpRequest) -> QuerySet[ConferenceRound]:
    rounds = policies.visible_rounds(api_caller(request)).select_related("school")
    return rounds.order_by("-opens_at", "id")


@router.post(
    "/rounds",
    response={201: RoundOut, **WRITE},
    operation_id="conference_round_create",
    summary="Start a round",
    description=(
        "At a school where the caller teaches or that they run (404 for any other school). "
        "Booking must close after it opens (422 naming ``closes_at``)."
    ),
)
def round_create_endpoint(request: HttpRequest, payload: RoundIn) -> Status[Any]:
    user = api_caller(request)
    school = policies.school_for_new_round(user, payload.school_id)
    spec = RoundSpec(
        title=payload.title,
        opens_at=aware(user, payload.opens_at),
        closes_at=aware(user, payload.closes_at),
        cutoff_hours=payload.cutoff_hours,
        published=payload.published,
        households_apart=payload.households_apart,
    )
    try:
        made = round_create(school=school, by=user, spec=spec)
    except ValidationError as error:
        return invalid(error)
    return Status(201, round_out(made))


@router.get(
    "/rounds/{round_id}",
    response={200: RoundOut, **READ},
    operation_id="conference_round_get",
    summary="One round",
    description="A round the caller sees (see the list); 404 for any other.",
)
def round_get(request: HttpRequest, round_id: Id) -> RoundOut:
    return round_out(policies.round_for_viewer(api_caller(request), round_id))


@router.patch(
    "/rounds/{round_id}",
    response={200: RoundOut, **WRITE},
    operation_id="conference_round_update",
    summary="Change a round",
    description="Its school's admins and the teacher who started it; others who see it: 403.",
)
def round_patch(request: HttpRequest, round_id: Id, payload: RoundPatch) -> Status[Any]:
    user = api_caller(request)
    conference_round = policies.round_for_editor(user, round_id)
    spec = RoundSpec(
        title=payload.title if payload.title is not None else conference_round.title,
        opens_at=aware(user, payload.opens_at) if payload.opens_at else conference_round.opens_at,
        closes_at=(
            aware(user, payload.closes_at) if payload.closes_at else conference_round.closes_at
        ),
        cutoff_hours=(
            payload.cutoff_hours
            if payload.cutoff_hours is not None
            else conference_round.cutoff_hours
        ),
        published=payload.published
        if payload.published is not None
        else conference_round.published,
        households_apart=(
            payload.households_apart
            if payload.households_apart is not None
            else conference_round.households_apart
        ),
    )
    try:
        round_update(conference_round=conference_round, spec=spec)
    except ValidationError as error:
        return invalid(error)
    return Status(200, round_out(conference_round))


@router.get(
    "/rounds/{round_id}/slots",
    response={200: list[SlotOut], **READ},
    operation_id="conference_slots_list",
    summary="A teacher's slots in a round",
    description=(
        "Staff: the caller's own slots, or (admins) ``teacher_id``'s, withdrawn ones too, each "
        "saying whether it is booked. 404 for a round or teacher the caller does not manage. "
        "Families see free times through ``/children/{child_id}/slots``."
    ),
)
def slots_list(request: HttpRequest, round_id: Id, query: Query[TeacherQuery]) -> list[SlotOut]:
    user = api_caller(request)
    conference_round = policies.round_for_staff(user, round_id)
    teacher = policies.teacher_for_slots(
        user, conference_round.school_id, query.teacher_id or user.pk
    )
    return [
        SlotOut(**slot_fields(row.slot, booked=row.booking is not None))
        for row in teacher_slots(conference_round, teacher)
    ]


def _school_class(conference_round: ConferenceRound, class_id: int | None) -> SchoolClass | None:
    """The class named, among the round's school's (the service checks the teacher teaches it;
    any other id is refused the same way)."""
    if class_id is None:
        return None
    found = SchoolClass.objects.filter(pk=class_id, school_id=conference_round.school_id).first()
    if found is None:
        raise ValidationError(
            {"school_class": [_("Choose one of the teacher's classes at this school.")]}
        )
    return found


@router.post(
    "/rounds/{round_id}/slots",
    response={201: list[SlotOut], **WRITE},
    operation_id="conference_slots_create",
    summary="Add slots from a stretch of time",
    description=(
        "Cuts ``start`` to ``end`` on ``day`` (the school's time) into conferences of "
        "``minutes`` with ``gap`` minutes between. A stretch that makes no slot or more than "
        "48, lies in the past, or overlaps the teacher's slots answers 422 naming the field."
    ),
)
def slots_create(request: HttpRequest, round_id: Id, payload: SlotsIn) -> Status[Any]:
    user = api_caller(request)
    conference_round = policies.round_for_staff(user, round_id)
    teacher = policies.teacher_for_slots(
        user, conference_round.school_id, payload.teacher_id or user.pk
    )
    try:
        school_class = _school_class(conference_round, payload.class_id)
    except ValidationError as error:
        return invalid(error, {"school_class": "class_id"})
    spec = SlotRange(
        day=payload.day,
        start=dt.time.fromisoformat(payload.start),
        end=dt.time.fromisoformat(payload.end),
        minutes=payload.minutes,
        gap=payload.gap,
        mode=payload.mode,
        place=payload.place,
        school_class=school_class,
    )
    try:
        made = slots_generate(conference_round=conference_round, teacher=teacher, spec=spec)
    except ValidationError as error:
        return invalid(error, {"school_class": "class_id"})
    return Status(201, [SlotOut(**slot_fields(slot)) for slot in made])


@router.post(
    "/slots/{slot_id}/cancel",
    response={200: SlotOut, **WRITE},
    operation_id="conference_slot_cancel",
    summary="Withdraw a slot",
    description=(
        "Its booking, if any, is cancelled too and the family told, with ``note``. A slot "
        "withdrawn already answers 422."
    ),
)
def slot_cancel_endpoint(request: HttpRequest, slot_id: Id, payload: CancelIn) -> Status[Any]:
    user = api_caller(request)
    slot = policies.slot_for_editor(user, slot_id)
    try:
        withdrawn = slot_cancel(slot=slot, by=user, note=payload.note)
    except ValidationError as error:
        return invalid(error)
    withdrawn.teacher = slot.teacher
    return Status(200, SlotOut(**slot_fields(withdrawn)))


@router.post(
    "/slots/{slot_id}/place",
    response={200: SlotOut, **WRITE},
    operation_id="conference_slot_place",
    summary="Change how and where a slot takes place",
    description=(
        "Another room, number to call or video link, at the same time. The family who booked "
        "it and the teacher get the calendar invitation again (same UID, SEQUENCE counted up, "
        "the new LOCATION); nothing is sent when nothing changed. A slot withdrawn or over "
        "answers 422; a video link must start with https://."
    ),
)
def slot_place_endpoint(request: HttpRequest, slot_id: Id, payload: PlaceIn) -> Status[Any]:
    user = api_caller(request)
    slot = policies.slot_for_editor(user, slot_id)
    try:
        changed = slot_change_place(
            slot=slot, change=PlaceChange(mode=payload.mode, place=payload.place)
        )
    except ValidationError as error:
        return invalid(error)
    changed.teacher = slot.teacher
    return Status(200, SlotOut(**slot_fields(changed)))
