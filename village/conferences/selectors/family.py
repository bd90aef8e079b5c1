"""Reads for the families' pages and API: each child's rounds with the teachers to book, the
free times of one teacher (those next to the family's other conferences first), the family's
bookings. Each runs a fixed number of queries, however many children, rounds and slots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet

from village.accounts.models import User
from village.community.models import Enrollment, EnrollmentRole, OrgRole, Role
from village.community.policies import AnyUser, today
from village.conferences import policies
from village.conferences.models import Booking, BookingState, ConferenceRound, Slot

#: A free time this close to one of the family's conferences (before or after it) is
#: suggested first: brothers and sisters back to back, or one child's teachers one after another.
ADJACENT = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class TeacherChoice:
    """One of the child's teachers in a round: how many times are still free, the child's
    booking with them (if any), and until when the last of the free times may be booked (its
    start less the round's cut-off; ``None`` when none is free)."""

    teacher: User
    free: int
    booking: Booking | None
    free_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ChildRound:
    round: ConferenceRound
    open: bool
    teachers: list[TeacherChoice]

    @property
    def to_book(self) -> list[TeacherChoice]:
        """Teachers with free times the child has no conference with yet."""
        return [choice for choice in self.teachers if choice.booking is None and choice.free]


@dataclass(frozen=True, slots=True)
class FamilyChild:
    child: User
    rounds: list[ChildRound]
    #: The child's conferences still to come (not cancelled), in time order.
    bookings: list[Booking] = field(default_factory=list)


@dataclass
class _Reads:
    """What :func:`family_plan` read, by child."""

    schools: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    classes: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    teachers: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))


def _read_children(child_ids: list[int]) -> _Reads:
    """Each child's schools, classes and teachers now (three queries)."""
    reads = _Reads()
    day = today()
    for user_id, school_id in (
        OrgRole.objects.current(day)
        .filter(user_id__in=child_ids, role=Role.STUDENT)
        .values_list("user_id", "organisation_id")
    ):
        reads.schools[user_id].add(school_id)
    for user_id, class_id in (
        Enrollment.objects.current(day)
        .filter(user_id__in=child_ids, role=EnrollmentRole.STUDENT)
        .values_list("user_id", "school_class_id")
    ):
        reads.classes[user_id].add(class_id)
    class_ids = {pk for ids in reads.classes.values() for pk in ids}
    by_class: dict[int, set[int]] = defaultdict(set)
    for class_id, user_id in (
        Enrollment.objects.current(day)
        .filter(school_class_id__in=class_ids, role=EnrollmentRole.TEACHER)
        .values_list("school_class_id", "user_id")
    ):
        by_class[class_id].add(user_id)
    for child_id, classes in reads.classes.items():
        for class_id in classes:
            reads.teachers[child_id] |= by_class[class_id]
    return reads


def _booked_q() -> Exists:
    return Exists(Booking.objects.filter(slot=OuterRef("pk"), state=BookingState.BOOKED))


def family_plan(
    user: AnyUser,
    now: dt.datetime,
    *,
    child_ids: Iterable[int] | None = None,
    round_id: int | None = None,
) -> list[FamilyChild]:
    """The children ``user`` books for (or those of ``child_ids``), each with the rounds open or
    still to open at their school (or the round ``round_id``) and their teachers there, and
    their conferences to come: those of the user's household, where a round keeps households
    apart (a child's teacher booked by the other household is still to book). Eight queries,
    whatever the numbers."""
    children_qs = policies.family_children(user).order_by("first_name", "last_name", "pk")
    if child_ids is not None:
        children_qs = children_qs.filter(pk__in=list(child_ids))
    children = list(children_qs)
    if not children:
        return []
    ids = [child.pk for child in children]
    reads = _read_children(ids)
    rounds_qs = ConferenceRound.objects.filter(
        published=True, school_id__in={pk for pks in reads.schools.values() for pk in pks}
    ).select_related("school")
    rounds_qs = (
        rounds_qs.filter(pk=round_id)
        if round_id is not None
        else rounds_qs.filter(closes_at__gt=now)
    )
    rounds = list(rounds_qs.order_by("opens_at", "id"))
    every_teacher = {pk for pks in reads.teachers.values() for pk in pks}
    slots = list(
        Slot.objects.filter(
            round__in=[r.pk for r in rounds],
            teacher_id__in=every_teacher,
            cancelled_at__isnull=True,
        )
        .annotate(booked=_booked_q())
        .values_list("round_id", "teacher_id", "school_class_id", "starts_at", "booked")
    )
    teachers = User.objects.in_bulk({teacher_id for _r, teacher_id, *_rest in slots})
    # The user's household's only, where a round keeps households apart (in the same query).
    bookings = list(
        policies.family_bookings(user)
        .filter(
            Q(round__in=[r.pk for r in rounds]) | Q(slot__starts_at__gte=now),
            child_id__in=ids,
            state=BookingState.BOOKED,
        )
        .select_related("slot", "round", "round__school", "teacher")
        .order_by("slot__starts_at", "id")
    )
    return [_child_plan(child, reads, rounds, slots, teachers, bookings, now) for child in children]


