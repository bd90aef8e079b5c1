"""Conferences' versions of what families see (``village.families.versions``): each write that
can change a child's conferences part of the family overview, or the conferences section of
the child's page, gives the children concerned a new token, in the same transaction.

- a booking made, moved or cancelled: its child, and the students the teacher teaches now
  when it may leave the teacher with no free time for some of them, or with one again
  (whether a teacher is still to book shows on each child's part);
- a round started, changed, published or withdrawn: the students of its school;
- slots added, moved or cancelled: the students the teacher teaches now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from village.community.models import Enrollment, EnrollmentRole, OrgRole, Role
from village.community.policies import today
from village.conferences.models import Booking, BookingState, ConferenceRound, Slot
from village.families.versions import students_changed

AREA = "conferences"


def children_changed(child_ids: Iterable[int]) -> None:
    students_changed(AREA, child_ids)


def school_changed(school_id: int) -> None:
    """Every student of the school now (one read, one upsert per thousand)."""
    students = (
        OrgRole.objects.current(today())
        .filter(organisation_id=school_id, role=Role.STUDENT)
        .values_list("user_id", flat=True)
    )
    students_changed(AREA, students)


def teacher_students_changed(teacher_id: int) -> None:
    """The students of the classes the teacher teaches now (one read, one upsert per
    thousand)."""
    students_changed(AREA, _teacher_students(teacher_id))


def _teacher_students(teacher_id: int) -> Iterable[int]:
    current = Enrollment.objects.current(today())
    taught = current.filter(user_id=teacher_id, role=EnrollmentRole.TEACHER).values(
        "school_class_id"
    )
    students = current.filter(role=EnrollmentRole.STUDENT, school_class_id__in=taught)
    return students.values_list("user_id", flat=True)


def booking_changed(
    child_id: int, conference_round: ConferenceRound, *slots: Slot, now: dt.datetime
) -> None:
    """A booking of ``child_id`` made, moved or cancelled: ``slots`` (one teacher's, in
    ``conference_round``) were just booked, or are free again. The child gets a new version;
    so do the teacher's students when the teacher may have no free time left for some of them,
    or one again (``_free_changed``). One upsert for all, in id order: two bookings at once
    never each hold a row the other waits for."""
    changed = {child_id}
    for slot in slots:
        if _free_changed(conference_round, slot, slots, now):
            changed.update(_teacher_students(slot.teacher_id))
            break
    students_changed(AREA, changed)


def _free_changed(
    conference_round: ConferenceRound, slot: Slot, slots: Iterable[Slot], now: dt.datetime
) -> bool:
    """A child sees a teacher as one to book while one of the times offered to them is free:
    that may have changed with ``slot`` unless another time of the teacher in the round (not
    one of ``slots``), offered to every child ``slot`` is, is free now (one query). Two
    families taking a teacher's last two times at once each still see the other's as free;
    that change shows within the families' keep (``village.families.sections``)."""
    offered_alike = Q(school_class__isnull=True) | Q(school_class_id=slot.school_class_id)
    free = (
        Slot.objects.filter(
            offered_alike,
            round_id=conference_round.pk,
            teacher_id=slot.teacher_id,
            cancelled_at__isnull=True,
            starts_at__gt=now + conference_round.cutoff,
        )
        .exclude(pk__in=[one.pk for one in slots])
        .exclude(Exists(Booking.objects.filter(slot=OuterRef("pk"), state=BookingState.BOOKED)))
    )
    return not free.exists()
