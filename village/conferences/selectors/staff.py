"""Reads for the staff's pages and API: rounds with their counts, a teacher's slots with their
bookings, a teacher's day. Each runs a fixed number of queries, however many rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from village.accounts.models import User
from village.conferences.models import Booking, BookingState, ConferenceRound, Slot

#: How many days ahead the schedule's day picker lists.
DAYS_AHEAD = 120


def _count(queryset: QuerySet[Slot] | QuerySet[Booking], outer: str) -> Coalesce:
    """A per-row count of ``queryset`` matched on ``outer`` (a correlated subquery)."""
    counted = queryset.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(rounds: QuerySet[ConferenceRound], user: User) -> QuerySet[ConferenceRound]:
    """Each round with ``slot_count`` (offered), ``booked_count`` and ``own_count`` (the user's
    own slots) annotated: one query for the lot."""
    open_slots = Slot.objects.filter(round=OuterRef("pk"), cancelled_at__isnull=True)
    return rounds.annotate(
        slot_count=_count(open_slots, "round"),
        booked_count=_count(
            Booking.objects.filter(round=OuterRef("pk"), state=BookingState.BOOKED), "round"
        ),
        own_count=_count(open_slots.filter(teacher_id=user.pk), "round"),
    )


@dataclass(frozen=True, slots=True)
class TeacherRow:
    teacher: User
    slots: int
    booked: int


def round_teachers(conference_round: ConferenceRound, teachers: QuerySet[User]) -> list[TeacherRow]:
    """The teachers with their slots and bookings in the round (one query)."""
    rows = teachers.annotate(
        slot_count=_count(
            Slot.objects.filter(
                round=conference_round, teacher=OuterRef("pk"), cancelled_at__isnull=True
            ),
            "teacher",
        ),
        booked_count=_count(
            Booking.objects.filter(
                round=conference_round, teacher=OuterRef("pk"), state=BookingState.BOOKED
            ),
            "teacher",
        ),
    ).order_by("last_name", "first_name", "pk")
    return [TeacherRow(row, row.slot_count, row.booked_count) for row in rows]


@dataclass(frozen=True, slots=True)
class SlotRow:
    """A slot with its booking (``None``: free, or withdrawn)."""

    slot: Slot
    booking: Booking | None


def _booked(slots: list[Slot]) -> dict[int, Booking]:
    """The active booking of each slot, with its child, guardian and round (whose household it
    is for, where the round keeps households apart) (one query)."""
    if not slots:
        return {}
    rows = Booking.objects.filter(
        slot_id__in=[slot.pk for slot in slots], state=BookingState.BOOKED
    ).select_related("child", "guardian", "round")
    return {booking.slot_id: booking for booking in rows}


def teacher_slots(conference_round: ConferenceRound, teacher: User) -> list[SlotRow]:
    """The teacher's slots in the round, withdrawn ones too, in time order (two queries)."""
    slots = list(
        Slot.objects.filter(round=conference_round, teacher=teacher)
        .select_related("school_class")
        .order_by("starts_at", "id")
    )
    booked = _booked(slots)
    return [SlotRow(slot, booked.get(slot.pk)) for slot in slots]


def active_booking(slot: Slot) -> Booking | None:
    """The slot's booking that is not cancelled, with its child, guardian and round (one
    query)."""
    return (
        Booking.objects.filter(slot=slot, state=BookingState.BOOKED)
        .select_related("child", "guardian", "round")
        .first()
    )


def day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)


def day_schedule(
    slots: QuerySet[Slot], teacher: User, day: dt.date, zone: dt.tzinfo
) -> list[SlotRow]:
    """The teacher's slots on ``day`` (in ``zone``) among ``slots`` (those the viewer manages),
    with each booking's child and guardian (two queries)."""
    start, end = day_bounds(day, zone)
    rows = list(
        slots.filter(
            teacher=teacher, cancelled_at__isnull=True, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("round", "school_class")
        .order_by("starts_at", "id")
    )
    booked = _booked(rows)
    return [SlotRow(slot, booked.get(slot.pk)) for slot in rows]


def schedule_days(
    slots: QuerySet[Slot], teacher: User, today: dt.date, zone: dt.tzinfo
) -> list[dt.date]:
    """The days from ``today`` on with slots of the teacher among ``slots`` (one query)."""
    start, _end = day_bounds(today, zone)
    moments = (
        slots.filter(
            teacher=teacher,
            cancelled_at__isnull=True,
            starts_at__gte=start,
            starts_at__lt=start + dt.timedelta(days=DAYS_AHEAD),
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
    )
    return sorted({moment.astimezone(zone).date() for moment in moments})


def staff_booking_rows(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Bookings as the API lists them, with what they show (one query)."""
    return bookings.select_related("slot", "round", "teacher", "child", "guardian").order_by(
        "slot__starts_at", "id"
    )
