"""A teacher's slots: made from a stretch of time ("15:00 to 18:00, 15 minutes each, 5 minutes
between"), moved to another room, number or video link (the family who booked one gets the
updated invitation), and cancelled one by one (a booked one is cancelled for the family too, who
are told with the teacher's note)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from village.accounts.models import User
from village.community.models import SchoolClass
from village.community.policies import teaches_class
from village.conferences import notices, versions
from village.conferences.models import Booking, BookingState, ConferenceRound, Mode, Slot
from village.conferences.services.bookings import booking_cancel
from village.core.text import single_line

#: The most slots one stretch of time makes (a long evening of 5-minute slots is 48).
MAX_SLOTS = 48
MIN_MINUTES, MAX_MINUTES = 5, 240
MAX_GAP = 120
#: The longest a slot may be: how far back to look for one that overlaps a new one.
LONGEST = dt.timedelta(minutes=MAX_MINUTES)


@dataclass(frozen=True, slots=True)
class SlotRange:
    """A stretch of one day, in the school's time zone, cut into slots of ``minutes`` with
    ``gap`` minutes between them."""

    day: dt.date
    start: dt.time
    end: dt.time
    minutes: int
    gap: int = 0
    mode: str = Mode.IN_PERSON
    place: str = ""
    school_class: SchoolClass | None = None


def slot_times(spec: SlotRange, zone: dt.tzinfo) -> list[dt.datetime]:
    """The start of each slot that fits in the stretch (none when it does not make sense)."""
    if spec.minutes <= 0 or spec.gap < 0:
        return []
    moment = dt.datetime.combine(spec.day, spec.start, tzinfo=zone)
    end = dt.datetime.combine(spec.day, spec.end, tzinfo=zone)
    length = dt.timedelta(minutes=spec.minutes)
    step = length + dt.timedelta(minutes=spec.gap)
    times: list[dt.datetime] = []
    while moment + length <= end and len(times) <= MAX_SLOTS:
        times.append(moment)
        moment += step
    return times


def _school_zone(conference_round: ConferenceRound) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(conference_round.school.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _check(
    spec: SlotRange, times: list[dt.datetime], teacher: User, conference_round: ConferenceRound
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not MIN_MINUTES <= spec.minutes <= MAX_MINUTES:
        errors["minutes"] = [
            _("A conference lasts between %(least)s and %(most)s minutes.")
            % {"least": MIN_MINUTES, "most": MAX_MINUTES}
        ]
    if not 0 <= spec.gap <= MAX_GAP:
        errors["gap"] = [_("The time between is 0 to %(most)s minutes.") % {"most": MAX_GAP}]
    if spec.mode not in Mode.values:
        errors["mode"] = [_("Choose in person, by phone or by video.")]
    errors.update(_check_place(spec))
    if errors:
        return errors
    if spec.end <= spec.start:
        errors["end"] = [_("The end must be after the start.")]
    elif not times:
        errors["end"] = [_("No conference of that length fits between the start and the end.")]
    elif len(times) > MAX_SLOTS:
        errors["end"] = [
            _("That makes more than %(most)s slots: choose a shorter stretch.")
            % {"most": MAX_SLOTS}
        ]
    elif times[0] <= timezone.now():
        errors["day"] = [_("Choose a day and time still to come.")]
    if spec.school_class is not None and not (
        spec.school_class.school_id == conference_round.school_id
        and teaches_class(teacher, spec.school_class, aides=False)
    ):
        errors["school_class"] = [_("Choose one of the teacher's classes at this school.")]
    return errors


def _check_place(spec: SlotRange | PlaceChange) -> dict[str, list[str]]:
    if spec.mode not in Mode.values:
        return {"mode": [_("Choose in person, by phone or by video.")]}
    place = spec.place.strip()
    try:
        single_line(place)
    except ValidationError as error:
        return {"place": error.messages}
    if spec.mode == Mode.VIDEO and place and not place.startswith("https://"):
        return {"place": [_("A video link starts with https://")]}
    return {}


def _overlaps(teacher: User, times: list[dt.datetime], minutes: int) -> list[Slot]:
    """The teacher's slots (any round) that overlap the new ones (one query)."""
    length = dt.timedelta(minutes=minutes)
    nearby = Slot.objects.filter(
        teacher=teacher,
        cancelled_at__isnull=True,
        starts_at__gt=times[0] - LONGEST,
        starts_at__lt=times[-1] + length,
    ).order_by("starts_at")
    return [
        slot
        for slot in nearby
        if any(slot.starts_at < start + length and start < slot.ends_at for start in times)
    ]