def _child_plan(
    child: User,
    reads: _Reads,
    rounds: list[ConferenceRound],
    slots: Sequence[tuple[int, int, int | None, dt.datetime, bool]],
    teachers: dict[int, User],
    bookings: list[Booking],
    now: dt.datetime,
) -> FamilyChild:
    mine = [booking for booking in bookings if booking.child_id == child.pk]
    own_teachers = reads.teachers[child.pk]
    classes = reads.classes[child.pk]
    free: dict[tuple[int, int], int] = defaultdict(int)
    free_until: dict[tuple[int, int], dt.datetime] = {}
    offered: set[tuple[int, int]] = set()
    cutoffs = {r.pk: r.cutoff for r in rounds}
    for round_id, teacher_id, class_id, starts_at, booked in slots:
        if teacher_id not in own_teachers or (class_id is not None and class_id not in classes):
            continue
        offered.add((round_id, teacher_id))
        bookable_until = starts_at - cutoffs[round_id]
        if not booked and bookable_until > now:
            free[(round_id, teacher_id)] += 1
            last = free_until.get((round_id, teacher_id), bookable_until)
            free_until[(round_id, teacher_id)] = max(last, bookable_until)
    child_rounds = []
    for conference_round in rounds:
        if conference_round.school_id not in reads.schools[child.pk]:
            continue
        choices = [
            TeacherChoice(
                teachers[teacher_id],
                free[(conference_round.pk, teacher_id)],
                next(
                    (
                        b
                        for b in mine
                        if b.round_id == conference_round.pk and b.teacher_id == teacher_id
                    ),
                    None,
                ),
                free_until.get((conference_round.pk, teacher_id)),
            )
            for teacher_id in sorted(
                {t for r, t in offered if r == conference_round.pk},
                key=lambda pk: (teachers[pk].last_name, teachers[pk].first_name, pk),
            )
        ]
        child_rounds.append(ChildRound(conference_round, conference_round.is_open(now), choices))
    upcoming = [booking for booking in mine if booking.slot.ends_at > now]
    return FamilyChild(child, child_rounds, upcoming)


# --- one teacher's free times --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FreeSlot:
    """A time the family may book. ``beside``: the family's conference it is next to (then it
    is suggested); ``clash``: one at the same time."""

    slot: Slot
    beside: Booking | None = None
    clash: Booking | None = None

    @property
    def suggested(self) -> bool:
        return self.beside is not None


def _next_to(slot: Slot, booking: Booking) -> bool:
    other = booking.slot
    return (
        dt.timedelta(0) <= slot.starts_at - other.ends_at <= ADJACENT
        or dt.timedelta(0) <= other.starts_at - slot.ends_at <= ADJACENT
    )


def _overlaps(slot: Slot, booking: Booking) -> bool:
    return slot.starts_at < booking.slot.ends_at and booking.slot.starts_at < slot.ends_at


def free_slots(
    user: AnyUser,
    child: User,
    conference_round: ConferenceRound,
    teacher: User,
    now: dt.datetime,
    *,
    moving: Booking | None = None,
) -> list[FreeSlot]:
    """The teacher's free times in the round that ``user`` may book for ``child`` now: those
    next to the family's other conferences first (suggested; the user's household's only, where
    a round keeps households apart), then in time order (two queries). ``moving``: the booking
    being moved, which is left out of the family's."""
    slots = (
        policies.family_slots(child.pk)
        .filter(
            round=conference_round,
            teacher=teacher,
            starts_at__gt=now + conference_round.cutoff,
        )
        .exclude(_booked_q())
        .select_related("school_class")
        .order_by("starts_at", "id")
    )
    family: QuerySet[Booking] = (
        policies.family_bookings(user)
        .filter(state=BookingState.BOOKED, slot__starts_at__gte=now)
        .select_related("slot", "child", "teacher")
    )
    if moving is not None:
        family = family.exclude(pk=moving.pk)
    others = list(family)
    found = [
        FreeSlot(
            slot,
            beside=next((b for b in others if _next_to(slot, b)), None),
            clash=next((b for b in others if _overlaps(slot, b)), None),
        )
        for slot in slots
    ]
    return sorted(found, key=lambda free: (not free.suggested, free.slot.starts_at, free.slot.pk))


def booking_rows(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    """Bookings with what their pages and the API show (one query)."""
    return bookings.select_related(
        "slot", "round", "round__school", "teacher", "child", "guardian"
    ).order_by("slot__starts_at", "id")