@transaction.atomic
def slots_generate(
    *, conference_round: ConferenceRound, teacher: User, spec: SlotRange
) -> list[Slot]:
    """Cut the stretch into slots of the teacher in the round, all at once (one INSERT).
    Refuses (``ValidationError`` naming the field) a stretch that makes no slot or too many,
    lies in the past, or overlaps slots the teacher has already."""
    times = slot_times(spec, _school_zone(conference_round))
    errors = _check(spec, times, teacher, conference_round)
    if errors:
        raise ValidationError(errors)
    # One teacher's slots are made one stretch at a time: the overlap check then sees them all.
    User.objects.select_for_update().filter(pk=teacher.pk).first()
    clashing = _overlaps(teacher, times, spec.minutes)
    if clashing:
        listed = ", ".join(
            formats.time_format(timezone.localtime(slot.starts_at)) for slot in clashing[:5]
        )
        raise ValidationError(
            {"start": [_("These times overlap slots you have at %(times)s.") % {"times": listed}]}
        )
    rows = [
        Slot(
            round=conference_round,
            teacher=teacher,
            starts_at=moment,
            minutes=spec.minutes,
            mode=spec.mode,
            place=spec.place.strip(),
            school_class=spec.school_class,
        )
        for moment in times
    ]
    try:
        with transaction.atomic():
            created = Slot.objects.bulk_create(rows)
    except IntegrityError as error:
        raise ValidationError({"start": [_("These times overlap slots you have.")]}) from error
    versions.teacher_students_changed(teacher.pk)
    return created


@dataclass(frozen=True, slots=True)
class PlaceChange:
    """How and where a slot now takes place."""

    mode: str
    place: str


@transaction.atomic
def slot_change_place(*, slot: Slot, change: PlaceChange, now: dt.datetime | None = None) -> Slot:
    """Move a slot to another room, number or video link (loaded for its editor through the
    policy). A booked slot's family and teacher get the invitation again, its SEQUENCE counted
    up, with the new LOCATION; nothing is sent when nothing changed."""
    now = now or timezone.now()
    errors = _check_place(change)
    if errors:
        raise ValidationError(errors)
    locked = Slot.objects.select_for_update(of=("self",)).get(pk=slot.pk)
    if locked.cancelled_at is not None:
        raise ValidationError({"slot": [_("This slot is cancelled already.")]})
    if locked.ends_at <= now:
        raise ValidationError({"slot": [_("This time is over.")]})
    place = change.place.strip()
    if (locked.mode, locked.place) == (change.mode, place):
        return locked
    locked.mode, locked.place = change.mode, place
    locked.save(update_fields=["mode", "place", "updated_at"])
    booked = (
        Booking.objects.select_for_update(of=("self",))
        .filter(slot=locked, state=BookingState.BOOKED)
        .first()
    )
    if booked is not None:
        booked.slot = locked
        booked.sequence += 1
        booked.save(update_fields=["sequence", "updated_at"])
        versions.children_changed([booked.child_id])
        notices.booking_notify(booked, notices.MOVED, now=now, place_changed=True)
    versions.teacher_students_changed(locked.teacher_id)
    return locked


@transaction.atomic
def slot_cancel(*, slot: Slot, by: User, note: str = "", now: dt.datetime | None = None) -> Slot:
    """Withdraw a slot; its booking, if any, is cancelled and the family told, with ``note``."""
    now = now or timezone.now()
    locked = Slot.objects.select_for_update(of=("self",)).get(pk=slot.pk)
    if locked.cancelled_at is not None:
        raise ValidationError({"slot": [_("This slot is cancelled already.")]})
    note = note.strip()[:500]
    locked.cancelled_at = now
    locked.cancel_note = note
    locked.save(update_fields=["cancelled_at", "cancel_note", "updated_at"])
    booked = Booking.objects.filter(slot=locked, state=BookingState.BOOKED).first()
    if booked is not None:
        booking_cancel(booking=booked, by=by, note=note, by_school=True, now=now)
    versions.teacher_students_changed(locked.teacher_id)
    return locked
